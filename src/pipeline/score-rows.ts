import type { ParsedReport } from '../arf/types.ts';
import type { Attribution } from '../attribution/attribute.ts';
import { isTrusted, type Proofs } from '../evidence/evidence-level.ts';
import type { ScoreDelta } from '../reputation/apply-scores.ts';
import { keyRecipient, messageKey } from '../reputation/message-claims.ts';
import { complaintWeight, type Policy } from '../reputation/policy.ts';
import { type InboundOrigin, type ReportRow, reportStatus, toReportRow } from './report-rows.ts';

/**
 * A report row with the weight the policy gives it and what of that it may score: all of
 * it towards the complaint weight that warns, and towards the trusted weight that blocks
 * only when the evidence is verified or partner. A stranger's "not spam" lowers nothing:
 * it would let a sender talk its own score down.
 */
export function scoredRow(
  seq: number,
  report: ParsedReport,
  attribution: Attribution,
  inbound: InboundOrigin,
  policy: Policy,
  proofs: Proofs & { warnings?: string[] },
): ReportRow {
  const weight = complaintWeight(policy, report.feedbackType);
  const status = reportStatus(report, attribution);
  const trusted = isTrusted(attribution.evidence.level);
  let scores = status === 'scored' && weight !== 0;
  let reason = status === 'evidence' ? 'evidence' : status === 'unattributed' ? 'unattributed' : null;
  if (scores && weight < 0 && !trusted) {
    scores = false;
    reason = 'claimed_not_spam';
  }
  const recipient = keyRecipient(report, {
    level: attribution.evidence.level,
    partner: proofs.partner !== null,
    signedFields: proofs.platformSignature?.signedFields ?? null,
  });
  return toReportRow(seq, report, attribution, inbound, {
    weight,
    scoredWeight: scores ? weight : 0,
    trustedWeight: scores && trusted ? weight : 0,
    notScoredReason: reason,
    messageKey: messageKey(report, recipient),
    warnings: [...attribution.warnings, ...(proofs.warnings ?? [])],
  });
}

/** The subjects reports move, summed: an IP, its tenant, the tenant's unregistered-domain mail. */
export function scoreDeltas(rows: ReportRow[]): ScoreDelta[] {
  const sums = new Map<string, ScoreDelta>();
  const add = (subjectType: ScoreDelta['subjectType'], subject: string, r: ReportRow) => {
    const key = `${subjectType}\u0000${subject}`;
    const d = sums.get(key) ?? { subjectType, subject, complaints: 0, trusted: 0, reports: 0 };
    d.complaints += r.scoredWeight;
    d.trusted += r.trustedWeight;
    d.reports += 1;
    sums.set(key, d);
  };
  for (const r of rows) {
    if (r.status !== 'scored' || (r.scoredWeight === 0 && r.trustedWeight === 0)) continue;
    if (r.ip) add('ip', r.ip, r);
    if (r.tenantId) add('tenant', r.tenantId, r);
    if (r.tenantId && r.senderDomainRegistered === false) add('tenant_unregistered', r.tenantId, r);
  }
  return [...sums.values()];
}
