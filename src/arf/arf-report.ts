import { addWarning, MAX_LIST_ITEMS } from './bounds.ts';
import type { EmbeddedOriginal } from './embedded-originals.ts';
import { type FeedbackFields, readFeedbackFields } from './feedback-fields.ts';
import { allFields, type HeaderField, splitHeaderFields } from './header-fields.ts';
import { ipFromComplaintSubject } from './jmrp.ts';
import type { MailPart, MailView } from './mail-view.ts';
import { addressIn } from './mailbox-address.ts';
import { readOriginalMessage, readReportedOriginal, unknownOriginal } from './original-message.ts';
import { senderDomainOf } from './sender-domain.ts';
import { chooseSourceIp, namedIp, receivedDate } from './source-ip.ts';
import type { ParsedReport, ParseOutcome } from './types.ts';

const FEEDBACK_PART = 'message/feedback-report';
const FEEDBACK_TYPE_LINE = /^feedback-type[ \t]*:/im;

function mergeWarnings(...lists: ReadonlyArray<readonly string[]>): string[] {
  const warnings: string[] = [];
  for (const list of lists) for (const code of list) addWarning(warnings, code);
  return warnings;
}

function partHeaderFields(part: MailPart): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const [name, value] of part.headers) {
    if (typeof value === 'string') fields.push([name, value]);
    else if (Array.isArray(value))
      for (const item of value) if (typeof item === 'string') fields.push([name, item]);
  }
  return fields;
}

/** The feedback fields of the report, wherever the generator put them. */
function findFeedbackFields(view: MailView): FeedbackFields | undefined {
  const parts = view.parts.filter((part) => part.contentType === FEEDBACK_PART);
  const part = parts[0];
  if (part) {
    const block = splitHeaderFields(part.content.toString('utf8'), { skipLeadingBlankLines: true });
    let feedback: FeedbackFields;
    const inHeader = partHeaderFields(part);
    if (
      !block.fields.some(([name]) => name === 'feedback-type') &&
      inHeader.some(([name]) => name === 'feedback-type')
    ) {
      // No blank line between the part's MIME header and the fields: they were read as MIME header.
      feedback = readFeedbackFields(inHeader);
      addWarning(feedback.warnings, 'arf.feedback_fields_in_part_header');
    } else {
      feedback = readFeedbackFields(block.fields);
    }
    if (block.truncated) addWarning(feedback.warnings, 'arf.feedback_block_truncated');
    if (parts.length > 1) addWarning(feedback.warnings, 'arf.multiple_feedback_parts');
    return feedback;
  }
  // report-type=feedback-report, but the fields were sent as text/plain.
  const index = view.text.search(FEEDBACK_TYPE_LINE);
  if (index === -1) return undefined;
  const feedback = readFeedbackFields(splitHeaderFields(view.text.slice(index)).fields);
  addWarning(feedback.warnings, 'arf.feedback_part_as_text');
  return feedback;
}

function arfReport(
  view: MailView,
  feedback: FeedbackFields,
  originals: readonly EmbeddedOriginal[],
): ParsedReport {
  const { original, warnings, originalBytes } = readReportedOriginal(originals, feedback.warnings);
  return {
    format: 'arf',
    evidence: feedback.feedbackType === 'auth-failure' ? 'auth-evidence' : 'complaint',
    feedbackType: feedback.feedbackType,
    rawFeedbackType: feedback.rawFeedbackType,
    userAgent: feedback.userAgent,
    version: feedback.version,
    originalMailFrom: feedback.originalMailFrom,
    originalRcptTo: feedback.originalRcptTo,
    arrivalDate: feedback.arrivalDate ?? receivedDate(original),
    rawArrivalDate: feedback.rawArrivalDate,
    reportingMta: feedback.reportingMta,
    ...chooseSourceIp(original, [namedIp(feedback.sourceIp, 'arf')]),
    sourcePort: feedback.sourcePort,
    incidents: feedback.incidents,
    reportedDomains: feedback.reportedDomains,
    reportedUris: feedback.reportedUris,
    authenticationResults: feedback.authenticationResults,
    authFailure: feedback.authFailure,
    dkimDomain: feedback.dkimDomain,
    reporter: view.from,
    senderDomain: senderDomainOf(feedback.originalMailFrom, original),
    original,
    originalBytes,
    warnings,
  };
}

/**
 * Reports from a provider's complaint that has no feedback part (Microsoft JMRP, or an ARF
 * generator that left the part out): each attached original is one abuse report.
 */
export function sparseReports(
  view: MailView,
  originals: readonly EmbeddedOriginal[],
  maxReports: number,
): ParseOutcome {
  // The subject names one IP; with several originals, each has its own Received chain.
  const subjectIp = originals.length <= 1 ? ipFromComplaintSubject(view.subject) : undefined;
  const kept: Array<EmbeddedOriginal | undefined> =
    originals.length === 0 ? [undefined] : originals.slice(0, maxReports);
  const reports = kept.map((embedded): ParsedReport => {
    const read = embedded ? readOriginalMessage(embedded.content, embedded.headersOnly) : undefined;
    const original = read?.original ?? unknownOriginal();
    const warnings = mergeWarnings(['arf.no_feedback_part'], read?.warnings ?? []);
    if (originals.length > maxReports) addWarning(warnings, 'forward.too_many_attachments');
    const originalRcptTo: string[] = [];
    for (const value of allFields(read?.fields ?? [], 'x-hmxmroriginalrecipient')) {
      if (originalRcptTo.length >= MAX_LIST_ITEMS) break;
      const recipient = addressIn(value);
      if (recipient) originalRcptTo.push(recipient);
    }
    return {
      format: 'arf',
      evidence: 'complaint',
      feedbackType: 'abuse',
      originalRcptTo,
      arrivalDate: receivedDate(original),
      ...chooseSourceIp(original, [namedIp(subjectIp, 'subject')]),
      reportedDomains: [],
      reportedUris: [],
      reporter: view.from,
      senderDomain: senderDomainOf(undefined, original),
      original,
      originalBytes: embedded?.content,
      warnings,
    };
  });
  return { status: 'reports', reports };
}

/** The report of a message that has (or says it has) a message/feedback-report part. */
export function arfReports(
  view: MailView,
  originals: readonly EmbeddedOriginal[],
  maxReports: number,
): ParseOutcome {
  const feedback = findFeedbackFields(view);
  if (feedback) return { status: 'reports', reports: [arfReport(view, feedback, originals)] };
  if (originals.length > 0) return sparseReports(view, originals, maxReports);
  return {
    status: 'failed',
    code: 'arf.no_feedback_part',
    message:
      'The message says it is a feedback report but has neither a message/feedback-report part nor the reported message.',
  };
}
