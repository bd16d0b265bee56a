import type { Sql } from '../db/client.ts';

const INBOUND_STATUSES = new Set(['failed', 'ignored', 'queued']);

/** The columns a report is shown with, by the API and the review pages alike (a constant: no input in it). */
const REPORT_COLUMNS = `
  r.id, r.inbound_id as "inboundId", r.status, r.format, r.feedback_type as "feedbackType",
  r.channel, r.reporter, host(r.source_ip) as "sourceIp", r.original_mail_from as "originalMailFrom",
  r.original_from as "originalFrom", r.sender_domain as "senderDomain", r.arrival_date as "arrivalDate",
  r.message_id as "messageId", r.subject, r.tenant_id as tenant, host(r.ip) as ip,
  r.attribution_method as "attributionMethod", r.tenant_header_status as "tenantHeaderStatus",
  r.sender_domain_registered as "senderDomainRegistered",
  r.evidence_level as "evidenceLevel", r.evidence_detail as "evidenceDetail",
  r.weight, r.scored_weight as "scoredWeight", r.trusted_weight as "trustedWeight",
  r.not_scored_reason as "notScoredReason",
  r.warnings, r.original_rcpt_to as "originalRcptTo", r.reported_domains as "reportedDomains",
  r.auth_failure as "authFailure", r.user_agent as "userAgent", r.created_at as "createdAt"`;

/** The reports one inbound message yielded, in order. */
export function reportsOfInbound(sql: Sql, inboundId: number) {
  return sql`select ${sql.unsafe(REPORT_COLUMNS)} from reports r where r.inbound_id = ${inboundId} order by r.seq`;
}

export interface ReportQuery {
  ip?: string;
  tenant?: string;
  status?: string;
  limit: number;
  before?: number;
}

/** One row more than a page is read: `next` is the cursor of an older page only when there is one. */
function page<T extends Record<string, unknown>>(
  rows: readonly T[],
  limit: number,
): { items: T[]; next: number | null } {
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? (items.at(-1)?.id as number) : null };
}

/**
 * Reports newest first, paged by id. Messages that yielded no report (failed to parse,
 * ignored, still queued) are listed from the inbound table with their reason code, so
 * the trust team sees everything that came in.
 */
export async function listReports(sql: Sql, q: ReportQuery) {
  if (q.status && INBOUND_STATUSES.has(q.status)) {
    const items = await sql`
      select id, channel, reporter, status, failure_code as code, failure_detail as detail, size,
             received_at as "receivedAt", processed_at as "processedAt"
        from inbound_messages
       where status = ${q.status} ${q.before ? sql`and id < ${q.before}` : sql``}
       order by id desc limit ${q.limit + 1}`;
    return page(items, q.limit);
  }
  const items = await sql`
    select ${sql.unsafe(REPORT_COLUMNS)}
      from reports r
     where true
       ${q.ip ? sql`and r.ip = ${q.ip}::inet` : sql``}
       ${q.tenant ? sql`and r.tenant_id = ${q.tenant}` : sql``}
       ${q.status ? sql`and r.status = ${q.status}` : sql``}
       ${q.before ? sql`and r.id < ${q.before}` : sql``}
     order by r.id desc limit ${q.limit + 1}`;
  return page(items, q.limit);
}

/** How many reports a subject has, counted up to `cap` (a hot IP has millions; past the cap it is "cap+"). */
export async function countReports(
  sql: Sql,
  q: { ip?: string; tenant?: string },
  cap = 10_000,
): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from (
      select 1 from reports r
       where true
         ${q.ip ? sql`and r.ip = ${q.ip}::inet` : sql``}
         ${q.tenant ? sql`and r.tenant_id = ${q.tenant}` : sql``}
       limit ${cap + 1}) as capped`;
  return row?.n ?? 0;
}
