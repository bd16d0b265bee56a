// mailparser parses every address field of a message's header section in full, and its address
// parser costs about a quarter of a second per megabyte of hostile text (a From of 250,000
// quotes and backslashes). The parser never reads more than 16,000 characters of any field
// (header-fields.ts), so a field is cut to FIELD_BYTES before mailparser sees it: what is read
// is the same, and no header section can cost more than a bounded amount.

/** Header sections up to this size go to mailparser as they are. */
const UNTOUCHED_HEAD_BYTES = 256 * 1024;
/** What is kept of one field, folded lines included. */
const FIELD_BYTES = 64 * 1024;
/** Header sections are looked at up to here; mailparser refuses larger ones anyway. */
const MAX_HEAD_BYTES = 8 * 1024 * 1024;

/**
 * The end of the header section: the offset of its empty line, or the end of the bytes when
 * there is none (a message of header fields only); -1 past MAX_HEAD_BYTES.
 */
function headSectionEnd(bytes: Buffer): number {
  let lineStart = 0;
  const limit = Math.min(bytes.length, MAX_HEAD_BYTES);
  while (lineStart < limit) {
    const lineEnd = bytes.indexOf(0x0a, lineStart);
    if (lineEnd === -1) return bytes.length <= MAX_HEAD_BYTES ? bytes.length : -1;
    const length = lineEnd - lineStart;
    if (length === 0 || (length === 1 && bytes[lineStart] === 0x0d)) return lineStart;
    lineStart = lineEnd + 1;
  }
  return lineStart >= bytes.length ? bytes.length : -1;
}

/** The message with each field of its header section cut to FIELD_BYTES; the bytes themselves when none is longer. */
export function withBoundedHeaderFields(bytes: Buffer): Buffer {
  const end = headSectionEnd(bytes);
  if (end <= UNTOUCHED_HEAD_BYTES) return bytes;
  const kept: Buffer[] = [];
  let fieldBytes = 0;
  let cut = false;
  let lineStart = 0;
  while (lineStart < end) {
    const newline = bytes.indexOf(0x0a, lineStart);
    const lineEnd = newline === -1 || newline >= end ? end : newline + 1;
    const line = bytes.subarray(lineStart, lineEnd);
    const continues = line[0] === 0x20 || line[0] === 0x09;
    if (!continues) fieldBytes = 0;
    const room = FIELD_BYTES - fieldBytes;
    const eol = line[line.length - 1] !== 0x0a ? 0 : line[line.length - 2] === 0x0d ? 2 : 1;
    if (line.length <= room) {
      kept.push(line);
    } else if (room > eol + 1) {
      // The line is cut, and ends as the others do (never as an empty line: that would end
      // the header section).
      kept.push(line.subarray(0, room - eol), line.subarray(line.length - eol));
      cut = true;
    } else {
      cut = true;
    }
    fieldBytes += line.length;
    lineStart = lineEnd;
  }
  if (!cut) return bytes;
  kept.push(bytes.subarray(end));
  return Buffer.concat(kept);
}
