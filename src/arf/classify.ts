import type { DmarcTextFields } from './dmarc-text-report.ts';
import { type MailView, topField } from './mail-view.ts';
import type { SpamcopFields } from './spamcop-report.ts';
import type { IgnoredReason } from './types.ts';
import type { XarfFields } from './xarf-fields.ts';

/** What kind of message reached the abuse desk. */
export type MessageKind =
  | { kind: 'arf' }
  | { kind: 'x-arf'; fields: XarfFields }
  | { kind: 'spamcop'; fields: SpamcopFields }
  | { kind: 'dmarc-text'; fields: DmarcTextFields }
  | { kind: 'jmrp' }
  | { kind: 'forward' }
  | { kind: 'ignored'; reason: IgnoredReason; detail: string };

/** Facts about the message that cost something to find out, asked for only when needed. */
export interface ClassifyFacts {
  hasFeedbackPart: boolean;
  /** An attached copy of a message: the sender is showing us something. */
  hasAttachedOriginal: () => boolean;
  /** An inline forward block or pasted headers in the body. */
  hasInlineOriginal: () => boolean;
  /** A provider's complaint without a feedback part (Microsoft JMRP). */
  jmrpLike: () => boolean;
  /** What an X-ARF report (YAML or JSON) says, if the message is one. */
  xarf: () => XarfFields | undefined;
  /** What a SpamCop report says, if the message is one. */
  spamcop: () => SpamcopFields | undefined;
  /** What an Exim-style plain-text DMARC failure report says, if the message is one. */
  dmarcText: () => DmarcTextFields | undefined;
}

const DSN_REPORT_TYPES = new Set(['delivery-status', 'global-delivery-status']);
const DSN_PART_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const MDN_PART_TYPES = new Set([
  'message/disposition-notification',
  'message/global-disposition-notification',
]);

// Bounces that are not RFC 3464 DSNs (qmail, old Exim, Exchange NDRs turned into plain text):
// what their subjects start with.
const BOUNCE_SUBJECT =
  /^\s*(?:undeliver(?:ed|able)\b|delivery (?:status notification|failure|has failed|report)|mail delivery (?:failed|failure|subsystem|system)|returned mail\b|failure notice|non[- ]?delivery|message (?:not delivered|delivery failure)|could not send message|delayed mail|warning: (?:could not send|message .* delayed)|nondeliverable)/i;
const DAEMON_SENDER = /^(?:mailer-daemon|mail-daemon|mailerdaemon|mail\.daemon)@/i;

// RFC 3834 §3.1.7 leaves Subject free, so out-of-office replies are also known by their subjects,
// in the languages Exchange, Gmail and the common webmails use.
const AUTO_REPLY_SUBJECT =
  /^\s*(?:auto(?:matic|matische|matisch|matica|mática)?[\s-]*(?:reply|response|antwort|antwoord|risposta|respuesta|resposta|réponse)|auto(?:reply|response|respond)|auto:|réponse automatique|risposta automatica|respuesta automática|resposta automática|out of (?:the )?office|abwesenheitsnotiz|abwesend|on vacation|vacation reply|away from (?:the |my )?(?:office|desk)|away until\b|i am (?:currently )?(?:out of|away)|autosvar|automaattinen vastaus|自動応答|自动回复)/i;

const UNSUBSCRIBE_SUBJECT =
  /^\s*(?:unsubscribe|opt[\s-]?out|remove me|abmelden|désabonner|désinscription|darse de baja)\b/i;

function deliveryStatusDetail(view: MailView): string | undefined {
  if (view.reportType && DSN_REPORT_TYPES.has(view.reportType))
    return `multipart/report; report-type=${view.reportType}`;
  const part = view.parts.find((candidate) => DSN_PART_TYPES.has(candidate.contentType));
  return part ? `a ${part.contentType} part` : undefined;
}

function dispositionNotificationDetail(view: MailView): string | undefined {
  if (view.reportType === 'disposition-notification')
    return 'a read receipt (report-type=disposition-notification)';
  const part = view.parts.find((candidate) => MDN_PART_TYPES.has(candidate.contentType));
  return part ? `a read receipt (${part.contentType})` : undefined;
}

function isNullSender(view: MailView): boolean {
  const returnPath = topField(view, 'return-path');
  return returnPath !== undefined && /^<\s*>$/.test(returnPath.trim());
}

