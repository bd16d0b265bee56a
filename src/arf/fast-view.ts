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
/** Top-level fields the slow path takes as mailparser unfolds and decodes them. */
const READ_FROM_MAILPARSER = new Set(['subject', 'from', 'content-type']);
const MAX_LINE_CHARS = 998;
const DISPOSITIONS = new Set(['inline', 'attachment']);
/**
 * `a@b`, `<a@b>`, `Name <a@b>`, `"Name" <a@b>`: the From shapes every parser reads alike. No two
 * parts of it can match the same character, so a long value fails in linear time.
 */
const PLAIN_FROM =
  /^(?:(?:"[^"\\]*"[ \t]*|[^"<>,;:()\\@[\]]*)<[^<>\s"(),;:\\[\]@]+@[^<>\s"(),;:\\[\]@]+>|[^<>\s"(),;:\\[\]@]+@[^<>\s"(),;:\\[\]@]+)$/;

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
    // A parameter written twice (boundary, report-type): the first counts, as libmime reads it.
    const name = m[1]!.toLowerCase();
    if (!(name in params)) params[name] = m[2] ?? m[3] ?? '';
    rest = rest.slice(m[0].length);
  }
  // Encoded words in a parameter (name="=?utf-8?b?...?="): mailparser decodes them its own way.
  if (Object.values(params).some(hasEncodedWord)) return null;
  return { value: head, params };
}

/**
 * Where the header section starting at `from` ends: at the first empty line, which may be a
 * lone CR in an LF message (\n\r\n) as much as \n\n or \r\n\r\n. `end` is where the last field
 * line's break starts, `bodyStart` the first byte after the empty line.
 */
function headerEnd(buf: Buffer, from: number): { end: number; bodyStart: number } | null {
  let lineStart = from;
  while (lineStart < buf.length) {
    const lineEnd = buf.indexOf(0x0a, lineStart);
    if (lineEnd === -1) return null;
    const length = lineEnd - lineStart;
    if (lineStart > from && (length === 0 || (length === 1 && buf[lineStart] === 0x0d))) {
      let end = lineStart - 1;
      if (end > from && buf[end - 1] === 0x0d) end -= 1;
      return { end, bodyStart: lineEnd + 1 };
    }
    lineStart = lineEnd + 1;
  }
  return null;
}

const field = (fields: readonly HeaderField[], name: string) => fields.find(([n]) => n === name)?.[1];
const hasEncodedWord = (s: string | undefined) => s?.includes('=?') === true;
const isAscii = (buf: Buffer) => {
  for (let i = 0; i < buf.length; i++) if (buf[i]! > 0x7e) return false;
  return true;
};

/**
 * True when a field (of `names`, or any) is written in a way mailparser reads differently: a
 * line that ends in white space and is folded (mailparser keeps the white space where the fast
 * path's unfolding makes one space of it), or a line longer than RFC 5322 allows (998
 * characters; mailparser splits a line of hundreds of kilobytes into pieces).
 */
function oddlyWritten(headerText: string, names?: ReadonlySet<string>): boolean {
  const lines = headerText.split('\n');
  let name = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line[0] !== ' ' && line[0] !== '\t') name = line.slice(0, line.indexOf(':')).trim().toLowerCase();
    if (names && !names.has(name)) continue;
    if (line.length > MAX_LINE_CHARS) return true;
    const next = lines[i + 1]?.[0];
    if ((next === ' ' || next === '\t') && /[ \t]$/.test(line)) return true;
  }
  return false;
}

