import { MAX_SCANNED_BODY_CHARS } from './bounds.ts';
import { type HeaderField, splitHeaderFields } from './header-fields.ts';
import type { MailPart, MailView } from './mail-view.ts';
import { addressIn } from './mailbox-address.ts';

/**
 * The fast path for the report shape feedback loops send by the thousand: a
 * multipart/report (or multipart/mixed) of plain 7bit/8bit parts — a text/plain
 * note, the message/feedback-report fields, the original as message/rfc822 or
 * text/rfc822-headers. Splitting that at its boundary costs a fraction of a full MIME
 * parse. Anything else — encodings, nested multiparts, charsets, encoded words, file
 * names — returns null and goes to mailparser, so the fast
 * path never has to be right about the hard cases: only about the easy one, which a
 * test checks against mailparser on every corpus message and many generated ones.
 */

const TOP_TYPES = new Set(['multipart/report', 'multipart/mixed']);
const PART_TYPES = new Set([
  'text/plain',
  'message/feedback-report',
  'message/rfc822',
  'text/rfc822-headers',
  'text/rfc822-header',
  'message/rfc822-headers',
]);
const PLAIN_ENCODINGS = new Set(['7bit', '8bit', 'binary']);
const PLAIN_CHARSETS = new Set(['us-ascii', 'utf-8', 'utf8']);
/** Fields a part may carry for the fast path to take it; anything more and mailparser decides. */
const PART_FIELDS = new Set([
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'content-description',
  'mime-version',
]);
const MAX_FAST_BYTES = 1024 * 1024;
/**
 * A line of only spaces or tabs inside a header section: folding white space to a MIME
 * parser, the end of the section to a person. Which one the sender meant is mailparser's
 * call (a mutation test found this one).
 */
const BLANKISH_LINE = /(^|\n)[ \t]+\r?(\n|$)/;
/** A lone CR, or a control character, in a header section: parsers disagree on those, so mailparser decides. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ODD_HEADER_BYTES = /\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const MAX_FAST_PARTS = 8;

interface Structured {
  value: string;
  params: Record<string, string>;
}

/** `type/subtype; a=b; c="d"`, or null for anything that needs RFC 2231 or comments. */
function parseStructured(value: string): Structured | null {
  if (value.includes('(') || value.includes('*=') || value.includes('\\')) return null;
  const semi = value.indexOf(';');
  const head = (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
  const params: Record<string, string> = {};
  let rest = semi === -1 ? '' : value.slice(semi + 1);
  const param = /^\s*([A-Za-z0-9._-]+)\s*=\s*(?:"([^"]*)"|([^;\s"]*))\s*(?:;|$)/;
  while (rest.trim() !== '') {
    const m = param.exec(rest);
    if (!m) return null;
    params[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
    rest = rest.slice(m[0].length);
  }
  return { value: head, params };
}

function headerEnd(buf: Buffer, from: number): { end: number; bodyStart: number } | null {
  const crlf = buf.indexOf('\r\n\r\n', from, 'latin1');
  const lf = buf.indexOf('\n\n', from, 'latin1');
  if (crlf === -1 && lf === -1) return null;
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { end: crlf, bodyStart: crlf + 4 };
  return { end: lf, bodyStart: lf + 2 };
}

const field = (fields: readonly HeaderField[], name: string) => fields.find(([n]) => n === name)?.[1];
const hasEncodedWord = (s: string | undefined) => s?.includes('=?') === true;
const isAscii = (buf: Buffer) => {
  for (let i = 0; i < buf.length; i++) if (buf[i]! > 0x7e) return false;
  return true;
};

/** Splits a multipart body at its boundary: the parts' bytes, or null when there is no part. */
function splitParts(body: Buffer, boundary: string): Buffer[] | null {
  const delimiter = `--${boundary}`;
  const parts: Buffer[] = [];
  let pos = 0;
  let partStart = -1;
  while (pos <= body.length) {
    const lineEnd = body.indexOf(0x0a, pos);
    const end = lineEnd === -1 ? body.length : lineEnd;
    let line = body.toString('latin1', pos, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.startsWith(delimiter)) {
      const tail = line.slice(delimiter.length);
      // White space after a delimiter (RFC 2046 allows it, parsers differ on it): mailparser decides.
      if (/^(--)?\s+$/.test(tail)) return null;
      if (tail === '' || tail === '--') {
        if (partStart !== -1) {
          // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
          let partEnd = pos;
          if (partEnd > partStart && body[partEnd - 1] === 0x0a) partEnd--;
          if (partEnd > partStart && body[partEnd - 1] === 0x0d) partEnd--;
          parts.push(body.subarray(partStart, partEnd));
        }
        if (tail === '--') return parts;
        partStart = lineEnd === -1 ? body.length : lineEnd + 1;
      }
    }
    if (lineEnd === -1) break;
    pos = lineEnd + 1;
  }
  // No closing delimiter (a truncated report): the last part runs to the end, as mailparser reads it.
  if (partStart === -1 || partStart >= body.length) return null;
  parts.push(body.subarray(partStart));
  return parts;
}

