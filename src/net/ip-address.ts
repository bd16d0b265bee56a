import { isIP } from 'node:net';

/**
 * One spelling per address, so an IP found in a report, stored in Postgres and asked
 * about by an MTA compare equal: IPv6 compressed and lower-cased (RFC 5952, as the
 * WHATWG URL parser writes it), IPv4-mapped IPv6 written as IPv4. Null if not an IP.
 */
export function canonicalIp(input: string | undefined | null): string | null {
  if (!input) return null;
  let s = input.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (/^ipv6:/i.test(s)) s = s.slice(5);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const family = isIP(s);
  if (family === 4) return s.split('.').map(Number).join('.');
  if (family !== 6) return null;
  const host = new URL(`http://[${s}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped) {
    const hi = Number.parseInt(mapped[1]!, 16);
    const lo = Number.parseInt(mapped[2]!, 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return host;
}
