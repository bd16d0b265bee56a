import { MAX_HEADER_BLOCK_CHARS, MAX_SCANNED_HEADER_FIELDS, MAX_VALUE_CHARS } from './bounds.ts';

/** One header field: name lower-cased, value unfolded (RFC 5322 §2.2.3) and trimmed. */
export type HeaderField = [name: string, value: string];

export interface HeaderBlock {
  fields: HeaderField[];
  /** Lines inside the block that were neither a field nor a continuation (tolerated, skipped). */
  strayLines: number;
  /** The block went on past what is read (MAX_SCANNED_HEADER_FIELDS / MAX_HEADER_BLOCK_CHARS). */
  truncated: boolean;
}

// RFC 5322 §3.6.8: a field name is printable ASCII except the colon. Some generators put
// spaces before the colon ("Subject : x"); that is tolerated.
const FIELD_LINE = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:/;
// Values are unfolded and then cut here, well above what is stored, so that later regexes
// never run over a megabyte-long header line.
const MAX_RAW_VALUE_CHARS = MAX_VALUE_CHARS * 8;

/** True when the line could start a header field. */
export function looksLikeFieldLine(line: string): boolean {
  return FIELD_LINE.test(line);
}

/**
 * Splits a header block (a message's header section, a text/rfc822-headers part, or the body of a
 * message/feedback-report part, which has the same syntax: RFC 5965 §3.1) into unfolded fields.
 * Reading stops at the first empty line after the fields.
 */
export function splitHeaderFields(
  text: string,
  options: { skipLeadingBlankLines?: boolean } = {},
): HeaderBlock {
  const truncatedInput = text.length > MAX_HEADER_BLOCK_CHARS;
  const source = truncatedInput ? text.slice(0, MAX_HEADER_BLOCK_CHARS) : text;
  const fields: HeaderField[] = [];
  let strayLines = 0;
  let truncated = false;
  let name: string | undefined;
  let parts: string[] = [];
  let partsLength = 0;
  let seenContent = false;

  const flush = (): void => {
    if (name === undefined) return;
    const value = parts.join(' ').trim();
    fields.push([name, value.length > MAX_RAW_VALUE_CHARS ? value.slice(0, MAX_RAW_VALUE_CHARS) : value]);
    name = undefined;
    parts = [];
    partsLength = 0;
  };

  let start = 0;
  let lineNumber = 0;
  while (start <= source.length) {
    let end = source.indexOf('\n', start);
    if (end === -1) end = source.length;
    let line = source.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    start = end + 1;
    lineNumber += 1;

    if (line.trim() === '') {
      if (!seenContent && options.skipLeadingBlankLines) continue;
      break;
    }
    // An mbox separator ("From sender date") ahead of the header section.
    if (lineNumber === 1 && line.startsWith('From ')) continue;
    seenContent = true;

    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      if (name === undefined) {
        strayLines += 1;
      } else if (partsLength < MAX_RAW_VALUE_CHARS) {
        const piece = line.trim();
        parts.push(piece);
        partsLength += piece.length + 1;
      }
      continue;
    }

    const match = FIELD_LINE.exec(line);
    if (!match) {
      flush();
      strayLines += 1;
      continue;
    }
    flush();
    if (fields.length >= MAX_SCANNED_HEADER_FIELDS) {
      truncated = true;
      break;
    }
    name = match[1]!.toLowerCase();
    const piece = line.slice(match[0].length).trim();
    parts = [piece.length > MAX_RAW_VALUE_CHARS ? piece.slice(0, MAX_RAW_VALUE_CHARS) : piece];
    partsLength = piece.length;
  }
  flush();
  return { fields, strayLines, truncated: truncated || truncatedInput };
}

/** The first value of a field, if present. */
export function firstField(fields: readonly HeaderField[], name: string): string | undefined {
  for (const [fieldName, value] of fields) if (fieldName === name) return value;
  return undefined;
}

/** Every value of a field, in order. */
export function allFields(fields: readonly HeaderField[], name: string): string[] {
  const values: string[] = [];
  for (const [fieldName, value] of fields) if (fieldName === name) values.push(value);
  return values;
}
