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

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

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
  const mapped = MAPPED_IPV4.exec(text);
  if (mapped && isIP(mapped[1]!) === 4) return mapped[1]!;
  try {
    return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return text.toLowerCase();
  }
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

/** Loopback, private, link-local, shared (CGNAT) or unspecified: not a host on the Internet. */
export function isInternalIp(ip: string): boolean {
  const version = isIP(ip);
  if (version === 0) return false;
  return internal.check(ip, version === 4 ? 'ipv4' : 'ipv6');
}
