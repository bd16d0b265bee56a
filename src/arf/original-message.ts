import {
  addWarning,
  cleanText,
  MAX_HEADER_BLOCK_CHARS,
  MAX_LIST_ITEMS,
  MAX_STORED_HEADER_FIELDS,
} from './bounds.ts';
import type { EmbeddedOriginal } from './embedded-originals.ts';
import { decodeEncodedWords } from './encoded-words.ts';
import {
  allFields,
  firstField,
  type HeaderField,
  looksLikeFieldLine,
  splitHeaderFields,
} from './header-fields.ts';
import { withLineFeeds } from './line-endings.ts';
import { addressIn, cleanDomain } from './mailbox-address.ts';
import { readReceivedChain } from './received-chain.ts';
import type { OriginalMessage } from './types.ts';

export interface ReadOriginal {
  original: OriginalMessage;
  /** Every field read (more than `original.headers` keeps), for callers that look for one. */
  fields: HeaderField[];
  warnings: string[];
}

// Trace fields are prepended by every hop (RFC 5322 §3.6.7), so the sender's own fields (From,
// Message-ID, DKIM-Signature, the platform's tenant stamp) sit at the bottom of a long header
// section. When it has to be cut, most of what is kept comes from the bottom.
const KEPT_FROM_TOP = 30;

function keptHeaders(fields: readonly HeaderField[]): Array<[string, string]> {
  const chosen =
    fields.length <= MAX_STORED_HEADER_FIELDS
      ? fields
      : [
          ...fields.slice(0, KEPT_FROM_TOP),
          ...fields.slice(fields.length - (MAX_STORED_HEADER_FIELDS - KEPT_FROM_TOP)),
        ];
  return chosen.map(([name, value]) => [cleanText(name, 100), cleanText(value)]);
}

function dkimDomains(signatures: readonly string[]): string[] {
  const domains: string[] = [];
  for (const signature of signatures) {
    if (domains.length >= MAX_LIST_ITEMS) break;
    const tag = /(?:^|;)\s*d\s*=\s*([^;\s]+)/i.exec(signature);
    // cleanDomain bounds the name (253 characters) like any other domain the parser keeps.
    const domain = tag ? cleanDomain(tag[1]!) : undefined;
    if (domain && !domains.includes(domain)) domains.push(domain);
  }
  return domains;
}

function optional(value: string | undefined, max?: number): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = cleanText(value, max);
  return cleaned === '' ? undefined : cleaned;
}

/** An OriginalMessage from header fields already split (an embedded message, or an inline forward). */
export function originalFromFields(fields: HeaderField[], headersOnly: boolean): ReadOriginal {
  const warnings: string[] = [];
  if (fields.length > MAX_STORED_HEADER_FIELDS) addWarning(warnings, 'original.too_many_headers');
  const original: OriginalMessage = {
    headers: keptHeaders(fields),
    received: readReceivedChain(allFields(fields, 'received')),
    dkimDomains: dkimDomains(allFields(fields, 'dkim-signature')),
    headersOnly,
  };
  const from = addressIn(firstField(fields, 'from'));
  if (from) original.from = from;
  const returnPath = addressIn(firstField(fields, 'return-path'));
  if (returnPath) original.returnPath = returnPath;
  const messageId = optional(firstField(fields, 'message-id'), 998);
  if (messageId) original.messageId = messageId;
  const subject = firstField(fields, 'subject');
  const decodedSubject = optional(subject === undefined ? undefined : decodeEncodedWords(subject));
  if (decodedSubject) original.subject = decodedSubject;
  const date = optional(firstField(fields, 'date'), 200);
  if (date) original.date = date;
  const to = firstField(fields, 'to');
  const decodedTo = optional(to === undefined ? undefined : decodeEncodedWords(to));
  if (decodedTo) original.to = decodedTo;
  return { original, fields, warnings };
}

/**
 * Reads the header section of an embedded original (message/rfc822, text/rfc822-headers, an .eml
 * attachment). Only the header section is read: the body says nothing attribution can use.
 */
export function readOriginalMessage(bytes: Uint8Array, headersOnly: boolean): ReadOriginal {
  // An attached .eml saved on a classic Mac ends its lines with bare CRs, whatever the report does.
  const head = withLineFeeds(
    Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, MAX_HEADER_BLOCK_CHARS)),
  );
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const firstLine = /^(?:\r?\n)*([^\r\n]*)/.exec(text)?.[1] ?? '';
  if (!looksLikeFieldLine(firstLine) && !firstLine.startsWith('From ')) {
    const read = originalFromFields([], headersOnly);
    addWarning(read.warnings, 'original.no_headers');
    return read;
  }
  const block = splitHeaderFields(text, { skipLeadingBlankLines: true });
  const read = originalFromFields(block.fields, headersOnly);
  if (block.truncated) addWarning(read.warnings, 'original.too_many_headers');
  if (block.fields.length === 0) addWarning(read.warnings, 'original.no_headers');
  return read;
}

/** An original nothing is known about (an ARF report without its third part). */
export function unknownOriginal(): OriginalMessage {
  return { headers: [], received: [], dkimDomains: [], headersOnly: true };
}

/**
 * The original a report is about: the first it carries, read, with its bytes. The warnings are `warnings` (the
 * report's own, kept first), the original's, and arf.no_original_message or
 * arf.multiple_originals when there is none or more than one.
 */
export function readReportedOriginal(
  originals: readonly EmbeddedOriginal[],
  warnings: readonly string[] = [],
): { original: OriginalMessage; warnings: string[]; originalBytes?: Buffer } {
  const embedded = originals[0];
  const read = embedded ? readOriginalMessage(embedded.content, embedded.headersOnly) : undefined;
  const merged: string[] = [];
  for (const code of [...warnings, ...(read?.warnings ?? [])]) addWarning(merged, code);
  if (!embedded) addWarning(merged, 'arf.no_original_message');
  if (originals.length > 1) addWarning(merged, 'arf.multiple_originals');
  const out: { original: OriginalMessage; warnings: string[]; originalBytes?: Buffer } = {
    original: read?.original ?? unknownOriginal(),
    warnings: merged,
  };
  // The bytes travel with the report for its signature checks; left out when there are none,
  // so reports compare alike whichever path read them.
  if (embedded) out.originalBytes = embedded.content;
  return out;
}
