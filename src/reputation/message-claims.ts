import { createHash } from 'node:crypto';
import type { ParsedReport } from '../arf/types.ts';
import type { Queryable } from '../db/client.ts';

/**
 * One complaint per reported message. A message is known by its Message-ID and recipient
 * (a bulk mail's copies share the Message-ID), else by a hash of the header fields a
 * person sees. The same message complaining again, by any channel, is recorded and scores
 * nothing (`duplicate_message`) — except that trusted evidence about a message so far only
 * claimed by strangers still counts, net of what the strangers' claims already added: a
 * forged forward cannot pre-empt the partner's report of the same message.
 */

const ADDRESS = /[^\s<>@"(),;:]+@[^\s<>@"(),;:]+/;
const addressOf = (text: string | undefined): string | null =>
  text ? (ADDRESS.exec(text)?.[0].toLowerCase() ?? null) : null;

/**
 * Whose copy the report is about, as far as the evidence vouches for it. A partner names
 * the recipient (Original-Rcpt-To); a platform signature vouches for To only when it covers
 * To; a stranger's word is taken as written (capped anyway). A signature that leaves the
 * recipient open keys on the Message-ID alone, so editing To cannot make one message many.
 */
export function keyRecipient(
  report: ParsedReport,
  evidence: { level: string; partner: boolean; signedFields: string[] | null },
): string | null {
  const rcpt = addressOf(report.originalRcptTo[0]);
  const to = addressOf(report.original.to);
  if (evidence.partner) return rcpt ?? to;
  if (evidence.level === 'verified') return evidence.signedFields?.includes('to') ? to : null;
  return rcpt ?? to;
}

/** The key of the reported message, or null when the report carries nothing of it to know it by. */
export function messageKey(report: ParsedReport, recipient: string | null): Buffer | null {
  const o = report.original;
  const messageId = o.messageId?.trim().replace(/^<|>$/g, '').trim().toLowerCase();
  const hash = createHash('sha256');
  if (messageId) return hash.update(`mid\0${messageId}\0${recipient ?? ''}`).digest();
  const seen = [o.from, o.to, o.subject, o.date].map((v) =>
    (v ?? '').replace(/\s+/g, ' ').trim().toLowerCase(),
  );
  if (seen.every((v) => v === '')) return null;
  return hash.update(`hdr\0${seen.join('\0')}`).digest();
}

/** The part of a report row the claims read and adjust. */
export interface ClaimableRow {
  messageKey: Buffer | null;
  evidenceLevel: string;
  scoredWeight: number;
  trustedWeight: number;
  notScoredReason: string | null;
}

interface Claim {
  trusted: boolean;
  claimedWeight: number;
  firstInboundId: number | null;
}

/** Locks the messages' keys for this transaction (one order, no deadlock) and reads their claims. */
export async function loadClaims(tx: Queryable, rows: ClaimableRow[]): Promise<Map<string, Claim>> {
  const keys = [
    ...new Set(
      rows.flatMap((r) => (r.messageKey && r.scoredWeight > 0 ? [r.messageKey.toString('hex')] : [])),
    ),
  ];
  const claims = new Map<string, Claim>();
  if (keys.length === 0) return claims;
  keys.sort();
  await tx`
    select pg_advisory_xact_lock(hashtextextended('repute.msg:' || k, 0))
      from (select k from unnest(${keys}::text[]) as k order by k) as ordered`;
  const found = await tx<
    { key: string; trusted: boolean; claimed_weight: number; first_inbound_id: number | null }[]
  >`
    select encode(key, 'hex') as key, trusted, claimed_weight, first_inbound_id from reported_messages
     where key = any(select decode(h, 'hex') from unnest(${keys}::text[]) as h)`;
  for (const f of found) {
    claims.set(f.key, {
      trusted: f.trusted,
      claimedWeight: f.claimed_weight,
      firstInboundId: f.first_inbound_id,
    });
  }
  return claims;
}

type Role = { key: string; kind: 'first' | 'upgrade' };

/**
 * Applies the claims to a batch in two passes: `admit` before the claimed-evidence caps (a
 * duplicate spends no allowance), `settle` after them (an upgrade is net of the claimed weight
 * the caps let through), then `write`.
 */
export class MessageClaims {
  private readonly roles = new Map<ClaimableRow, Role>();
  private readonly touched = new Set<string>();

  constructor(private readonly claims: Map<string, Claim>) {}

  admit(row: ClaimableRow, inboundId: number): void {
    if (!row.messageKey || row.scoredWeight <= 0) return;
    const key = row.messageKey.toString('hex');
    const trusted = row.evidenceLevel !== 'claimed';
    const claim = this.claims.get(key);
    if (!claim) {
      this.claims.set(key, { trusted, claimedWeight: 0, firstInboundId: inboundId });
      this.roles.set(row, { key, kind: 'first' });
      this.touched.add(key);
    } else if (claim.trusted || !trusted) {
      row.scoredWeight = 0;
      row.trustedWeight = 0;
      row.notScoredReason = 'duplicate_message';
    } else {
      claim.trusted = true;
      this.roles.set(row, { key, kind: 'upgrade' });
      this.touched.add(key);
    }
  }

  settle(): void {
    for (const [row, role] of this.roles) {
      if (role.kind === 'first' && row.evidenceLevel === 'claimed') {
        this.claims.get(role.key)!.claimedWeight += row.scoredWeight;
      }
    }
    for (const [row, role] of this.roles) {
      if (role.kind !== 'upgrade') continue;
      const already = this.claims.get(role.key)!.claimedWeight;
      row.scoredWeight = Math.max(0, row.trustedWeight - already);
    }
  }

  async write(tx: Queryable): Promise<void> {
    if (this.touched.size === 0) return;
    const keys = [...this.touched];
    const claims = keys.map((k) => this.claims.get(k)!);
    await tx`
      insert into reported_messages (key, trusted, claimed_weight, first_inbound_id)
      select decode(k, 'hex'), t::boolean, w, i
        from unnest(${keys}::text[], ${claims.map((c) => String(c.trusted))}::text[],
                    ${claims.map((c) => c.claimedWeight)}::float8[], ${claims.map((c) => c.firstInboundId)}::bigint[])
             as u(k, t, w, i)
      on conflict (key) do update set trusted = excluded.trusted, claimed_weight = excluded.claimed_weight`;
  }
}
