import { looksLikeFieldLine, splitHeaderFields } from './header-fields.ts';
import { withLineFeeds } from './line-endings.ts';
import type { MailPart } from './mail-view.ts';

/** An attached copy of a reported message (or of its header section). */
export interface EmbeddedOriginal {
  content: Buffer;
  headersOnly: boolean;
}

// RFC 5965 §2 (message/rfc822 or text/rfc822-headers), RFC 6532 (message/global), RFC 6533
// (message/global-headers). text/rfc822-header (sic) is what some old FBLs wrote.
const FULL_MESSAGE_TYPES = new Set([
  'message/rfc822',
  'message/global',
  'text/rfc822',
  'application/eml',
  'application/x-eml',
]);
const HEADER_TYPES = new Set([
  'text/rfc822-headers',
  'text/rfc822-header',
  'message/rfc822-headers',
  'message/global-headers',
]);
// Containers people attach a forwarded message as, when their client does not know better.
const SNIFFED_TYPES = new Set(['application/octet-stream', 'text/plain', 'application/unknown']);
const TELLTALE_FIELDS = new Set([
  'received',
  'from',
  'to',
  'subject',
  'date',
  'message-id',
  'return-path',
  'dkim-signature',
  'mime-version',
]);

/** True when the bytes start with a header section that has the fields a message has. */
export function looksLikeMessage(content: Buffer): boolean {
  const head = withLineFeeds(content.subarray(0, 16 * 1024)).toString('utf8');
  const firstLine = /^(?:\r?\n)*([^\r\n]*)/.exec(head)?.[1] ?? '';
  if (!looksLikeFieldLine(firstLine)) return false;
  const names = new Set(
    splitHeaderFields(head, { skipLeadingBlankLines: true }).fields.map(([name]) => name),
  );
  let telltales = 0;
  for (const name of names) if (TELLTALE_FIELDS.has(name)) telltales += 1;
  return telltales >= 2;
}

const BASE64_HEAD = /^[A-Za-z0-9+/=\r\n\t ]{16,}$/;

function startsWithField(content: Buffer): boolean {
  const head = withLineFeeds(content.subarray(0, 1024)).toString('utf8');
  return looksLikeFieldLine(/^(?:\r?\n)*([^\r\n]*)/.exec(head)?.[1] ?? '');
}

/**
 * The content of an attachment that was base64-encoded without saying so (a message/rfc822
 * part with no Content-Transfer-Encoding, or one encoded twice), decoded; the content itself
 * when it starts like a message or is not base64.
 */
function decodedIfBase64(content: Buffer): Buffer {
  if (startsWithField(content)) return content;
  const head = content.subarray(0, 4096).toString('latin1').trim();
  if (!BASE64_HEAD.test(head)) return content;
  const decoded = Buffer.from(content.toString('latin1'), 'base64');
  return startsWithField(decoded) ? decoded : content;
}

/** An Outlook item (.msg, a compound file), which cannot be read as a message. */
export function isOutlookItem(part: MailPart): boolean {
  return part.contentType === 'application/vnd.ms-outlook' || /\.msg$/i.test(part.filename ?? '');
}

/** What an attachment is, as far as finding the reported message goes. */
export function embeddedOriginal(part: MailPart): EmbeddedOriginal | undefined {
  if (HEADER_TYPES.has(part.contentType))
    return { content: decodedIfBase64(part.content), headersOnly: true };
  if (FULL_MESSAGE_TYPES.has(part.contentType) || /\.eml$/i.test(part.filename ?? '')) {
    return { content: decodedIfBase64(part.content), headersOnly: false };
  }
  if (SNIFFED_TYPES.has(part.contentType)) {
    const content = decodedIfBase64(part.content);
    if (looksLikeMessage(content)) return { content, headersOnly: false };
  }
  return undefined;
}

/** Every attachment that is a copy of a reported message, in order. */
export function findEmbeddedOriginals(parts: readonly MailPart[]): EmbeddedOriginal[] {
  const originals: EmbeddedOriginal[] = [];
  for (const part of parts) {
    const original = embeddedOriginal(part);
    if (original) originals.push(original);
  }
  return originals;
}
