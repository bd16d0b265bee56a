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
  /** What is in the table, to write back only what changed. */
  stored: { trusted: boolean; claimedWeight: number };
}

type Role = { key: string; kind: 'first' | 'upgrade' };
const keyOf = (row: ClaimableRow) =>
  row.messageKey && row.scoredWeight > 0 ? row.messageKey.toString('hex') : null;

/**
 * Claims the batch's messages in one statement: a key nobody has claimed is inserted by the
 * first row that names it; a key claimed before is read, locked, afterwards. A transaction
 * claiming a key another one has just inserted waits for that one to commit (the primary
 * key), so two batches cannot both take one message as new. Keys go in sorted, so they
 * cannot deadlock.
 */
export async function claimMessages(
  tx: Queryable,
  rows: Array<{ row: ClaimableRow; inboundId: number }>,
): Promise<MessageClaims> {
  const firsts = new Map<string, { trusted: boolean; inboundId: number }>();
  for (const { row, inboundId } of rows) {
    const key = keyOf(row);
    if (key && !firsts.has(key)) firsts.set(key, { trusted: row.evidenceLevel !== 'claimed', inboundId });
  }
  const claims = new Map<string, Claim>();
  if (firsts.size === 0) return new MessageClaims(claims);
  const keys = [...firsts.keys()].sort();
  const inserted = await tx<{ key: string }[]>`
    insert into reported_messages (key, trusted, claimed_weight, first_inbound_id)
    select decode(k, 'hex'), t::boolean, 0, i
      from unnest(${keys}::text[], ${keys.map((k) => String(firsts.get(k)!.trusted))}::text[],
                  ${keys.map((k) => firsts.get(k)!.inboundId)}::bigint[]) as u(k, t, i)
     order by k
    on conflict (key) do nothing
    returning encode(key, 'hex') as key`;
  const mine = new Set(inserted.map((r) => r.key));
  const earlier = keys.filter((k) => !mine.has(k));
  if (earlier.length > 0) {
    const found = await tx<{ key: string; trusted: boolean; claimed_weight: number }[]>`
      select encode(key, 'hex') as key, trusted, claimed_weight from reported_messages
       where key = any(select decode(h, 'hex') from unnest(${earlier}::text[]) as h)
       order by key for update`;
    for (const f of found) {
      const stored = { trusted: f.trusted, claimedWeight: f.claimed_weight };
      claims.set(f.key, { ...stored, stored });
    }
  }
  return new MessageClaims(claims, mine);
}

/**
 * Applies the claims to a batch in two passes: `admit` before the claimed-evidence caps (a
 * duplicate spends no allowance), `settle` after them (an upgrade is net of the claimed weight
 * the caps let through), then `write` what changed.
 */
export class MessageClaims {
  private readonly roles = new Map<ClaimableRow, Role>();

  constructor(
    private readonly claims: Map<string, Claim>,
    /** Keys this batch inserted: their first row is the message's first complaint. */
    private readonly fresh: ReadonlySet<string> = new Set(),
  ) {}

  admit(row: ClaimableRow): void {
    const key = keyOf(row);
    if (!key) return;
    const trusted = row.evidenceLevel !== 'claimed';
    const claim = this.claims.get(key);
    if (!claim && this.fresh.has(key)) {
      this.claims.set(key, { trusted, claimedWeight: 0, stored: { trusted, claimedWeight: 0 } });
      this.roles.set(row, { key, kind: 'first' });
    } else if (!claim || claim.trusted || !trusted) {
      row.scoredWeight = 0;
      row.trustedWeight = 0;
      row.notScoredReason = 'duplicate_message';
    } else {
      claim.trusted = true;
      this.roles.set(row, { key, kind: 'upgrade' });
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
    const changed = [...this.claims].filter(
      ([, c]) => c.trusted !== c.stored.trusted || c.claimedWeight !== c.stored.claimedWeight,
    );
    if (changed.length === 0) return;
    await tx`
      update reported_messages m set trusted = u.t::boolean, claimed_weight = u.w
        from unnest(${changed.map(([k]) => k)}::text[], ${changed.map(([, c]) => String(c.trusted))}::text[],
                    ${changed.map(([, c]) => c.claimedWeight)}::float8[]) as u(k, t, w)
       where m.key = decode(u.k, 'hex')`;
  }
}
