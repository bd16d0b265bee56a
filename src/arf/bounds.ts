/**
 * How much of a stranger's message the parser keeps. Everything stored in a report goes
 * through these, so a hostile message costs bounded memory and bounded database space.
 */

/** Larger inputs are refused outright (`arf.too_large`); intake should have refused them already. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;
/** Reports one message may yield unless the caller says otherwise. */
export const DEFAULT_MAX_REPORTS = 20;
/** Reports one message may yield whatever the caller says. */
export const HARD_MAX_REPORTS = 1000;
/** Header fields kept per original message (`original.headers`). */
export const MAX_STORED_HEADER_FIELDS = 100;
/** Header fields looked at per header block; the rest is not read at all. */
export const MAX_SCANNED_HEADER_FIELDS = 20_000;
/** Characters of a header block (or feedback block) that are read. */
export const MAX_HEADER_BLOCK_CHARS = 2 * 1024 * 1024;
/** Characters kept of any one string value. */
export const MAX_VALUE_CHARS = 2000;
/** Items kept in any list (recipients, URIs, domains, hops, warnings). */
export const MAX_LIST_ITEMS = 50;
/** Characters of body text searched for an inline forward block. */
export const MAX_SCANNED_BODY_CHARS = 256 * 1024;
/** The largest MIME header block mailparser accepts; a 1 MB header line is odd, not fatal. */
export const MAX_MIME_HEAD_BYTES = 4 * 1024 * 1024;
/** MIME parts mailparser accepts before giving up (`arf.too_complex`). */
export const MAX_MIME_PARTS = 1000;

// C0 and C1 controls, DEL, the bidirectional marks and overrides that make text display differently
// from what it is (a spoofing trick), and lone surrogates (half a UTF-16 pair: HTML entities and
// JSON escapes can write one; Postgres refuses it in jsonb, as it refuses NUL anywhere in text, and
// one bad value fails a whole batch). Tabs and line breaks become spaces instead.
const UNSAFE_CHARS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff]/gu;
const LINE_BREAKS_AND_TABS = /[\t\r\n\u2028\u2029]+/g;

/**
 * A string safe to store and display: no control characters, no bidi overrides, no lone
 * surrogates, one line, at most `max` characters.
 */
export function cleanText(value: string, max: number = MAX_VALUE_CHARS): string {
  const head = value.length > max * 4 ? value.slice(0, max * 4) : value;
  return cutText(head.replace(LINE_BREAKS_AND_TABS, ' ').replace(UNSAFE_CHARS, '').trim(), max);
}

/** Cuts at `max` UTF-16 units without splitting a surrogate pair. */
export function cutText(value: string, max: number = MAX_VALUE_CHARS): string {
  if (value.length <= max) return value;
  let end = max;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return value.slice(0, end);
}

/**
 * Appends to a bounded list. Returns false when the item was dropped because the list is full,
 * so callers can warn once.
 */
export function pushBounded<T>(list: T[], item: T, max: number = MAX_LIST_ITEMS): boolean {
  if (list.length >= max) return false;
  list.push(item);
  return true;
}

/** Adds a warning code once; the list is bounded like every other list. */
export function addWarning(warnings: string[], code: string): void {
  if (!warnings.includes(code)) pushBounded(warnings, code);
}

/** The caller's `maxReports`, made sane: a positive integer no larger than HARD_MAX_REPORTS. */
export function reportLimit(requested: number | undefined): number {
  if (requested === undefined || !Number.isFinite(requested)) return DEFAULT_MAX_REPORTS;
  return Math.min(HARD_MAX_REPORTS, Math.max(1, Math.floor(requested)));
}
