import type { EmbeddedOriginal } from './embedded-originals.ts';
import { ipInFieldValue } from './ip-address.ts';
import { parseMailDate } from './mail-date.ts';
import type { MailView } from './mail-view.ts';
import { cleanDomain } from './mailbox-address.ts';
import { readReportedOriginal } from './original-message.ts';
import { senderDomainOf } from './sender-domain.ts';
import { chooseSourceIp, namedIp, receivedDate } from './source-ip.ts';
import type { ParsedReport, ParseOutcome } from './types.ts';

// Exim's DMARC support (and so every cPanel server) sends failure reports as plain text, with
// no message/feedback-report part, from MAILER-DAEMON unless configured otherwise, marked
// Auto-Submitted: auto-replied (Exim src/moan.c, ERRMESS_DMARC_FORENSIC):
//   Subject: DMARC Forensic Report for example.org from IP 192.0.2.1
//
//   A message claiming to be from you has failed the published DMARC
//   policy for your domain.
//
//     Sender Domain: example.org
//     Sender IP Address: 192.0.2.1
//     Received Date: Fri, 20 Nov 2026 09:00:00 +0000
//     SPF Alignment: no
//     DKIM Alignment: no
//     DMARC Results: Reject
//
//   ------ This is a copy of the headers that were received before the error
//          was detected.
//
//   <the failing message's header section>
// It is evidence about mail claiming the domain, like an RFC 6591 report, not a complaint.

const SUBJECT = /\bDMARC (?:Forensic|Failure) Report for (\S{1,253}) from IP (\S{2,60})/i;
const CLAIM = /failed the published DMARC/i;
const FIELD_LINE =
  /^[ \t]*(Sender Domain|Sender IP Address|Received Date|SPF Alignment|DKIM Alignment|DMARC Results)[ \t]*:[ \t]*(.{0,300})$/gim;
const COPY_MARKER = /^[ \t]*-{2,}[ \t]*This is a copy of (?:the headers|your message)[^\n]*$/im;
/** The report lines come first; the copy of the headers follows them. */
const SUMMARY_CHARS = 16 * 1024;

export interface DmarcTextFields {
  senderDomain?: string;
  senderIp?: string;
  subjectIp?: string;
  receivedDate?: string;
  /** The copy of the failing message's header section. */
  headers?: Buffer;
}

/** What an Exim-style DMARC failure report says, or undefined when the message is not one. */
export function findDmarcTextReport(view: MailView): DmarcTextFields | undefined {
  const subject = SUBJECT.exec(view.subject.slice(0, 500));
  const summary = view.text.slice(0, SUMMARY_CHARS);
  const values = new Map<string, string>();
  for (const match of summary.matchAll(FIELD_LINE)) {
    const name = match[1]!.toLowerCase();
    if (!values.has(name)) values.set(name, match[2]!.trim());
  }
  if (!subject && !(CLAIM.test(summary) && values.has('sender ip address'))) return undefined;
  const fields: DmarcTextFields = {};
  const domain = cleanDomain(values.get('sender domain') ?? subject?.[1] ?? '');
  if (domain) fields.senderDomain = domain;
  const senderIp = ipInFieldValue(values.get('sender ip address') ?? '');
  if (senderIp) fields.senderIp = senderIp;
  const subjectIp = subject ? ipInFieldValue(subject[2]!) : undefined;
  if (subjectIp) fields.subjectIp = subjectIp;
  const received = values.get('received date');
  if (received) fields.receivedDate = received;
  const marker = COPY_MARKER.exec(view.text);
  if (marker) {
    // Past the marker, its indented continuation ("       was detected.") and blank lines.
    const rest = view.text.slice(marker.index + marker[0].length).split('\n');
    let first = 0;
    while (first < rest.length && (rest[first]!.trim() === '' || /^[ \t]/.test(rest[first]!))) first += 1;
    const headers = rest.slice(first).join('\n');
    if (headers.trim() !== '') fields.headers = Buffer.from(headers, 'utf8');
  }
  return fields;
}

/** The evidence an Exim-style DMARC failure report gives: one auth-failure report. */
export function dmarcTextReports(
  view: MailView,
  fields: DmarcTextFields,
  attached: readonly EmbeddedOriginal[],
): ParseOutcome {
  const copied: EmbeddedOriginal[] = fields.headers ? [{ content: fields.headers, headersOnly: true }] : [];
  const { original, warnings, originalBytes } = readReportedOriginal(
    attached.length > 0 ? attached : copied,
    ['arf.no_feedback_part'],
  );
  const report: ParsedReport = {
    format: 'arf',
    evidence: 'auth-evidence',
    feedbackType: 'auth-failure',
    authFailure: 'dmarc',
    originalRcptTo: [],
    arrivalDate: parseMailDate(fields.receivedDate) ?? receivedDate(original),
    ...chooseSourceIp(original, [namedIp(fields.senderIp, 'text'), namedIp(fields.subjectIp, 'subject')]),
    reportedDomains: fields.senderDomain ? [fields.senderDomain] : [],
    reportedUris: [],
    reporter: view.from,
    senderDomain: senderDomainOf(undefined, original) ?? fields.senderDomain,
    original,
    originalBytes,
    warnings,
  };
  return { status: 'reports', reports: [report] };
}
