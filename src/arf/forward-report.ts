import { addWarning } from './bounds.ts';
import { type EmbeddedOriginal, isOutlookItem } from './embedded-originals.ts';
import { htmlToText } from './html-text.ts';
import { findInlineForward } from './inline-forward.ts';
import { publicIpInText } from './ip-address.ts';
import type { MailView } from './mail-view.ts';
import {
  originalFromFields,
  type ReadOriginal,
  readOriginalMessage,
  unknownOriginal,
} from './original-message.ts';
import { findPastedHeaders } from './pasted-headers.ts';
import { forwardedSenderDomainOf } from './sender-domain.ts';
import { chooseSourceIp, type NamedIp, receivedDate } from './source-ip.ts';
import type { OriginalMessage, ParsedReport, ParseOutcome } from './types.ts';

/** The body text a person wrote, from the HTML when there is no plain text part. */
export function bodyText(view: MailView): string {
  return view.text.trim() !== '' ? view.text : htmlToText(view.html);
}

/** What an inline forward block, or a pasted header section, tells about the original. */
export function inlineOriginal(view: MailView): ReadOriginal | undefined {
  const text = bodyText(view);
  const fields = findInlineForward(text, view.from) ?? findPastedHeaders(text);
  return fields ? originalFromFields(fields, true) : undefined;
}

/**
 * IPs the forwarding recipient wrote ("spam from 192.0.2.1" in the subject or the text): used
 * only when the original has no Received chain to tell.
 */
function writtenIps(view: MailView): NamedIp[] {
  const ips: NamedIp[] = [];
  const inSubject = publicIpInText(view.subject);
  if (inSubject) ips.push({ ip: inSubject, origin: 'subject' });
  const inText = publicIpInText(bodyText(view));
  if (inText) ips.push({ ip: inText, origin: 'text' });
  return ips;
}

function forwardReport(
  view: MailView,
  original: OriginalMessage,
  warnings: string[],
  guesses: readonly NamedIp[],
  originalBytes?: Buffer,
): ParsedReport {
  return {
    format: 'forward',
    evidence: 'complaint',
    feedbackType: 'abuse',
    originalRcptTo: [],
    arrivalDate: receivedDate(original),
    ...chooseSourceIp(original, [], guesses),
    reportedDomains: [],
    reportedUris: [],
    reporter: view.from,
    senderDomain: forwardedSenderDomainOf(original),
    original,
    originalBytes,
    warnings,
  };
}

/**
 * A recipient forwarding junk: each attached message is one report; without one, the forward
 * itself is one, with what an inline forward block tells.
 */
export function forwardReports(
  view: MailView,
  originals: readonly EmbeddedOriginal[],
  maxReports: number,
): ParseOutcome {
  const shared: string[] = [];
  if (view.parts.some(isOutlookItem)) addWarning(shared, 'forward.unsupported_attachment');
  const guesses = writtenIps(view);
  if (originals.length > 0) {
    if (originals.length > maxReports) addWarning(shared, 'forward.too_many_attachments');
    const reads = originals.slice(0, maxReports).map((embedded) => ({
      embedded,
      read: readOriginalMessage(embedded.content, embedded.headersOnly),
    }));
    // A message sent as two attachments, its header section and its body: the body alone is
    // not another message, so it is not another report.
    const withHeaders = reads.filter(({ read }) => !read.warnings.includes('original.no_headers'));
    const kept = withHeaders.length > 0 ? withHeaders : reads.slice(0, 1);
    const reports = kept.map(({ embedded, read }) => {
      const warnings = [...shared];
      for (const code of read.warnings) addWarning(warnings, code);
      return forwardReport(view, read.original, warnings, guesses, embedded.content);
    });
    return { status: 'reports', reports };
  }
  const inline = inlineOriginal(view);
  if (inline)
    return {
      status: 'reports',
      reports: [forwardReport(view, inline.original, [...shared, ...inline.warnings], guesses)],
    };
  if (bodyText(view).trim() === '' && shared.length === 0) {
    // A well-formed message with nothing in it is not a parse failure, and there is nothing to
    // score: kept as ignored so the trust team can still see it arrived.
    return {
      status: 'ignored',
      reason: 'ignored.empty',
      detail: 'no attached message, no forwarded text and no body',
    };
  }
  const warnings = [...shared];
  addWarning(warnings, 'forward.no_original');
  return { status: 'reports', reports: [forwardReport(view, unknownOriginal(), warnings, guesses)] };
}
