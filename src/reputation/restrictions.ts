import type { Queryable, Sql } from '../db/client.ts';
import { ReputeError } from '../errors.ts';
import { blockedIpNdr, unregisteredDomainNdr } from './ndr.ts';
import type { EventType } from './write-events.ts';

/**
 * What people do to a subject: the trust team blocks, unblocks, restricts and lifts;
 * the delist portal delists. Each action is one transaction: the score row's status,
 * the tenant's status, a restriction event in the outbox and an audit-log entry.
 * Lifting a block or a restriction also clears the complaint weight behind it, so the
 * subject is re-blocked only if the abuse starts again and crosses the line anew.
 */

export const DELIST_LIMIT = 3;
export const DELIST_WINDOW_DAYS = 30;

export interface ActionInput {
  actor: string;
  note: string;
  /** Extra facts for the audit log (e.g. the checks done before lifting a restriction). */
  detail?: Record<string, unknown>;
}

export interface ActionResult {
  eventId: number;
  type: EventType;
  subject: string;
}

async function record(
  tx: Queryable,
  e: { type: EventType; subjectType: 'ip' | 'tenant'; subject: string; ndr: string | null; metrics: object },
  input: ActionInput,
  action: string,
): Promise<ActionResult> {
  const [event] = await tx<{ id: number }[]>`
    insert into restriction_events (type, subject_type, subject, actor, note, ndr, metrics)
    values (${e.type}, ${e.subjectType}, ${e.subject}, ${input.actor}, ${input.note}, ${e.ndr}, ${tx.json(e.metrics as never)})
    returning id`;
  await tx`
    insert into audit_log (actor, action, subject_type, subject, note, detail)
    values (${input.actor}, ${action}, ${e.subjectType}, ${e.subject}, ${input.note},
            ${tx.json({ ...(input.detail ?? {}), eventId: event!.id } as never)})`;
  return { eventId: event!.id, type: e.type, subject: e.subject };
}

async function lockScore(tx: Queryable, subjectType: string, subject: string) {
  await tx`
    insert into scores (subject_type, subject, updated_at) values (${subjectType}, ${subject}, now())
    on conflict do nothing`;
  const [row] = await tx<{ status: string; complaints: number; volume: number }[]>`
    select status, complaints, volume from scores where subject_type = ${subjectType} and subject = ${subject} for update`;
  return row!;
}

function requireNote(input: ActionInput) {
  if (!input.note || input.note.trim().length < 3) {
    throw new ReputeError('request.invalid', 'Say why in a note (at least a few words).');
  }
  if (input.note.length > 2000)
    throw new ReputeError('request.invalid', 'Keep the note under 2,000 characters.');
}

export async function blockIp(
  sql: Sql,
  ip: string,
  input: ActionInput,
  publicUrl: string,
): Promise<ActionResult> {
  requireNote(input);
  return sql.begin(async (tx) => {
    const score = await lockScore(tx, 'ip', ip);
    if (score.status === 'blocked') throw new ReputeError('ip.already_blocked', `${ip} is blocked already.`);
    await tx`update scores set status = 'blocked', status_since = now() where subject_type = 'ip' and subject = ${ip}`;
    return record(
      tx,
      {
        type: 'ip.blocked',
        subjectType: 'ip',
        subject: ip,
        ndr: blockedIpNdr(ip, publicUrl),
        metrics: { ...score, reason: 'manual' },
      },
      input,
      'ip.block',
    );
  }) as Promise<ActionResult>;
}

/** Lifts a block: the trust team's unblock, or the portal's delist (limited to DELIST_LIMIT in DELIST_WINDOW_DAYS). */
export async function liftIpBlock(
  sql: Sql,
  ip: string,
  input: ActionInput,
  how: 'unblock' | 'delist',
): Promise<ActionResult> {
  if (how === 'unblock') requireNote(input);
  return sql.begin(async (tx) => {
    const score = await lockScore(tx, 'ip', ip);
    if (score.status !== 'blocked') throw new ReputeError('ip.not_blocked', `${ip} is not blocked.`);
    if (how === 'delist') {
      // A block the trust team placed is theirs to lift: the portal only undoes the policy's.
      if ((await blockedBy(tx, ip)) !== 'policy') {
        throw new ReputeError('delist.manual_block', `${ip} was blocked by the trust team; contact support.`);
      }
      const recent = await recentDelists(tx, ip);
      if (recent >= DELIST_LIMIT) {
        throw new ReputeError(
          'delist.limit_reached',
          `${ip} has been delisted ${recent} times in ${DELIST_WINDOW_DAYS} days; contact support.`,
        );
      }
    }
    await tx`
      update scores set status = 'ok', status_since = now(), complaints = 0, trusted_complaints = 0, updated_at = now()
       where subject_type = 'ip' and subject = ${ip}`;
    return record(
      tx,
      {
        type: how === 'delist' ? 'ip.delisted' : 'ip.unblocked',
        subjectType: 'ip',
        subject: ip,
        ndr: null,
        metrics: { complaintsBefore: score.complaints, volume: score.volume },
      },
      input,
      `ip.${how}`,
    );
  }) as Promise<ActionResult>;
}

