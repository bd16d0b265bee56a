// Classic Mac OS ended lines with a bare CR, and some old clients, archives and webmail
// "download original" buttons still produce such files. MIME parsers (mailparser included) only
// split lines at LF, so a CR-only message reads as one endless header line.

const CR = 0x0d;
const LF = 0x0a;
/** How far to look for the first line break: a header line longer than this is not a message anyway. */
const SNIFF_BYTES = 64 * 1024;

/** True when the first line break of the bytes is a bare CR (not part of a CRLF). */
export function endsLinesWithBareCr(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, SNIFF_BYTES);
  for (let i = 0; i < end; i++) {
    const byte = bytes[i];
    if (byte === LF) return false;
    if (byte === CR) return bytes[i + 1] !== LF;
  }
  return false;
}

/**
 * The same bytes with LF line endings when they end lines with bare CRs; otherwise the bytes
 * themselves. A CRLF already in there is kept as it is, so a mixed message loses nothing.
 */
export function withLineFeeds(bytes: Buffer): Buffer {
  if (!endsLinesWithBareCr(bytes)) return bytes;
  const out = Buffer.from(bytes);
  for (let i = 0; i < out.length; i++) {
    if (out[i] === CR && out[i + 1] !== LF) out[i] = LF;
  }
  return out;
}
