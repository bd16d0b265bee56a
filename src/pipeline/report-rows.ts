import type { ParsedReport } from '../arf/types.ts';
import type { Attribution } from '../attribution/attribute.ts';
import type { Queryable } from '../db/client.ts';
import type { EvidenceLevel } from '../evidence/evidence-level.ts';

export type ReportStatus = 'scored' | 'unattributed' | 'evidence';

/** What one report row holds, in the column order of the insert. */
export interface ReportRow {
  seq: number;
  status: ReportStatus;
  format: string;
  feedbackType: string;
  rawFeedbackType: string | null;
  reporter: string | null;
  reporterDomain: string | null;
  sourceIp: string | null;
  sourceIpOrigin: string | null;
  sourcePort: number | null;
  originalMailFrom: string | null;
  originalRcptTo: string[];
  originalFrom: string | null;
  senderDomain: string | null;
  arrivalDate: Date | null;
  messageId: string | null;
  subject: string | null;
  userAgent: string | null;
  version: string | null;
  reportingMta: string | null;
  incidents: number | null;
  reportedDomains: string[];
  reportedUris: string[];
  authFailure: string | null;
  dkimDomain: string | null;
  authenticationResults: string | null;
  tenantId: string | null;
  ip: string | null;
  attributionMethod: string;
  tenantHeaderStatus: string | null;
  senderDomainRegistered: boolean | null;
  evidenceLevel: EvidenceLevel;
  evidenceDetail: string | null;
  weight: number;
  /** Added to the subjects' complaint weight (all evidence). */
  scoredWeight: number;
  /** Added to their trusted complaint weight (verified and partner evidence), which blocks. */
  trustedWeight: number;
  notScoredReason: string | null;
  warnings: string[];
  /** The reported message's key (one complaint per message); not a column. */
  messageKey: Buffer | null;
  /** Set once the row is written. */
  insertedId?: number;
}

/** Row fields that are not columns of `reports`. */
const NOT_COLUMNS = new Set(['insertedId', 'messageKey']);

const validDate = (s: string | undefined): Date | null => {
  if (!s) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
};

const domainOf = (address: string | null | undefined): string | null => {
  const at = address?.lastIndexOf('@') ?? -1;
  return address && at >= 0 ? address.slice(at + 1).toLowerCase() || null : null;
};

export function reportStatus(report: ParsedReport, a: Attribution): ReportStatus {
  if (report.evidence === 'auth-evidence') return 'evidence';
  return a.tenantId || a.ip ? 'scored' : 'unattributed';
}

/** Who brought the message in: the partner token's name, the envelope sender of mail, the import's --reporter. */
export interface InboundOrigin {
  channel: string;
  reporter: string | null;
}

export interface Scoring {
  weight: number;
  scoredWeight: number;
  trustedWeight: number;
  notScoredReason: string | null;
  messageKey: Buffer | null;
  /** Codes from attribution and the proof checks, added to the parser's. */
  warnings: string[];
}

export function toReportRow(
  seq: number,
  report: ParsedReport,
  a: Attribution,
  inbound: InboundOrigin,
  scoring: Scoring,
): ReportRow {
  const reporter = report.reporter ?? inbound.reporter;
  // The claimed-evidence cap keys on the domain of the envelope sender when mail brought the
  // report: the From of a message is whatever its writer typed.
  const envelopeSender = inbound.channel === 'imap' ? inbound.reporter : null;
  const warnings = [...report.warnings];
  for (const w of scoring.warnings) if (!warnings.includes(w)) warnings.push(w);
  return {
    seq,
    status: reportStatus(report, a),
    format: report.format,
    feedbackType: report.feedbackType,
    rawFeedbackType: report.rawFeedbackType ?? null,
    reporter,
    reporterDomain: domainOf(envelopeSender) ?? domainOf(reporter),
    sourceIp: a.sourceIp,
    sourceIpOrigin: a.sourceIp ? (report.sourceIpOrigin ?? 'received') : null,
    sourcePort: report.sourcePort ?? null,
    originalMailFrom: report.originalMailFrom ?? null,
    originalRcptTo: report.originalRcptTo,
    originalFrom: report.original.from ?? null,
    senderDomain: report.senderDomain ?? null,
    arrivalDate: validDate(report.arrivalDate),
    messageId: report.original.messageId ?? null,
    subject: report.original.subject ?? null,
    userAgent: report.userAgent ?? null,
    version: report.version ?? null,
    reportingMta: report.reportingMta ?? null,
    incidents: report.incidents ?? null,
    reportedDomains: report.reportedDomains,
    reportedUris: report.reportedUris,
    authFailure: report.authFailure ?? null,
    dkimDomain: report.dkimDomain ?? null,
    authenticationResults: report.authenticationResults ?? null,
    tenantId: a.tenantId,
    ip: a.ip,
    attributionMethod: a.method,
    tenantHeaderStatus: a.tenantHeaderStatus,
    senderDomainRegistered: a.senderDomainRegistered,
    evidenceLevel: a.evidence.level,
    evidenceDetail: a.evidence.detail,
    weight: scoring.weight,
    scoredWeight: scoring.scoredWeight,
    trustedWeight: scoring.trustedWeight,
    notScoredReason: scoring.notScoredReason,
    warnings: warnings.slice(0, 50),
    messageKey: scoring.messageKey,
  };
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** All of a batch's reports in one multi-row insert (raw SQL: the pipeline's hot path). Ids in input order. */
export async function insertReports(
  tx: Queryable,
  items: Array<{ row: ReportRow; inboundId: number; channel: string }>,
): Promise<Array<{ id: number }>> {
  if (items.length === 0) return [];
  const records = items.map(({ row, inboundId, channel }) => {
    const record: Record<string, unknown> = { inbound_id: inboundId, channel };
    for (const [k, v] of Object.entries(row)) if (!NOT_COLUMNS.has(k)) record[snake(k)] = v;
    return record;
  });
  const columns = Object.keys(records[0]!);
  // RETURNING follows the VALUES order for a plain multi-row insert.
  return tx<Array<{ id: number }>>`insert into reports ${tx(records as never, columns)} returning id`;
}
