import { cleanText } from './bounds.ts';

// Addresses in header fields and ARF fields: `Name <a@b>`, `<a@b>`, `a@b`, `a@b (Name)`,
// Outlook's `Name [mailto:a@b]`, and the null path `<>`.

const MAX_ADDRESS_CHARS = 320;
/** Characters of a header value searched for an address; an address sits near the start. */
const MAX_SCANNED_CHARS = 4000;
/** RFC 1035 §2.3.4: a name is at most 255 octets (253 characters written), a label at most 63. */
const MAX_DOMAIN_CHARS = 253;
const ANGLE_ADDR = /<([^<>]*)>/g;
// Split rather than searched for, so that a long value without an address costs linear time.
const ADDRESS_SEPARATORS = /[\s<>()[\]{},;:"'`]+/;
const LABEL = /^[\p{L}\p{N}_](?:[\p{L}\p{N}_-]{0,61}[\p{L}\p{N}_])?$/u;
// RFC 5322 §3.2.3 atext and dots (a dot-atom local part), and any non-ASCII character (RFC 6531).
// Quoted local parts ("john smith"@example) are so rare in mail that reaches an abuse desk, and
// so common in forgeries, that they are not read: a local part with a space, a bracket, a quote
// or a backslash is not an address.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\u0080-\uffff-]+$/;
const TRAILING_PUNCTUATION = new Set(['.', '>', ']']);

/**
 * The value with comments removed and quoted strings emptied (`"a <b@c>" <d@e>` → `"" <d@e>`),
 * in one pass. An opening quote with no closing quote after it is an ordinary character, and so
 * is every quote after it: once one scan to the end has failed, a scan from any later quote sees
 * the same characters and would fail too, so the value is never rescanned (a regex over quoted
 * strings took seconds on a report full of them).
 */
function withoutCommentsAndQuotes(value: string): string {
  let out = '';
  let depth = 0;
  let unclosedQuote = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (depth > 0) {
      if (char === '\\') i += 1;
      else if (char === '(') depth += 1;
      else if (char === ')') depth -= 1;
      continue;
    }
    if (char === '(') {
      depth = 1;
    } else if (char === '"' && !unclosedQuote) {
      let j = i + 1;
      while (j < value.length && value[j] !== '"') j += value[j] === '\\' ? 2 : 1;
      if (j < value.length) {
        out += '""';
        i = j;
      } else {
        unclosedQuote = true;
        out += char;
      }
    } else {
      out += char;
    }
  }
  return out;
}

function isDomain(domain: string): boolean {
  if (domain.length === 0 || domain.length > MAX_DOMAIN_CHARS) return false;
  for (const label of domain.split('.')) if (!LABEL.test(label)) return false;
  return true;
}

function normaliseAddress(candidate: string): string | undefined {
  let address = candidate.trim();
  if (address.slice(0, 7).toLowerCase() === 'mailto:') address = address.slice(7);
  let end = address.length;
  while (end > 0 && TRAILING_PUNCTUATION.has(address[end - 1]!)) end -= 1;
  address = address.slice(0, end);
  // RFC 5321 §4.5.3.1.3: a path is at most 256 octets; anything longer, or with control
  // characters in it, is not an address.
  if (address.length > MAX_ADDRESS_CHARS || cleanText(address, MAX_ADDRESS_CHARS) !== address)
    return undefined;
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return undefined;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  if (!LOCAL_PART.test(local) || !isDomain(domain)) return undefined;
  return `${local}@${domain}`;
}

/**
 * The first mailbox address in a header value, domain lower-cased; undefined for the null
 * path `<>` or when there is no address at all. Linear in the length of the value.
 */
export function addressIn(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const text = withoutCommentsAndQuotes(value.slice(0, MAX_SCANNED_CHARS));
  let angleWithAt = false;
  for (const match of text.matchAll(ANGLE_ADDR)) {
    const inside = match[1]!.trim();
    if (inside === '') return undefined;
    // <@relay:user@host> source routes: the mailbox is after the last colon.
    const address = normaliseAddress(inside.slice(inside.lastIndexOf(':') + 1));
    if (address) return address;
    if (inside.includes('@')) angleWithAt = true;
  }
  // `Name <john smith@example>` names a broken address: a word of it is not the address.
  if (angleWithAt) return undefined;
  for (const token of text.split(ADDRESS_SEPARATORS)) {
    if (!token.includes('@')) continue;
    const address = normaliseAddress(token);
    if (address) return address;
  }
  return undefined;
}

/** The domain part of an address, lower-cased, when it looks like a domain. */
export function domainOf(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const at = address.lastIndexOf('@');
  if (at < 0) return undefined;
  const domain = address
    .slice(at + 1)
    .trim()
    .replace(/\.$/, '')
    .toLowerCase();
  return isDomain(domain) ? domain : undefined;
}

/** A bare domain as written in a field such as Reported-Domain or DKIM-Domain. */
export function cleanDomain(value: string): string | undefined {
  const domain = value.trim().replace(/^<|>$/g, '').replace(/\.$/, '').toLowerCase();
  return isDomain(domain) ? domain : undefined;
}
