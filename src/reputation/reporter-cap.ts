import type { Queryable } from '../db/client.ts';
import type { Policy } from './policy.ts';

/** The part of a report row the cap reads and adjusts. */
export interface CappableRow {
  format: string;
  reporter: string | null;
  reporterDomain: string | null;
  ip: string | null;
  tenantId: string | null;
  scoredWeight: number;
  notScoredReason: string | null;
}

type Usage = Map<string, number>;

const subjectKeys = (row: CappableRow): string[] => [
  ...(row.ip ? [`ip:${row.ip}`] : []),
  ...(row.tenantId ? [`tenant:${row.tenantId}`] : []),
];

const capped = (row: CappableRow) =>
  row.format === 'forward' && row.scoredWeight > 0 && Boolean(row.reporter);

/** What the reporters and reporting domains of these rows already added, per subject, within the window. */
export async function loadReporterUsage(
  tx: Queryable,
  rows: CappableRow[],
  policy: Policy,
  now: Date,
): Promise<Usage> {
  const usage: Usage = new Map();
  const reporters = [...new Set(rows.filter(capped).map((r) => r.reporter!))];
  const domains = [
    ...new Set(rows.filter(capped).flatMap((r) => (r.reporterDomain ? [r.reporterDomain] : []))),
  ];
  if (reporters.length === 0) return usage;
  // Two batches with the same reporter must not both read the allowance before either
  // commits: their transactions take these locks (in one order, so they cannot deadlock)
  // and the second waits for the first.
  const keys = [...reporters.map((r) => `r:${r}`), ...domains.map((d) => `d:${d}`)].sort();
  await tx`
    select pg_advisory_xact_lock(hashtextextended('repute.cap:' || k, 0))
      from (select k from unnest(${keys}::text[]) as k order by k) as ordered`;
  const since = new Date(now.getTime() - policy.forwardedCap.windowHours * 3_600_000);
  const prior = await tx<
    {
      reporter: string | null;
      reporter_domain: string | null;
      ip: string | null;
      tenant_id: string | null;
      w: number;
    }[]
  >`
    select reporter, reporter_domain, host(ip) as ip, tenant_id, sum(scored_weight)::float8 as w
      from reports
     where format = 'forward' and scored_weight > 0 and created_at > ${since}::timestamptz
       and (reporter = any(${reporters}::text[]) or reporter_domain = any(${domains}::text[]))
     group by 1, 2, 3, 4`;
  for (const p of prior) {
    const keys = subjectKeys({
      ...p,
      tenantId: p.tenant_id,
      format: 'forward',
      reporterDomain: p.reporter_domain,
      scoredWeight: 0,
      notScoredReason: null,
    });
    for (const k of keys) {
      if (p.reporter) add(usage, `r:${p.reporter}|${k}`, p.w);
      if (p.reporter_domain) add(usage, `d:${p.reporter_domain}|${k}`, p.w);
    }
  }
  return usage;
}

const add = (usage: Usage, key: string, w: number) => usage.set(key, (usage.get(key) ?? 0) + w);

/** Grants each forwarded report what is left of its reporter's and domain's allowance, in order. */
export class ReporterAllowance {
  constructor(
    private readonly usage: Usage,
    private readonly policy: Policy,
  ) {}

  apply(row: CappableRow): void {
    if (!capped(row)) return;
    const { perReporter, perReporterDomain } = this.policy.forwardedCap;
    const keys = subjectKeys(row);
    let allowed = row.scoredWeight;
    for (const k of keys) {
      allowed = Math.min(allowed, perReporter - (this.usage.get(`r:${row.reporter}|${k}`) ?? 0));
      if (row.reporterDomain) {
        allowed = Math.min(
          allowed,
          perReporterDomain - (this.usage.get(`d:${row.reporterDomain}|${k}`) ?? 0),
        );
      }
    }
    const granted = Math.max(0, allowed);
    if (granted < row.scoredWeight) {
      row.scoredWeight = granted;
      row.notScoredReason = 'reporter_cap';
    }
    for (const k of keys) {
      add(this.usage, `r:${row.reporter}|${k}`, granted);
      if (row.reporterDomain) add(this.usage, `d:${row.reporterDomain}|${k}`, granted);
    }
  }
}