function hasLoneCr(buf: Buffer): boolean {
  for (let at = buf.indexOf(0x0d); at !== -1; at = buf.indexOf(0x0d, at + 1)) {
    // A CR as the last byte is a CRLF cut short (a truncated report), not a line break.
    if (at + 1 < buf.length && buf[at + 1] !== 0x0a) return true;
  }
  return false;
}

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
  if (oddlyWritten(topText, READ_FROM_MAILPARSER)) return null;
  const { fields, strayLines, truncated } = splitHeaderFields(topText);
  if (strayLines > 0 || truncated) return null;
  const contentType = parseStructured(field(fields, 'content-type') ?? '');
  if (!contentType || !TOP_TYPES.has(contentType.value)) return null;
  // White space at the end of a boundary is not part of it (RFC 2046 §5.1.1 bchars), as
  // mailparser reads it.
  const boundary = contentType.params.boundary?.trimEnd();
  if (!boundary || boundary.length > 200) return null;
  const topEncoding = field(fields, 'content-transfer-encoding')?.toLowerCase();
  if (topEncoding !== undefined && !PLAIN_ENCODINGS.has(topEncoding)) return null;
  const subject = field(fields, 'subject') ?? '';
  const fromField = field(fields, 'from');
  if (hasEncodedWord(subject)) return null;
  // Address parsers part ways on anything but the plain shapes of a From (groups, lists,
  // comments, unbalanced quotes, encoded words, a second From): mailparser decides.
  if (fields.filter(([name]) => name === 'from').length > 1) return null;
  if (fromField !== undefined && (fromField.length > 998 || !PLAIN_FROM.test(fromField))) return null;
  if (!isAscii(bytes.subarray(0, top.end))) return null;

  const body = bytes.subarray(top.bodyStart);
  // A lone CR in the body (before a delimiter, inside a part): MIME parsers disagree on whether
  // it ends a line, and so on where the parts are. Rare in real reports: mailparser decides.
  if (hasLoneCr(body)) return null;
  const rawParts = splitParts(body, boundary);
  if (!rawParts || rawParts.length === 0 || rawParts.length > MAX_FAST_PARTS) return null;
  const parts: MailPart[] = [];
  let text: string | undefined;
  for (const raw of rawParts) {
    // A blank line straight after the delimiter is an empty header section (RFC 2046 §5.1.1:
    // the part is text/plain); searching for the end of the header section from there would
    // find a blank line inside the body.
    const emptyHead = raw[0] === 0x0a ? 1 : raw[0] === 0x0d && raw[1] === 0x0a ? 2 : 0;
    const head = emptyHead > 0 ? { end: 0, bodyStart: emptyHead } : headerEnd(raw, 0);
    // A part with no header section at all (body straight after the delimiter) is rare: mailparser decides.
    if (!head) return null;
    const partText = raw.toString('latin1', 0, head.end);
    if (BLANKISH_LINE.test(partText) || ODD_HEADER_BYTES.test(partText)) return null;
    if (oddlyWritten(partText)) return null;
    const partFields = splitHeaderFields(partText);
    if (partFields.strayLines > 0 || partFields.truncated) return null;
    if (partFields.fields.some(([name]) => !PART_FIELDS.has(name))) return null;
    const typeField = field(partFields.fields, 'content-type');
    // Without a Content-Type, mailparser guesses the type of an attachment from its file name.
    if (typeField === undefined && field(partFields.fields, 'content-disposition') !== undefined) return null;
    const type = parseStructured(typeField ?? 'text/plain');
    if (!type || !PART_TYPES.has(type.value)) return null;
    // format=flowed text is unwrapped by mailparser (RFC 3676).
    if (type.params.format?.toLowerCase().trim() === 'flowed') return null;
    const encoding = field(partFields.fields, 'content-transfer-encoding')?.toLowerCase();
    if (encoding !== undefined && !PLAIN_ENCODINGS.has(encoding)) return null;
    const charset = type.params.charset?.toLowerCase();
    if (charset !== undefined && !PLAIN_CHARSETS.has(charset)) return null;
    const disposition = field(partFields.fields, 'content-disposition');
    const dispositionType = disposition === undefined ? undefined : parseStructured(disposition);
    if (disposition !== undefined && !dispositionType) return null;
    // Anything but inline or attachment (form-data, an encoded word) is an attachment to
    // mailparser, whatever the type: it decides.
    if (dispositionType && !DISPOSITIONS.has(dispositionType.value)) return null;
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
