import { addWarning, cleanText, MAX_LIST_ITEMS, pushBounded } from './bounds.ts';
import { normaliseFeedbackType } from './feedback-type.ts';
import { type HeaderField, splitHeaderFields } from './header-fields.ts';
import { ipInFieldValue } from './ip-address.ts';
import { parseMailDate } from './mail-date.ts';
import { addressIn, cleanDomain } from './mailbox-address.ts';
import type { ParsedReport } from './types.ts';

/** What the machine-readable part of an ARF report (RFC 5965 §3.1, RFC 6591 §3.1) says: those fields of the report. */
export type FeedbackFields = Pick<
  ParsedReport,
  | 'feedbackType'
  | 'rawFeedbackType'
  | 'userAgent'
  | 'version'
  | 'originalMailFrom'
  | 'originalRcptTo'
  | 'arrivalDate'
  | 'rawArrivalDate'
  | 'reportingMta'
  | 'sourceIp'
  | 'sourcePort'
  | 'incidents'
  | 'reportedDomains'
  | 'reportedUris'
  | 'authenticationResults'
  | 'authFailure'
  | 'dkimDomain'
  | 'warnings'
>;

// Fields RFC 5965 allows once. A second occurrence is ignored: the first is what the
// generator meant, and a later one is as likely to be an injection as a correction.
const SINGLE = new Set([
  'feedback-type',
  'user-agent',
  'version',
  'original-mail-from',
  'arrival-date',
  'received-date',
  'reporting-mta',
  'source-ip',
  'source-port',
  'incidents',
  'authentication-results',
  'auth-failure',
  'dkim-domain',
]);

function withoutAngles(value: string): string {
  return value.replace(/^<\s*/, '').replace(/\s*>$/, '');
}

function smallInteger(value: string, max: number): number | undefined {
  if (!/^\d{1,10}$/.test(value)) return undefined;
  const number = Number(value);
  return number <= max ? number : undefined;
}

/** Reads the body of a message/feedback-report part: a block of folded fields. */
export function readFeedbackBlock(text: string): FeedbackFields {
  const block = splitHeaderFields(text, { skipLeadingBlankLines: true });
  const fields = readFeedbackFields(block.fields);
  if (block.truncated) addWarning(fields.warnings, 'arf.feedback_block_truncated');
  return fields;
}

/** Interprets feedback fields, names already lower-cased (so `Source-Ip` works as well). */
export function readFeedbackFields(fields: readonly HeaderField[]): FeedbackFields {
  const warnings: string[] = [];
  const result: FeedbackFields = {
    feedbackType: 'abuse',
    originalRcptTo: [],
    reportedDomains: [],
    reportedUris: [],
    warnings,
  };
  const seen = new Set<string>();
  let rawFeedbackType: string | undefined;

  for (const [name, rawValue] of fields) {
    if (SINGLE.has(name)) {
      // Received-Date is the older name of Arrival-Date (draft ARF, still sent by some FBLs).
      const key = name === 'received-date' ? 'arrival-date' : name;
      if (seen.has(key)) {
        addWarning(warnings, 'arf.repeated_field');
        continue;
      }
      seen.add(key);
    }
    const value = cleanText(rawValue);
    switch (name) {
      case 'feedback-type':
        rawFeedbackType = value;
        break;
      case 'user-agent':
        if (value) result.userAgent = value;
        break;
      case 'version':
        if (value) result.version = value;
        break;
      case 'original-mail-from': {
        const address = addressIn(value);
        const written = withoutAngles(value);
        if (address ?? written) result.originalMailFrom = address ?? written;
        break;
      }
      case 'original-rcpt-to': {
        // Checked before the value is read: a report with a million recipients costs no more.
        if (result.originalRcptTo.length >= MAX_LIST_ITEMS) {
          addWarning(warnings, 'arf.too_many_values');
          break;
        }
        const recipient = addressIn(value) ?? withoutAngles(value);
        if (recipient) result.originalRcptTo.push(recipient);
        break;
      }
      case 'arrival-date':
      case 'received-date': {
        const iso = parseMailDate(value);
        if (iso) result.arrivalDate = iso;
        else if (value) {
          result.rawArrivalDate = value;
          addWarning(warnings, 'arf.bad_arrival_date');
        }
        break;
      }
      case 'reporting-mta': {
        // "dns; mail.example.com" (RFC 3464 mta-name-type; MTA name)
        const mta = value.includes(';') ? value.slice(value.indexOf(';') + 1).trim() : value;
        if (mta) result.reportingMta = mta;
        break;
      }
      case 'source-ip': {
        const ip = ipInFieldValue(value);
        if (ip) result.sourceIp = ip;
        else addWarning(warnings, 'arf.bad_source_ip');
        break;
      }
      case 'source-port': {
        const port = smallInteger(value, 65535);
        if (port === undefined) addWarning(warnings, 'arf.bad_source_port');
        else result.sourcePort = port;
        break;
      }
      case 'incidents': {
        const incidents = smallInteger(value, 2 ** 31 - 1);
        if (incidents === undefined || incidents === 0) addWarning(warnings, 'arf.bad_incidents');
        else result.incidents = incidents;
        break;
      }
      case 'reported-domain': {
        const domain = cleanDomain(value);
        if (!domain) addWarning(warnings, 'arf.bad_reported_domain');
        else if (!result.reportedDomains.includes(domain) && !pushBounded(result.reportedDomains, domain)) {
          addWarning(warnings, 'arf.too_many_values');
        }
        break;
      }
      case 'reported-uri': {
        const uri = withoutAngles(value);
        if (uri && !pushBounded(result.reportedUris, uri)) addWarning(warnings, 'arf.too_many_values');
        break;
      }
      case 'authentication-results':
        if (value) result.authenticationResults = value;
        break;
      case 'auth-failure':
        if (value) result.authFailure = value.toLowerCase();
        break;
      case 'dkim-domain': {
        const domain = cleanDomain(value);
        if (domain) result.dkimDomain = domain;
        break;
      }
      // Removal-Recipient (RFC 5965 draft, opt-out reports), Redacted-Address (SMP-FBL) and the
      // many vendor fields (Abuse-Type, Source, Subscription-Link, Delivery-Result, ...) are
      // tolerated and not kept.
    }
  }

  if (rawFeedbackType === undefined || rawFeedbackType === '') {
    // RFC 5965 requires Feedback-Type; a generator that leaves it out is almost always an FBL
    // relaying a "this is spam" click, so the report is kept as abuse, with a warning.
    addWarning(warnings, 'arf.missing_feedback_type');
  } else {
    const { feedbackType, unknown } = normaliseFeedbackType(rawFeedbackType);
    result.feedbackType = feedbackType;
    if (rawFeedbackType !== feedbackType) result.rawFeedbackType = rawFeedbackType;
    if (unknown) addWarning(warnings, 'arf.unknown_feedback_type');
  }
  if (!result.version) addWarning(warnings, 'arf.missing_version');
  if (!result.userAgent) addWarning(warnings, 'arf.missing_user_agent');
  return result;
}
