import type { ParsedReport } from '../arf/types.ts';
import type { Attribution } from '../attribution/attribute.ts';
import type { ScoreDelta } from '../reputation/apply-scores.ts';
import { complaintWeight, type Policy } from '../reputation/policy.ts';
import { type ReportRow, reportStatus, toReportRow } from './report-rows.ts';

/** A report row with the weight the policy gives it and what of that it may score. */
export function scoredRow(
  seq: number,
  report: ParsedReport,
  attribution: Attribution,
  reporter: string | null,
  policy: Policy,
): ReportRow {
  const weight = complaintWeight(policy, report.feedbackType);
  const status = reportStatus(report, attribution);
  const scores = status === 'scored' && weight !== 0;
  const reason = status === 'evidence' ? 'evidence' : status === 'unattributed' ? 'unattributed' : null;
  return toReportRow(seq, report, attribution, reporter, weight, scores ? weight : 0, reason);
}

/** The subjects reports move, summed: an IP, its tenant, the tenant's unregistered-domain mail. */
export function scoreDeltas(rows: ReportRow[]): ScoreDelta[] {
  const sums = new Map<string, ScoreDelta>();
  const add = (subjectType: ScoreDelta['subjectType'], subject: string, complaints: number) => {
    const key = `${subjectType}\u0000${subject}`;
    const d = sums.get(key) ?? { subjectType, subject, complaints: 0, reports: 0 };
    d.complaints += complaints;
    d.reports += 1;
    sums.set(key, d);
  };
  for (const r of rows) {
    if (r.status !== 'scored' || r.scoredWeight === 0) continue;
    if (r.ip) add('ip', r.ip, r.scoredWeight);
    if (r.tenantId) add('tenant', r.tenantId, r.scoredWeight);
    if (r.tenantId && r.senderDomainRegistered === false)
      add('tenant_unregistered', r.tenantId, r.scoredWeight);
  }
  return [...sums.values()];
}
