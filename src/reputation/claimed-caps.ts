import type { Queryable } from '../db/client.ts';
import type { Policy } from './policy.ts';

/** The part of a report row the caps read and adjust. */
export interface CappableRow {
  evidenceLevel: string;
  reporter: string | null;
  reporterDomain: string | null;
  ip: string | null;
  tenantId: string | null;
  scoredWeight: number;
  notScoredReason: string | null;
}

type Usage = Map<string, number>;

const subjectKeys = (row: Pick<CappableRow, 'ip' | 'tenantId'>): string[] => [
  ...(row.ip ? [`ip:${row.ip}`] : []),
  ...(row.tenantId ? [`tenant:${row.tenantId}`] : []),
];

const capped = (row: CappableRow) => row.evidenceLevel === 'claimed' && row.scoredWeight > 0;

const add = (usage: Usage, key: string, w: number) => usage.set(key, (usage.get(key) ?? 0) + w);

/**
 * What claimed evidence already added within the window: per reporter and per reporting
 * (envelope-sender) domain on each subject, and in all on each subject.
 */
export async function loadClaimedUsage(
  tx: Queryable,
  rows: CappableRow[],
  policy: Policy,
  now: Date,
): Promise<Usage> {
  const usage: Usage = new Map();
  const claimed = rows.filter(capped);
  if (claimed.length === 0) return usage;
  const reporters = [...new Set(claimed.flatMap((r) => (r.reporter ? [r.reporter] : [])))];
  const domains = [...new Set(claimed.flatMap((r) => (r.reporterDomain ? [r.reporterDomain] : [])))];
  const ips = [...new Set(claimed.flatMap((r) => (r.ip ? [r.ip] : [])))];
  const tenants = [...new Set(claimed.flatMap((r) => (r.tenantId ? [r.tenantId] : [])))];
  // Two batches must not both read an allowance before either commits: their transactions
  // take these locks (in one order, so they cannot deadlock) and the second waits.
  const locks = [
    ...reporters.map((r) => `r:${r}`),
    ...domains.map((d) => `d:${d}`),
    ...ips.map((ip) => `s:ip:${ip}`),
    ...tenants.map((t) => `s:tenant:${t}`),
  ].sort();
  await tx`
    select pg_advisory_xact_lock(hashtextextended('repute.cap:' || k, 0))
      from (select k from unnest(${locks}::text[]) as k order by k) as ordered`;
  const since = new Date(now.getTime() - policy.claimedCap.windowHours * 3_600_000);
  const prior = await tx<
    {
      by: 'reporter' | 'subject';
      reporter: string | null;
      reporter_domain: string | null;
      ip: string | null;
      tenant_id: string | null;
      w: number;
    }[]
  >`
    select 'reporter' as by, reporter, reporter_domain, host(ip) as ip, tenant_id, sum(scored_weight)::float8 as w
      from reports
     where evidence_level = 'claimed' and scored_weight > 0 and created_at > ${since}::timestamptz
       and (reporter = any(${reporters}::text[]) or reporter_domain = any(${domains}::text[]))
     group by 2, 3, 4, 5
    union all
    select 'subject', null, null, host(ip), null, sum(scored_weight)::float8
      from reports
     where evidence_level = 'claimed' and scored_weight > 0 and created_at > ${since}::timestamptz
       and ip = any(${ips}::inet[])
     group by ip
    union all
    select 'subject', null, null, null, tenant_id, sum(scored_weight)::float8
      from reports
     where evidence_level = 'claimed' and scored_weight > 0 and created_at > ${since}::timestamptz
       and tenant_id = any(${tenants}::text[])
     group by tenant_id`;
  for (const p of prior) {
    for (const k of subjectKeys({ ip: p.ip, tenantId: p.tenant_id })) {
      if (p.by === 'subject') add(usage, `s|${k}`, p.w);
      if (p.reporter) add(usage, `r:${p.reporter}|${k}`, p.w);
      if (p.reporter_domain) add(usage, `d:${p.reporter_domain}|${k}`, p.w);
    }
  }
  return usage;
}

/**
 * Grants each claimed report what is left of its allowances, in order: its reporter's and its
 * reporting domain's on each subject it names (`claimedCap.perReporter`, `perReporterDomain`),
 * and all claimed evidence's on each subject (`perSubject`). Whatever is not granted is kept
 * on the report with the reason, and scores nothing.
 */
export class ClaimedAllowance {
  constructor(
    private readonly usage: Usage,
    private readonly policy: Policy,
  ) {}

  apply(row: CappableRow): void {
    if (!capped(row)) return;
    const { perReporter, perReporterDomain, perSubject } = this.policy.claimedCap;
    const keys = subjectKeys(row);
    const left = (key: string, max: number) => max - (this.usage.get(key) ?? 0);
    let allowed = row.scoredWeight;
    let reason: string | null = null;
    const limit = (key: string, max: number, why: string) => {
      const l = left(key, max);
      if (l < allowed) {
        allowed = l;
        reason = why;
      }
    };
    for (const k of keys) {
      if (row.reporter) limit(`r:${row.reporter}|${k}`, perReporter, 'reporter_cap');
      if (row.reporterDomain) limit(`d:${row.reporterDomain}|${k}`, perReporterDomain, 'reporter_cap');
      limit(`s|${k}`, perSubject, 'claimed_cap');
    }
    const granted = Math.max(0, allowed);
    if (granted < row.scoredWeight) {
      row.scoredWeight = granted;
      row.notScoredReason = reason;
    }
    for (const k of keys) {
      if (row.reporter) add(this.usage, `r:${row.reporter}|${k}`, granted);
      if (row.reporterDomain) add(this.usage, `d:${row.reporterDomain}|${k}`, granted);
      add(this.usage, `s|${k}`, granted);
    }
  }
}