/** Who placed an IP's current block: `policy`, or the trust-team member who did. */
export async function blockedBy(sql: Queryable, ip: string): Promise<string | null> {
  const [row] = await sql<{ actor: string }[]>`
    select actor from restriction_events
     where subject_type = 'ip' and subject = ${ip} and type = 'ip.blocked'
     order by id desc limit 1`;
  return row?.actor ?? null;
}

/** Delists of an IP within the window: the portal refuses the fourth. */
export async function recentDelists(sql: Queryable, ip: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from restriction_events
     where subject_type = 'ip' and subject = ${ip} and type = 'ip.delisted'
       and created_at > now() - make_interval(days => ${DELIST_WINDOW_DAYS})`;
  return row?.n ?? 0;
}

async function lockTenant(tx: Queryable, tenantId: string) {
  const [t] = await tx<{ status: string }[]>`select status from tenants where id = ${tenantId} for update`;
  if (!t) throw new ReputeError('tenant.unknown', `There is no tenant "${tenantId}".`);
  return t;
}

export async function restrictTenant(sql: Sql, tenantId: string, input: ActionInput): Promise<ActionResult> {
  requireNote(input);
  return sql.begin(async (tx) => {
    const t = await lockTenant(tx, tenantId);
    if (t.status === 'restricted_unregistered') {
      throw new ReputeError('tenant.already_restricted', `${tenantId} is restricted already.`);
    }
    const score = await lockScore(tx, 'tenant_unregistered', tenantId);
    await tx`update tenants set status = 'restricted_unregistered' where id = ${tenantId}`;
    await tx`update scores set status = 'restricted', status_since = now()
              where subject_type = 'tenant_unregistered' and subject = ${tenantId}`;
    return record(
      tx,
      {
        type: 'tenant.restricted_unregistered',
        subjectType: 'tenant',
        subject: tenantId,
        ndr: unregisteredDomainNdr(),
        metrics: { ...score, reason: 'manual' },
      },
      input,
      'tenant.restrict',
    );
  }) as Promise<ActionResult>;
}

/** The support process's checks before an unregistered-domain restriction is lifted. */
export const UNRESTRICT_CHECKS = ['domainsRegistered', 'connectorsReviewed', 'relaysSecured'] as const;
export type UnrestrictChecks = Record<(typeof UNRESTRICT_CHECKS)[number], boolean>;

export async function unrestrictTenant(
  sql: Sql,
  tenantId: string,
  input: ActionInput & { checks: UnrestrictChecks },
): Promise<ActionResult> {
  requireNote(input);
  const missing = UNRESTRICT_CHECKS.filter((c) => input.checks[c] !== true);
  if (missing.length > 0) {
    throw new ReputeError(
      'tenant.checks_missing',
      `Confirm these checks before lifting the restriction: ${missing.join(', ')}.`,
    );
  }
  return sql.begin(async (tx) => {
    const t = await lockTenant(tx, tenantId);
    if (t.status !== 'restricted_unregistered') {
      throw new ReputeError('tenant.not_restricted', `${tenantId} is not restricted.`);
    }
    const score = await lockScore(tx, 'tenant_unregistered', tenantId);
    await tx`update tenants set status = 'active' where id = ${tenantId}`;
    await tx`update scores set status = 'ok', status_since = now(), complaints = 0, trusted_complaints = 0, updated_at = now()
              where subject_type = 'tenant_unregistered' and subject = ${tenantId}`;
    return record(
      tx,
      {
        type: 'tenant.unrestricted',
        subjectType: 'tenant',
        subject: tenantId,
        ndr: null,
        metrics: { complaintsBefore: score.complaints, volume: score.volume },
      },
      { ...input, detail: { ...(input.detail ?? {}), checks: input.checks } },
      'tenant.unrestrict',
    );
  }) as Promise<ActionResult>;
}