function bounceDetail(view: MailView): string | undefined {
  if (topField(view, 'x-failed-recipients') !== undefined) return 'X-Failed-Recipients';
  if (/^true$/i.test(topField(view, 'x-ms-exchange-message-is-ndr') ?? ''))
    return 'an Exchange non-delivery report';
  if (view.from && DAEMON_SENDER.test(view.from)) return `sent by ${view.from}`;
  if (BOUNCE_SUBJECT.test(view.subject)) {
    const autoSubmitted = topField(view, 'auto-submitted');
    const automatic = autoSubmitted !== undefined && !/^\s*no\b/i.test(autoSubmitted);
    if (isNullSender(view) || automatic || /^postmaster@/i.test(view.from ?? ''))
      return `subject "${view.subject.slice(0, 80)}"`;
  }
  return undefined;
}

function unsubscribeDetail(view: MailView, facts: ClassifyFacts): string | undefined {
  // Apple Mail's one-click unsubscribe sends a message marked with this header.
  if (/^\s*(?:true|yes|1)\b/i.test(topField(view, 'x-apple-unsubscribe') ?? '')) return 'X-Apple-Unsubscribe';
  if (UNSUBSCRIBE_SUBJECT.test(view.subject) && !facts.hasAttachedOriginal() && !facts.hasInlineOriginal()) {
    return `subject "${view.subject.slice(0, 80)}"`;
  }
  return undefined;
}

function autoReplyDetail(view: MailView, facts: ClassifyFacts): string | undefined {
  // A copy of a message attached is report content, whatever the headers say: Exim's DMARC
  // failure reports, for one, are marked auto-replied.
  if (facts.hasAttachedOriginal()) return undefined;
  // RFC 3834 §5: auto-replied marks a reply (vacation, out of office); auto-generated marks any
  // other automatic message, which is what feedback loops, X-ARF senders and SpamCop send.
  const autoSubmitted = topField(view, 'auto-submitted');
  if (autoSubmitted !== undefined && /^\s*auto-replied\b/i.test(autoSubmitted))
    return `Auto-Submitted: ${autoSubmitted.slice(0, 40)}`;
  for (const name of ['x-autoreply', 'x-autorespond', 'x-auto-reply', 'x-autoresponder', 'x-vacation']) {
    const value = topField(view, name);
    if (value !== undefined && !/^\s*(?:no|false|0)\b/i.test(value)) return name;
  }
  for (const name of ['precedence', 'x-precedence']) {
    if (/^\s*auto[_-]?reply\b/i.test(topField(view, name) ?? '')) return `${name}: auto_reply`;
  }
  if (/^\s*reply\b/i.test(topField(view, 'x-autogenerated') ?? '')) return 'X-Autogenerated: Reply';
  // Replies quote what they answer: a quoted "-----Original Message-----" is not report content,
  // or an out-of-office would look like a forward.
  if (AUTO_REPLY_SUBJECT.test(view.subject)) {
    return `subject "${view.subject.slice(0, 80)}"`;
  }
  return undefined;
}

/**
 * Tells complaints from the other mail an abuse address gets. Feedback reports come first:
 * they are automatic by nature and often say so (Auto-Submitted: auto-generated), so the
 * auto-reply rules only apply to what is not one.
 */
export function classifyMessage(view: MailView, facts: ClassifyFacts): MessageKind {
  const dsn = deliveryStatusDetail(view);
  if (dsn)
    return { kind: 'ignored', reason: 'ignored.bounce', detail: `delivery status notification: ${dsn}` };
  if (facts.hasFeedbackPart || view.reportType === 'feedback-report') return { kind: 'arf' };
  // The other report formats are machine-written too, and some come from MAILER-DAEMON or say
  // auto-replied: they are told by their content before any bounce or auto-reply rule.
  const xarf = facts.xarf();
  if (xarf) return { kind: 'x-arf', fields: xarf };
  const spamcop = facts.spamcop();
  if (spamcop) return { kind: 'spamcop', fields: spamcop };
  const dmarc = facts.dmarcText();
  if (dmarc) return { kind: 'dmarc-text', fields: dmarc };
  const mdn = dispositionNotificationDetail(view);
  if (mdn) return { kind: 'ignored', reason: 'ignored.auto_reply', detail: mdn };
  if (facts.jmrpLike()) return { kind: 'jmrp' };
  const bounce = bounceDetail(view);
  if (bounce) return { kind: 'ignored', reason: 'ignored.bounce', detail: `bounce: ${bounce}` };
  const unsubscribe = unsubscribeDetail(view, facts);
  if (unsubscribe)
    return { kind: 'ignored', reason: 'ignored.unsubscribe', detail: `unsubscribe notice: ${unsubscribe}` };
  const autoReply = autoReplyDetail(view, facts);
  if (autoReply)
    return { kind: 'ignored', reason: 'ignored.auto_reply', detail: `automatic reply: ${autoReply}` };
  return { kind: 'forward' };
}
