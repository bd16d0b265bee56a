import type { Sql } from '../db/client.ts';
import type { OutboxEvent } from '../events/publisher.ts';
import { readScores, topScores } from '../reputation/read-scores.ts';
import type { Runtime } from '../runtime.ts';

/** The reads behind the review desk, shared by its pages and its JSON API. */

export const HISTORY_DAYS = 30;
/** The raw message shown on a page or served as text: enough for any real report. */
export const RAW_SHOWN_MAX = 256 * 1024;

export interface DayPoint {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** Scored complaint weight of the reports that arrived that day (undecayed). */
  complaints: number;
  reports: number;
  /** Delivered volume the MTAs reported for that day. */
  volume: number;
  /** complaints / volume, null without volume. */
  rate: number | null;
}

/** One point per UTC day over the last `days` days: complaints from reports, volume from the MTAs' feed. */
export async function dailyHistory(
  sql: Sql,
  subjectType: 'ip' | 'tenant',
  subject: string,
  days = HISTORY_DAYS,
): Promise<DayPoint[]> {
  const match = subjectType === 'ip' ? sql`r.ip = ${subject}::inet` : sql`r.tenant_id = ${subject}`;
  const rows = await sql<{ day: string; complaints: number; reports: number; volume: number }[]>`
    with span as (
      select generate_series((now() at time zone 'UTC')::date - ${days - 1}::int,
                             (now() at time zone 'UTC')::date, interval '1 day')::date as day
    ), r as (
      select (r.created_at at time zone 'UTC')::date as day, sum(r.scored_weight) as complaints, count(*)::int as reports
        from reports r
       where ${match} and r.created_at >= (now() at time zone 'UTC')::date - ${days - 1}::int
       group by 1
    )
    select to_char(s.day, 'YYYY-MM-DD') as day, coalesce(r.complaints, 0)::float8 as complaints,
           coalesce(r.reports, 0)::int as reports, coalesce(v.count, 0)::float8 as volume
      from span s
      left join r on r.day = s.day
      left join volume_daily v on v.subject_type = ${subjectType} and v.subject = ${subject} and v.day = s.day
     order by s.day`;
  return rows.map((r) => ({ ...r, rate: r.volume > 0 ? r.complaints / r.volume : null }));
}

/** A restriction event as the outbox holds it, and when it was published. */
export interface EventRow extends OutboxEvent {
  publishedAt: Date | null;
}

export function eventsFor(sql: Sql, subjectType: string | null, subject: string | null, limit: number) {
  return sql<EventRow[]>`
    select id, type, subject_type as "subjectType", subject, actor, note, ndr, metrics, report_id as "reportId",
           created_at as "createdAt", published_at as "publishedAt"
      from restriction_events
     where true ${subjectType ? sql`and subject_type = ${subjectType} and subject = ${subject}` : sql``}
     order by id desc limit ${limit}`;
}

export interface AuditRow {
  id: number;
  actor: string;
  action: string;
  subjectType: string | null;
  subject: string | null;
  note: string | null;
  detail: Record<string, unknown>;
  createdAt: Date;
}

export function auditFor(sql: Sql, subjectType: string, subject: string, limit = 50) {
  return sql<AuditRow[]>`
    select id, actor, action, subject_type as "subjectType", subject, note, detail, created_at as "createdAt"
      from audit_log where subject_type = ${subjectType} and subject = ${subject}
     order by id desc limit ${limit}`;
}

export interface InboundSummary {
  id: number;
  channel: string;
  reporter: string | null;
  status: string;
  failureCode: string | null;
  failureDetail: string | null;
  size: number;
  receivedAt: Date;
  processedAt: Date | null;
}

const inboundColumns = (sql: Sql) => sql`
  id, channel, reporter, status, failure_code as "failureCode", failure_detail as "failureDetail", size,
  received_at as "receivedAt", processed_at as "processedAt"`;

export interface PendingDelist {
  id: number;
  ip: string;
  email: string;
  clientAddress: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export async function overview(rt: Runtime, now = new Date()) {
  const sql = rt.database.sql;
  const [ips, tenantScores, events, failed, delists, reportsQueue, eventsQueue] = await Promise.all([
    topScores(sql, 'ip', 'complaints', 15, rt.policy, now),
    topScores(sql, 'tenant', 'complaints', 15, rt.policy, now),
    eventsFor(sql, null, null, 20),
    sql<InboundSummary[]>`
      select ${inboundColumns(sql)} from inbound_messages where status = 'failed' order by id desc limit 20`,
    sql<PendingDelist[]>`
      select id, host(ip) as ip, email, client_address as "clientAddress", created_at as "createdAt",
             expires_at as "expiresAt"
        from delist_requests where status = 'pending' and used_at is null and expires_at > now()
       order by id desc limit 20`,
    queueCounts(rt, 'reports'),
    queueCounts(rt, 'events'),
  ]);
  const tenantRows = await sql<{ id: string; name: string; status: string }[]>`
    select id, name, status from tenants where id = any(${tenantScores.map((t) => t.subject)}::text[])`;
  const unregistered = await readScores(
    sql,
    tenantScores.map((t) => ({ subjectType: 'tenant_unregistered' as const, subject: t.subject })),
    rt.policy,
    now,
  );
  const tenants = tenantScores.map((t, i) => {
    const row = tenantRows.find((r) => r.id === t.subject);
    return {
      ...t,
      name: row?.name ?? null,
      tenantStatus: row?.status ?? 'unknown',
      unregisteredComplaints: unregistered[i]?.complaints ?? 0,
    };
  });
  return {
    ips,
    tenants,
    events,
    failedInbound: failed,
    pendingDelists: delists,
    queues: { reports: reportsQueue, events: eventsQueue },
  };
}

export type Overview = Awaited<ReturnType<typeof overview>>;

const COUNTED = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
export type QueueCounts = Record<(typeof COUNTED)[number], number> | null;

/** Queue depths; null when Redis does not answer (the page still renders). */
async function queueCounts(rt: Runtime, name: 'reports' | 'events'): Promise<QueueCounts> {
  try {
    const c = await rt.queues[name].getJobCounts(...COUNTED);
    return Object.fromEntries(COUNTED.map((k) => [k, c[k] ?? 0])) as QueueCounts;
  } catch {
    return null;
  }
}

export async function inboundMessage(sql: Sql, id: number) {
  const [row] = await sql<(InboundSummary & { raw: Buffer })[]>`
    select ${inboundColumns(sql)}, substring(raw from 1 for ${RAW_SHOWN_MAX}) as raw
      from inbound_messages where id = ${id}`;
  if (!row) return null;
  const { raw, ...rest } = row;
  return { ...rest, raw, truncated: row.size > raw.length };
}