export function fastView(bytes: Buffer): MailView | null {
  if (bytes.length > MAX_FAST_BYTES) return null;
  const top = headerEnd(bytes, 0);
  if (!top) return null;
  const topText = bytes.toString('utf8', 0, top.end);
  if (BLANKISH_LINE.test(topText) || ODD_HEADER_BYTES.test(topText)) return null;
  const { fields, strayLines, truncated } = splitHeaderFields(topText);
  if (strayLines > 0 || truncated) return null;
  const contentType = parseStructured(field(fields, 'content-type') ?? '');
  if (!contentType || !TOP_TYPES.has(contentType.value)) return null;
  const boundary = contentType.params.boundary;
  if (!boundary || boundary.length > 200) return null;
  const topEncoding = field(fields, 'content-transfer-encoding')?.toLowerCase();
  if (topEncoding !== undefined && !PLAIN_ENCODINGS.has(topEncoding)) return null;
  const subject = field(fields, 'subject') ?? '';
  const fromField = field(fields, 'from');
  if (hasEncodedWord(subject) || hasEncodedWord(fromField)) return null;
  // An unbalanced quote in From: address parsers part ways on what it means.
  if (((fromField ?? '').match(/"/g)?.length ?? 0) % 2 === 1) return null;
  if (!isAscii(bytes.subarray(0, top.end))) return null;

  const rawParts = splitParts(bytes.subarray(top.bodyStart), boundary);
  if (!rawParts || rawParts.length === 0 || rawParts.length > MAX_FAST_PARTS) return null;
  const parts: MailPart[] = [];
  let text: string | undefined;
  for (const raw of rawParts) {
    const head = headerEnd(raw, 0);
    // A part with no header section at all (body straight after the delimiter) is rare: mailparser decides.
    if (!head) return null;
    const partText = raw.toString('latin1', 0, head.end);
    if (BLANKISH_LINE.test(partText) || ODD_HEADER_BYTES.test(partText)) return null;
    const partFields = splitHeaderFields(partText);
    if (partFields.strayLines > 0 || partFields.truncated) return null;
    if (partFields.fields.some(([name]) => !PART_FIELDS.has(name))) return null;
    const type = parseStructured(field(partFields.fields, 'content-type') ?? 'text/plain');
    if (!type || !PART_TYPES.has(type.value)) return null;
    const encoding = field(partFields.fields, 'content-transfer-encoding')?.toLowerCase();
    if (encoding !== undefined && !PLAIN_ENCODINGS.has(encoding)) return null;
    const charset = type.params.charset?.toLowerCase();
    if (charset !== undefined && !PLAIN_CHARSETS.has(charset)) return null;
    const disposition = field(partFields.fields, 'content-disposition');
    const dispositionType = disposition === undefined ? undefined : parseStructured(disposition);
    if (disposition !== undefined && !dispositionType) return null;
    // A plain ASCII file name is kept as mailparser keeps it; anything fancier goes to mailparser.
    const filename = dispositionType?.params.filename ?? type.params.name;
    if (filename !== undefined && !/^[\x20-\x7e]{1,200}$/.test(filename)) return null;
    const content = raw.subarray(head.bodyStart);
    if (type.value === 'text/plain' && dispositionType?.value !== 'attachment') {
      if (text !== undefined) return null; // two text parts: mailparser joins them its own way
      if (!isAscii(content)) return null;
      text = content.toString('latin1').replace(/\r\n/g, '\n');
      continue;
    }
    const headers = new Map<string, unknown>();
    for (const [name, value] of partFields.fields) {
      headers.set(
        name,
        name === 'content-type' || name === 'content-disposition'
          ? parseStructured(value)
          : value.toLowerCase(),
      );
    }
    const part: MailPart = { contentType: type.value, content: Buffer.from(content), headers };
    if (filename !== undefined) part.filename = filename;
    parts.push(part);
  }
  const view: MailView = {
    fields,
    subject,
    contentType: contentType.value,
    parts,
    text: (text ?? '').slice(0, MAX_SCANNED_BODY_CHARS),
    html: '',
  };
  const reportType = contentType.params['report-type'];
  if (reportType) view.reportType = reportType.toLowerCase().trim();
  const from = addressIn(fromField)?.toLowerCase();
  if (from) view.from = from;
  return view;
}
