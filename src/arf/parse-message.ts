import { arfReports, sparseReports } from './arf-report.ts';
import { reportLimit } from './bounds.ts';
import { classifyMessage } from './classify.ts';
import { cleanOutcome } from './clean-outcome.ts';
import { dmarcTextReports, findDmarcTextReport } from './dmarc-text-report.ts';
import { findEmbeddedOriginals } from './embedded-originals.ts';
import { forwardReports, inlineOriginal } from './forward-report.ts';
import { isJmrpLike } from './jmrp.ts';
import type { MailView } from './mail-view.ts';
import { readMail } from './read-mail.ts';
import { findSpamcop, spamcopReports } from './spamcop-report.ts';
import type { ParsedReport, ParseOutcome } from './types.ts';
import { findXarf } from './xarf-fields.ts';
import { xarfReports } from './xarf-report.ts';

export interface ParseOptions {
  /** Most reports one message may yield (default 20); the rest are dropped with a warning. */
  maxReports?: number;
  /** Take the fast path for plain feedback reports (default true; false forces mailparser, for tests). */
  fastPath?: boolean;
}

// Optional fields are left out rather than set to undefined, so a report serialises and compares
// the same whichever path built it.
function withoutUndefined(report: ParsedReport): ParsedReport {
  for (const key of Object.keys(report) as Array<keyof ParsedReport>) {
    if (report[key] === undefined) delete report[key];
  }
  return report;
}

/** A value computed on first use: classifying asks only for the facts it needs. */
function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

function outcomeOf(view: MailView, maxReports: number): ParseOutcome {
  const embedded = once(() => findEmbeddedOriginals(view.parts));
  const kind = classifyMessage(view, {
    hasFeedbackPart: view.parts.some((part) => part.contentType === 'message/feedback-report'),
    hasAttachedOriginal: () => embedded().length > 0,
    hasInlineOriginal: () => inlineOriginal(view) !== undefined,
    jmrpLike: () => isJmrpLike(view.subject, embedded()),
    xarf: once(() => findXarf(view)),
    spamcop: once(() => findSpamcop(view)),
    dmarcText: once(() => findDmarcTextReport(view)),
  });
  switch (kind.kind) {
    case 'ignored':
      return { status: 'ignored', reason: kind.reason, detail: kind.detail };
    case 'arf':
      return arfReports(view, embedded(), maxReports);
    case 'x-arf':
      return xarfReports(view, kind.fields, embedded());
    case 'spamcop':
      return spamcopReports(view, kind.fields, embedded());
    case 'dmarc-text':
      return dmarcTextReports(view, kind.fields, embedded());
    case 'jmrp':
      return sparseReports(view, embedded(), maxReports);
    case 'forward':
      return forwardReports(view, embedded(), maxReports);
  }
}

/**
 * Reads one inbound message (an ARF feedback report, a Microsoft JMRP complaint, an X-ARF
 * report, a SpamCop report, an Exim/cPanel plain-text DMARC failure report, a recipient
 * forwarding junk, or something that is not a complaint at all) into what it reports.
 *
 * Pure and total: no I/O, no clock, and every input, however broken, comes back as an outcome;
 * it never throws and never rejects. Every string in the outcome is clean (no control
 * character, NUL, bidi override or lone surrogate) and bounded, and the work is linear in the
 * size of the input.
 *
 * Failure codes (the message is kept, never retried):
 *   arf.no_content        no bytes, or only blank lines
 *   arf.unreadable        not an e-mail message (no header section, NULs in it, broken MIME)
 *   arf.too_large         over MAX_INPUT_BYTES
 *   arf.too_complex       beyond mailparser's limits (MIME parts, header section size)
 *   arf.no_feedback_part  says report-type=feedback-report, has neither feedback part nor original
 *   arf.parser_error      a bug of ours
 * Ignored reasons: ignored.bounce, ignored.auto_reply (also read receipts), ignored.unsubscribe,
 * ignored.empty (a well-formed message with no body, no attachment, nothing forwarded).
 * Warning codes on reports:
 *   arf.missing_feedback_type (read as abuse), arf.unknown_feedback_type (read as other),
 *   arf.missing_version, arf.missing_user_agent, arf.bad_source_ip, arf.bad_source_port,
 *   arf.bad_incidents, arf.bad_arrival_date, arf.bad_reported_domain, arf.repeated_field,
 *   arf.too_many_values, arf.feedback_block_truncated, arf.multiple_feedback_parts,
 *   arf.feedback_fields_in_part_header, arf.feedback_part_as_text, arf.no_feedback_part (JMRP and
 *   other sparse reports, Exim DMARC reports), arf.no_original_message, arf.multiple_originals,
 *   xarf.bad_source (an X-ARF Source that is neither an IP, a URI nor a domain),
 *   original.no_headers, original.too_many_headers,
 *   forward.too_many_attachments, forward.no_original, forward.unsupported_attachment.
 */
export async function parseMessage(raw: Uint8Array, options?: ParseOptions): Promise<ParseOutcome> {
  try {
    if (!(raw instanceof Uint8Array)) {
      return {
        status: 'failed',
        code: 'arf.no_content',
        message: 'No message bytes were given to the parser.',
      };
    }
    const read = await readMail(raw, { fastPath: options?.fastPath });
    if (!read.ok) return cleanOutcome({ status: 'failed', code: read.code, message: read.message });
    const outcome = outcomeOf(read.view, reportLimit(options?.maxReports));
    if (outcome.status === 'reports') for (const report of outcome.reports) withoutUndefined(report);
    return cleanOutcome(outcome);
  } catch (error) {
    // A bug of ours, not a property of the message: kept as a failure with the reason, so the
    // report is stored and visible instead of crashing the worker.
    const detail = error instanceof Error ? error.message : String(error);
    return cleanOutcome({
      status: 'failed',
      code: 'arf.parser_error',
      message: `The parser failed on this message (${detail}).`,
    });
  }
}
