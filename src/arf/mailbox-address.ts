import { cleanText } from './bounds.ts';

// Addresses in header fields and ARF fields: `Name <a@b>`, `<a@b>`, `a@b`, `a@b (Name)`,
// Outlook's `Name [mailto:a@b]`, and the null path `<>`.

const MAX_ADDRESS_CHARS = 320;
const QUOTED_STRING = /"(?:[^"\\]|\\.)*"/g;
const ANGLE_ADDR = /<([^<>]*)>/g;
// Split rather than searched for, so that a long value without an address costs linear time.
const ADDRESS_SEPARATORS = /[\s<>()[\]{},;:"'`]+/;
const DOMAIN =
  /^[\p{L}\p{N}_](?:[\p{L}\p{N}_-]*[\p{L}\p{N}_])?(?:\.[\p{L}\p{N}_](?:[\p{L}\p{N}_-]*[\p{L}\p{N}_])?)*$/u;

function removeComments(value: string): string {
  let depth = 0;
  let out = '';
  for (const char of value) {
    if (char === '(') depth += 1;
    else if (char === ')' && depth > 0) depth -= 1;
    else if (depth === 0) out += char;
  }
  return out;
}

function normaliseAddress(candidate: string): string | undefined {
  const address = candidate
    .trim()
    .replace(/^mailto:/i, '')
    .replace(/[.>\]]+$/, '');
  // RFC 5321 §4.5.3.1.3: a path is at most 256 octets; anything longer, or with control
  // characters in it, is not an address.
  if (address.length > MAX_ADDRESS_CHARS || cleanText(address, MAX_ADDRESS_CHARS) !== address)
    return undefined;
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return undefined;
  const domain = address.slice(at + 1).toLowerCase();
  if (!DOMAIN.test(domain)) return undefined;
  return `${address.slice(0, at)}@${domain}`;
}

/**
 * The first mailbox address in a header value, domain lower-cased; undefined for the null
 * path `<>` or when there is no address at all.
 */
export function addressIn(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const text = removeComments(value.slice(0, 4000).replace(QUOTED_STRING, '""'));
  for (const match of text.matchAll(ANGLE_ADDR)) {
    const inside = match[1]!.trim();
    if (inside === '') return undefined;
    // <@relay:user@host> source routes: the mailbox is after the last colon.
    const address = normaliseAddress(inside.slice(inside.lastIndexOf(':') + 1));
    if (address) return address;
  }
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
  return DOMAIN.test(domain) ? domain : undefined;
}

/** A bare domain as written in a field such as Reported-Domain or DKIM-Domain. */
export function cleanDomain(value: string): string | undefined {
  const domain = value.trim().replace(/^<|>$/g, '').replace(/\.$/, '').toLowerCase();
  return DOMAIN.test(domain) ? domain : undefined;
}
