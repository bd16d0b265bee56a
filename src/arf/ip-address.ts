import { BlockList, isIP } from 'node:net';

// Addresses that never identify a sending host on the Internet: a Received hop from one of
// these is inside the receiving site. Documentation ranges (RFC 5737, RFC 3849) are not in
// here on purpose: test data and the corpus use them as public addresses.
const internal = new BlockList();
internal.addSubnet('0.0.0.0', 8, 'ipv4');
internal.addSubnet('10.0.0.0', 8, 'ipv4');
internal.addSubnet('100.64.0.0', 10, 'ipv4');
internal.addSubnet('127.0.0.0', 8, 'ipv4');
internal.addSubnet('169.254.0.0', 16, 'ipv4');
internal.addSubnet('172.16.0.0', 12, 'ipv4');
internal.addSubnet('192.168.0.0', 16, 'ipv4');
internal.addAddress('::', 'ipv6');
internal.addAddress('::1', 'ipv6');
internal.addSubnet('fc00::', 7, 'ipv6');
internal.addSubnet('fe80::', 10, 'ipv6');

/** An IPv4-mapped IPv6 address (RFC 4291 §2.5.5.2) in its canonical spelling: `::ffff:c000:201`. */
const MAPPED_IPV4 = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * An IP address as written in a report (`192.0.2.1`, `[192.0.2.1]`, `IPv6:2001:db8::1`,
 * `192.0.2.1:25`, `[192.0.2.1]:25`), in canonical form: IPv4 dotted quad, IPv6 compressed
 * lower-case (RFC 5952), IPv4-mapped IPv6 as IPv4. Undefined when it is not an address.
 */
export function normaliseIp(written: string): string | undefined {
  let text = written.trim();
  if (text.length === 0 || text.length > 100) return undefined;
  const bracketed = /^\[([^\]]*)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) text = bracketed[1]!.trim();
  text = text.replace(/^ipv6:/i, '');
  // An IPv4 address with a port, as some MTAs write it.
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  if (withPort) text = withPort[1]!;
  const zone = text.indexOf('%');
  if (zone > 0) text = text.slice(0, zone);
  const version = isIP(text);
  if (version === 4) return text;
  if (version !== 6) return undefined;
  let canonical: string;
  try {
    canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    canonical = text.toLowerCase();
  }
  // Every spelling of a mapped address (`::ffff:192.0.2.1`, `0:0:0:0:0:ffff:c000:201`, ...)
  // canonicalises to one, which is the IPv4 address it maps: one host, one score, one block.
  const mapped = MAPPED_IPV4.exec(canonical);
  if (mapped) {
    const high = Number.parseInt(mapped[1]!, 16);
    const low = Number.parseInt(mapped[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return canonical;
}

// What a sloppy generator puts around an address: quotes, angle brackets, parentheses, a comma
// or full stop after it. Square brackets stay: normaliseIp reads `[192.0.2.1]` itself.
const TOKEN_PUNCTUATION = /^[<("'`]+|[>)"'`,;.]+$/g;
const TOKEN_SEPARATORS = /[\s,;]+/;
/** Tokens of a field value looked at for an address; the address comes first or nearly so. */
const MAX_TOKENS = 8;

/**
 * The address in a field value that should hold only an address and holds more:
 * `192.0.2.1 (mx.example)`, `mx.example [192.0.2.1]`, `IP: 192.0.2.1, port 25`. The first token
 * that is an address, among the first few; undefined when there is none.
 */
export function ipInFieldValue(written: string): string | undefined {
  const exact = normaliseIp(written);
  if (exact) return exact;
  const tokens = written.slice(0, 500).trim().split(TOKEN_SEPARATORS, MAX_TOKENS);
  for (const token of tokens) {
    const ip = normaliseIp(token.replace(TOKEN_PUNCTUATION, ''));
    if (ip) return ip;
  }
  return undefined;
}

// Candidate addresses in free text: runs of the characters an address is written with.
const ADDRESS_RUN = /[0-9A-Fa-f:.]{3,45}/g;
/** Characters of free text looked at: the reporter's words come first. */
const MAX_TEXT_CHARS = 16 * 1024;

/**
 * The first Internet address a person wrote in free text ("spam from 192.0.2.1", "IP:
 * 2001:db8::1"), passing over internal addresses and addresses in a URL (a spammer's link, not
 * a sender). Linear: one pass of a regex that cannot backtrack far.
 */
export function publicIpInText(text: string): string | undefined {
  const head = text.slice(0, MAX_TEXT_CHARS);
  for (const match of head.matchAll(ADDRESS_RUN)) {
    const before = head.slice(Math.max(0, match.index - 3), match.index);
    if (before.endsWith('/') || before.endsWith('@') || /[0-9A-Za-z]$/.test(before)) continue;
    const after = head[match.index + match[0].length];
    if (after !== undefined && /[0-9A-Za-z/]/.test(after)) continue;
    // A full stop or colon after the address ends the sentence or the label, unless it is
    // the :: of an IPv6 address.
    let candidate = match[0];
    if (!candidate.endsWith('::')) candidate = candidate.replace(/[.:]+$/, '');
    if (!candidate.startsWith('::')) candidate = candidate.replace(/^[.:]+/, '');
    const ip = normaliseIp(candidate);
    if (ip && !isInternalIp(ip)) return ip;
  }
  return undefined;
}

/** Loopback, private, link-local, shared (CGNAT) or unspecified: not a host on the Internet. */
export function isInternalIp(ip: string): boolean {
  const version = isIP(ip);
  if (version === 0) return false;
  return internal.check(ip, version === 4 ? 'ipv4' : 'ipv6');
}
