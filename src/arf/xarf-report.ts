import { addWarning, cleanText, MAX_VALUE_CHARS } from './bounds.ts';
import type { EmbeddedOriginal } from './embedded-originals.ts';
import { ipInFieldValue } from './ip-address.ts';
import { parseMailDate } from './mail-date.ts';
import type { MailView } from './mail-view.ts';
import { addressIn, cleanDomain } from './mailbox-address.ts';
import { readReportedOriginal } from './original-message.ts';
import { senderDomainOf } from './sender-domain.ts';
import { chooseSourceIp, namedIp, receivedDate } from './source-ip.ts';
import type { FeedbackType, ParsedReport, ParseOutcome } from './types.ts';
import type { XarfFields } from './xarf-fields.ts';

// X-ARF types and categories are about any abuse (login attacks, port scans, DDoS); only some
// are about mail. Report-Type is the finer word, Category the coarser: spam is abuse,
// phishing and fraud are fraud, malware is virus, and everything else is other.
const TYPE_WORDS: Array<[RegExp, FeedbackType]> = [
  [/spam/, 'abuse'],
  [/phish|fraud|scam/, 'fraud'],
  [/malware|virus/, 'virus'],
];

function feedbackTypeOf(fields: XarfFields): FeedbackType {
  for (const written of [fields.reportType, fields.category]) {
    const word = written?.toLowerCase() ?? '';
    for (const [pattern, type] of TYPE_WORDS) if (pattern.test(word)) return type;
  }
  return 'other';
}

function smallPort(value: string | undefined): number | undefined {
  const first = /^\s*(\d{1,5})\b/.exec(value ?? '');
  const port = first ? Number(first[1]) : Number.NaN;
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** What the X-ARF Source names: an IP, or a URI or domain the report is about. */
function readSource(fields: XarfFields): { ip?: string; uri?: string; domain?: string } {
  const source = fields.source?.trim();
  if (!source) return {};
  const type = fields.sourceType?.toLowerCase() ?? '';
  if (/uri|url/.test(type) || /^[a-z][a-z0-9+.-]*:\/\//i.test(source))
    return { uri: cleanText(source, MAX_VALUE_CHARS) };
  const ip = ipInFieldValue(source);
  if (ip) return { ip };
  const domain = /domain|host/.test(type) ? cleanDomain(source) : undefined;
  return domain ? { domain } : {};
}

/** The report of an X-ARF message: one, whatever the version. */
export function xarfReports(
  view: MailView,
  fields: XarfFields,
  attached: readonly EmbeddedOriginal[],
): ParseOutcome {
  const { original, warnings, originalBytes } = readReportedOriginal([...fields.originals, ...attached]);

  const source = readSource(fields);
  if (!source.ip && !source.uri && !source.domain) addWarning(warnings, 'xarf.bad_source');
  const arrivalDate = parseMailDate(fields.date);
  if (fields.date && !arrivalDate) addWarning(warnings, 'arf.bad_arrival_date');
  if (!fields.reportType && !fields.category) addWarning(warnings, 'arf.missing_feedback_type');
  const feedbackType = feedbackTypeOf(fields);
  const written = fields.reportType ?? fields.category;
  const mailFrom = addressIn(fields.mailFrom);
  const rcptTo = addressIn(fields.rcptTo);
  const report: ParsedReport = {
    format: 'x-arf',
    evidence: 'complaint',
    feedbackType,
    rawFeedbackType: written && written !== feedbackType ? cleanText(written, 200) : undefined,
    userAgent: fields.userAgent ? cleanText(fields.userAgent) : undefined,
    version: fields.version ? cleanText(fields.version, 200) : undefined,
    originalMailFrom: mailFrom,
    originalRcptTo: rcptTo ? [rcptTo] : [],
    arrivalDate: arrivalDate ?? receivedDate(original),
    rawArrivalDate: fields.date && !arrivalDate ? cleanText(fields.date, 200) : undefined,
    ...chooseSourceIp(original, [namedIp(source.ip, 'arf')]),
    sourcePort: smallPort(fields.port),
    reportedDomains: source.domain ? [source.domain] : [],
    reportedUris: source.uri ? [source.uri] : [],
    reporter: view.from ?? addressIn(fields.reportedFrom)?.toLowerCase(),
    senderDomain: senderDomainOf(mailFrom, original),
    original,
    originalBytes,
    warnings,
  };
  return { status: 'reports', reports: [report] };
}
