import { simpleParser } from 'mailparser';
import { withBoundedHeaderFields } from './bounded-header-fields.ts';
import { MAX_INPUT_BYTES, MAX_MIME_HEAD_BYTES, MAX_MIME_PARTS } from './bounds.ts';
import { fastView } from './fast-view.ts';
import { withLineFeeds } from './line-endings.ts';
import { type MailView, viewOf } from './mail-view.ts';

export type ReadMail = { ok: true; view: MailView } | { ok: false; code: string; message: string };

const PARSER_OPTIONS = {
  // Keep an embedded message/rfc822 as an attachment holding the whole original, headers included;
  // by default mailparser folds it into the body text and its headers are lost.
  ignoreEmbedded: true,
  // DSN parts become attachments, so bounces can be told by their parts.
  keepDeliveryStatus: true,
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  keepCidLinks: true,
  checksumAlgo: false,
  maxHeadSize: MAX_MIME_HEAD_BYTES,
  maxChildNodes: MAX_MIME_PARTS,
} as const;

const FIELD_START = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

/** Where the message proper starts: after a byte-order mark, blank lines and an mbox "From " line. */
function messageStart(bytes: Buffer): number {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  while (start < bytes.length && (bytes[start] === 0x0d || bytes[start] === 0x0a)) start += 1;
  if (bytes.subarray(start, start + 5).toString('latin1') === 'From ') {
    const end = bytes.indexOf(0x0a, start);
    start = end === -1 ? bytes.length : end + 1;
  }
  return start;
}

function headerSectionHasNul(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 64 * 1024);
  const ends = [head.indexOf('\n\n'), head.indexOf('\r\n\r\n')].filter((index) => index !== -1);
  return head.subarray(0, ends.length > 0 ? Math.min(...ends) : head.length).includes(0);
}

/**
 * The parts of a message, after the checks that tell a message from anything else: by the
 * fast path when the message is a plain feedback report, else by mailparser.
 */
export async function readMail(raw: Uint8Array, options: { fastPath?: boolean } = {}): Promise<ReadMail> {
  if (raw.byteLength > MAX_INPUT_BYTES) {
    return {
      ok: false,
      code: 'arf.too_large',
      message: `The message is ${raw.byteLength} bytes, over the ${MAX_INPUT_BYTES} the parser reads; look at it by hand.`,
    };
  }
  const whole = withLineFeeds(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
  const bytes = whole.subarray(messageStart(whole));
  if (bytes.toString('latin1', 0, Math.min(bytes.length, 4096)).trim() === '' && bytes.length <= 4096) {
    return { ok: false, code: 'arf.no_content', message: 'The message is empty; nothing was reported.' };
  }
  const firstLine = bytes.toString('latin1', 0, Math.min(bytes.length, 200));
  if (!FIELD_START.test(firstLine) || headerSectionHasNul(bytes)) {
    return {
      ok: false,
      code: 'arf.unreadable',
      message:
        'The bytes do not start with an e-mail header section; check what was submitted as the report.',
    };
  }
  try {
    const fast = options.fastPath === false ? null : fastView(bytes);
    return {
      ok: true,
      view: fast ?? viewOf(await simpleParser(withBoundedHeaderFields(bytes), PARSER_OPTIONS)),
    };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'EMAXLEN') {
      return {
        ok: false,
        code: 'arf.too_complex',
        message: `The MIME structure is beyond the parser's limits (${detail}); look at it by hand.`,
      };
    }
    return {
      ok: false,
      code: 'arf.unreadable',
      message: `The MIME structure could not be read (${detail}).`,
    };
  }
}
