import { cleanText } from './bounds.ts';
import type { EmbeddedOriginal } from './embedded-originals.ts';
import { ipInFieldValue } from './ip-address.ts';
import { parseMailDate } from './mail-date.ts';
import { type MailView, topField } from './mail-view.ts';
import { readReportedOriginal } from './original-message.ts';
import { senderDomainOf } from './sender-domain.ts';
import { chooseSourceIp, namedIp, receivedDate } from './source-ip.ts';
import type { ParsedReport, ParseOutcome } from './types.ts';

// SpamCop (spamcop.net) reports what its users submit to the abuse contact of the network that
// sent it, from <id>@reports.spamcop.net:
//   Subject: [SpamCop (192.0.2.1) id:7283950301]<the spam's subject>
//   [ SpamCop V5.2.0 ]            (older: "- SpamCop V1.3.4 -")
//   This message is brief for your comfort.  Please use links below for details.
//
//   Email from 192.0.2.1 / Mon, 23 Nov 2026 10:00:00 +0000
//   http://www.spamcop.net/w3m?i=z7283950301z...
//
//   [ Offending message ]
//   Return-Path: ...              (the spam inline, or attached as message/rfc822)
// A report about a web site advertised in spam says "Spamvertised web site: <url>" and
// "<host> is <ip>; <date>": that IP hosts the site, it did not send the mail.
// SpamCop's ARF reports (message/feedback-report) are read as any other ARF report.

const SUBJECT = /^\s*\[SpamCop \(([^)\s]{2,60})\) id:(\d{1,20})\]/i;
const SPAMCOP_SENDER = /@(?:[a-z0-9-]+\.)*spamcop\.net$/i;
// Line patterns start with [ \t]*, never \s*: with the m flag, \s* would run across line breaks
// from every line start, and a text of blank lines would cost quadratic time.
const EMAIL_FROM = /^[ \t]*(?:Email|Unsolicited bounce) from[ \t]+(\S{2,60})[ \t]*\/[ \t]*(.{0,100})$/im;
const SPAMVERTISED = /^[ \t]*Spamvertised web site:[ \t]*(\S{1,2000})/im;
const OFFENDING_MESSAGE = /^[ \t]*\[ Offending message \][ \t]*$/m;
const VERSION_LINE = /^[ \t]*[[-][ \t]*SpamCop (v[\d.]{1,20})[ \t]*[\]-][ \t]*$/im;
/** How much of the text the report lines are looked for in: they come first. */
const SUMMARY_CHARS = 16 * 1024;

export interface SpamcopFields {
  /** The IP SpamCop found the spam came from. */
  emailFromIp?: string;
  emailFromDate?: string;
  subjectIp?: string;
  headerIp?: string;
  spamvertisedUri?: string;
  version?: string;
  /** The spam as SpamCop quoted it after "[ Offending message ]". */
  inline?: Buffer;
}

/** The SpamCop report a message is, or undefined when it is not one. */
export function findSpamcop(view: MailView): SpamcopFields | undefined {
  const subject = SUBJECT.exec(view.subject.slice(0, 500));
  const summary = view.text.slice(0, SUMMARY_CHARS);
  const fromSpamcop = SPAMCOP_SENDER.test(view.from ?? '');
  const emailFrom = EMAIL_FROM.exec(summary);
  const spamvertised = SPAMVERTISED.exec(summary);
  const marker = OFFENDING_MESSAGE.exec(view.text);
  // SpamCop's own subject, or its sender with the lines only its reports have.
  if (!subject && !(fromSpamcop && (emailFrom || spamvertised || marker))) return undefined;
  const fields: SpamcopFields = {};
  const set = <K extends keyof SpamcopFields>(name: K, value: SpamcopFields[K] | undefined) => {
    if (value !== undefined) fields[name] = value;
  };
  set('emailFromIp', emailFrom ? ipInFieldValue(emailFrom[1]!) : undefined);
  set('emailFromDate', emailFrom?.[2]?.trim() || undefined);
  set('subjectIp', subject ? ipInFieldValue(subject[1]!) : undefined);
  const header = topField(view, 'x-spamcop-sourceip');
  set('headerIp', header ? ipInFieldValue(header) : undefined);
  set('spamvertisedUri', spamvertised ? cleanText(spamvertised[1]!) : undefined);
  set('version', VERSION_LINE.exec(summary)?.[1]);
  if (marker) {
    const after = view.text.slice(marker.index + marker[0].length).replace(/^\s*\n/, '');
    if (after.trim() !== '') fields.inline = Buffer.from(after, 'utf8');
  }
  return fields;
}

/** The report of a SpamCop message: one, about the spam it quotes or attaches. */
export function spamcopReports(
  view: MailView,
  fields: SpamcopFields,
  attached: readonly EmbeddedOriginal[],
): ParseOutcome {
  const quoted: EmbeddedOriginal[] = fields.inline ? [{ content: fields.inline, headersOnly: false }] : [];
  const { original, warnings, originalBytes } = readReportedOriginal(attached.length > 0 ? attached : quoted);
  // A spamvertised-site report names the web host's IP: not a sender, so not a source IP.
  const named = fields.spamvertisedUri
    ? []
    : [
        namedIp(fields.emailFromIp, 'text'),
        namedIp(fields.subjectIp, 'subject'),
        namedIp(fields.headerIp, 'text'),
      ];
  const report: ParsedReport = {
    format: 'spamcop',
    evidence: 'complaint',
    feedbackType: 'abuse',
    userAgent: fields.version ? `SpamCop ${fields.version}` : 'SpamCop',
    originalRcptTo: [],
    arrivalDate: parseMailDate(fields.emailFromDate) ?? receivedDate(original),
    ...chooseSourceIp(original, named),
    reportedDomains: [],
    reportedUris: fields.spamvertisedUri ? [fields.spamvertisedUri] : [],
    reporter: view.from,
    senderDomain: senderDomainOf(undefined, original),
    original,
    originalBytes,
    warnings,
  };
  return { status: 'reports', reports: [report] };
}
