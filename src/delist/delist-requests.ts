import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from '../db/client.ts';
import { isReputeError } from '../errors.ts';
import { blockedBy, DELIST_LIMIT, liftIpBlock, recentDelists } from '../reputation/restrictions.ts';

/** How long a confirmation link works. */
export const DELIST_LINK_MINUTES = 30;

const hashOf = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** Tokens are 256 random bits in base64url (43 characters); anything else is not one of ours. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface NewDelistRequest {
  id: number;
  token: string;
  expiresAt: Date;
}

/**
 * Records a request and returns its one-time token, the only time the token exists
 * outside the mail: the table keeps its sha256. Made whether or not the IP is listed,
 * so the form's answer says nothing about the list.
 */
export async function createDelistRequest(
  sql: Sql,
  input: { ip: string; email: string; clientAddress: string | null },
): Promise<NewDelistRequest> {
  const token = randomBytes(32).toString('base64url');
  const [row] = await sql<{ id: number; expiresAt: Date }[]>`
    insert into delist_requests (ip, email, token_hash, client_address, expires_at)
    values (${input.ip}::inet, ${input.email}, ${hashOf(token)}, ${input.clientAddress},
            now() + make_interval(mins => ${DELIST_LINK_MINUTES}))
    returning id, expires_at as "expiresAt"`;
  return { id: row!.id, token, expiresAt: row!.expiresAt };
}

export type LinkState =
  | { state: 'invalid' }
  | { state: 'expired'; ip: string }
  | { state: 'used'; ip: string; result: string }
  | {
      state: 'open';
      ip: string;
      blocked: boolean;
      /** Blocked by the trust team, not the policy: the portal cannot lift it. */
      blockedByPeople: boolean;
      delistsLeft: number;
      expiresAt: Date;
    };

interface Row {
  id: number;
  ip: string;
  email: string;
  status: string;
  expired: boolean;
  usedAt: Date | null;
  expiresAt: Date;
}

async function findByToken(sql: Sql, token: string): Promise<Row | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const [row] = await sql<Row[]>`
    select id, host(ip) as ip, email, status, expires_at <= now() as expired, used_at as "usedAt",
           expires_at as "expiresAt"
      from delist_requests where token_hash = ${hashOf(token)}`;
  return row ?? null;
}

/** What the confirmation page shows for a link; changes nothing. */
export async function inspectDelistLink(sql: Sql, token: string): Promise<LinkState> {
  const row = await findByToken(sql, token);
  if (!row) return { state: 'invalid' };
  if (row.usedAt) return { state: 'used', ip: row.ip, result: row.status };
  if (row.expired) return { state: 'expired', ip: row.ip };
  const [score] = await sql<{ status: string }[]>`
    select status from scores where subject_type = 'ip' and subject = ${row.ip}`;
  const blocked = score?.status === 'blocked';
  const [delists, by] = await Promise.all([
    recentDelists(sql, row.ip),
    blocked ? blockedBy(sql, row.ip) : null,
  ]);
  return {
    state: 'open',
    ip: row.ip,
    blocked,
    blockedByPeople: blocked && by !== 'policy',
    delistsLeft: Math.max(0, DELIST_LIMIT - delists),
    expiresAt: row.expiresAt,
  };
}

export type ConfirmOutcome =
  | { outcome: 'delisted'; ip: string; eventId: number }
  | { outcome: 'not_blocked'; ip: string }
  | { outcome: 'refused'; ip: string }
  /** Blocked by the trust team: only support can lift it. */
  | { outcome: 'support'; ip: string }
  | Exclude<LinkState, { state: 'open' }>;

/**
 * Presses "Delist IP": claims the link (single use, atomically, so two presses delist
 * once), then lifts the block as the portal, which writes the `ip.delisted` event and the
 * audit entry. The portal's limit (DELIST_LIMIT in the window) is enforced by liftIpBlock.
 */
export async function confirmDelist(sql: Sql, token: string): Promise<ConfirmOutcome> {
  const row = await findByToken(sql, token);
  if (!row) return { state: 'invalid' };
  const [claimed] = await sql<{ id: number }[]>`
    update delist_requests set used_at = now()
     where id = ${row.id} and used_at is null and expires_at > now()
     returning id`;
  if (!claimed) {
    const again = await inspectDelistLink(sql, token);
    return again.state === 'open' ? { state: 'invalid' } : again;
  }
  const settle = (status: string, eventId: number | null = null) =>
    sql`update delist_requests set status = ${status}, event_id = ${eventId} where id = ${row.id}`;
  try {
    const result = await liftIpBlock(
      sql,
      row.ip,
      {
        actor: 'delist-portal',
        note: `Delisted through the portal; confirmed by ${row.email} (request ${row.id}).`,
        detail: { delistRequest: row.id, email: row.email },
      },
      'delist',
    );
    await settle('delisted', result.eventId);
    return { outcome: 'delisted', ip: row.ip, eventId: result.eventId };
  } catch (err) {
    if (isReputeError(err) && err.code === 'ip.not_blocked') {
      await settle('not_blocked');
      return { outcome: 'not_blocked', ip: row.ip };
    }
    if (isReputeError(err) && err.code === 'delist.limit_reached') {
      await settle('refused');
      return { outcome: 'refused', ip: row.ip };
    }
    if (isReputeError(err) && err.code === 'delist.manual_block') {
      await settle('refused');
      return { outcome: 'support', ip: row.ip };
    }
    // Our failure, not the sender's: the link works again.
    await sql`update delist_requests set used_at = null where id = ${row.id}`.catch(() => {});
    throw err;
  }
}
