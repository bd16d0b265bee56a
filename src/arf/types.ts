/**
 * What the parser knows about one inbound message. Everything in here was written
 * by strangers: strings are bounded by the parser, never trusted for anything but
 * display and lookup.
 */

export const FEEDBACK_TYPES = ['abuse', 'fraud', 'virus', 'auth-failure', 'not-spam', 'other'] as const;
export type FeedbackType = (typeof FEEDBACK_TYPES)[number];

/** One hop of the embedded message's Received chain, newest (topmost) first. */
export interface ReceivedHop {
  /** IP the receiving host saw the message come from (the bracketed address of the `from` clause). */
  fromIp?: string;
  /** Host name claimed in the `from` clause. */
  fromHost?: string;
  /** Host that wrote this header. */
  by?: string;
  /** The `with` clause (ESMTP, ESMTPS, LMTP, ...), upper-cased. */
  protocol?: string;
  /** When this hop received the message (the date after the `;`), ISO 8601 when it could be read. */
  date?: string;
}

/** The reported (original) message, as far as the report carries it. */
export interface OriginalMessage {
  /** Header fields in order, names lower-cased, values unfolded; bounded in count and length. */
  headers: Array<[name: string, value: string]>;
  from?: string; // address only, lower-cased domain
  returnPath?: string;
  messageId?: string;
  subject?: string;
  date?: string;
  to?: string;
  received: ReceivedHop[];
  /** d= of every DKIM-Signature, in order. */
  dkimDomains: string[];
  /** true when only headers were available (text/rfc822-headers, or an inline forward). */
  headersOnly: boolean;
}

/**
 * Where the source IP was read: `arf` a machine-readable field (ARF Source-IP, X-ARF Source), the
 * reporter's own word; `subject` the subject (Microsoft JMRP, a forward); `text` the report's
 * text (SpamCop's "Email from", an Exim DMARC report's "Sender IP Address", a forward's body);
 * `received` the embedded Received chain.
 */
export type SourceIpOrigin = 'arf' | 'subject' | 'text' | 'received';

export interface ParsedReport {
  /**
   * `arf`: a feedback report (RFC 5965, and the sparse kinds: Microsoft JMRP, Exim DMARC failure
   * reports); `x-arf`: an X-ARF report (x-arf.org v0.1/v0.2 YAML, or the v3/v4 JSON);
   * `spamcop`: a SpamCop report; `forward`: a recipient forwarding junk.
   */
  format: 'arf' | 'x-arf' | 'spamcop' | 'forward';
  /** `complaint` scores; `auth-evidence` (auth-failure reports) is kept and not scored. */
  evidence: 'complaint' | 'auth-evidence';
  feedbackType: FeedbackType;
  /** The field as the reporter wrote it, when it was normalised (e.g. `opt-out` → other). */
  rawFeedbackType?: string;
  userAgent?: string;
  version?: string;
  /** Address from Original-Mail-From, without angle brackets. */
  originalMailFrom?: string;
  originalRcptTo: string[];
  /**
   * Arrival-Date (or Received-Date), ISO 8601 when it could be read. When the report has none
   * (forwards, JMRP, sparse ARF), the date of the topmost Received hop of the original, which
   * records the same moment: the recipient's site taking the message in.
   */
  arrivalDate?: string;
  /** Arrival-Date as written, when it could not be read as a date (then arrivalDate is not set from it). */
  rawArrivalDate?: string;
  reportingMta?: string;
  /**
   * Best answer the message alone gives: the ARF Source-IP (X-ARF Source), else an IP the
   * report names in its subject or text (Microsoft JMRP, SpamCop), else the `from` IP of the
   * topmost Received hop that has one; a forward names one in its subject or text only when its
   * original has no Received chain to tell.
   * Attribution prefers a hop that is one of the platform's IPs when origin is not `arf`.
   * For `received`, hops from internal addresses (loopback, RFC 1918, link-local, CGNAT, ULA)
   * are passed over, and so are LMTP hops (final delivery inside the recipient's site) unless
   * no other hop has an Internet address.
   */
  sourceIp?: string;
  sourceIpOrigin?: SourceIpOrigin;
  sourcePort?: number;
  incidents?: number;
  reportedDomains: string[];
  reportedUris: string[];
  authenticationResults?: string;
  authFailure?: string;
  dkimDomain?: string;
  /** Who complained: the partner's or recipient's address (From of the report, lower-cased). */
  reporter?: string;
  /**
   * Domain of the original MAIL FROM, else of the original From. Lower-cased. For ARF the MAIL FROM
   * is Original-Mail-From, else the embedded Return-Path; for forwarded junk the From comes first
   * (the forwarded copy's Return-Path may be the recipient's own forwarding envelope).
   */
  senderDomain?: string;
  original: OriginalMessage;
  /**
   * The reported message as the report carries it (an attached message/rfc822 or header
   * section, transfer encoding removed), for checking its signatures; never stored. Absent
   * when the original was only read from an inline forward block or is missing.
   */
  originalBytes?: Buffer;
  /** Stable codes for what was sloppy but survivable, e.g. `arf.missing_version`. */
  warnings: string[];
}

export type ParseOutcome =
  | { status: 'reports'; reports: ParsedReport[] }
  /** Not a complaint (bounce, auto-reply, unsubscribe notice): kept with the reason, scores nothing. */
  | { status: 'ignored'; reason: IgnoredReason; detail: string }
  | { status: 'failed'; code: string; message: string };

export type IgnoredReason = 'ignored.bounce' | 'ignored.auto_reply' | 'ignored.unsubscribe' | 'ignored.empty';
