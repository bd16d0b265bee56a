import { normaliseIp } from '../arf/ip-address.ts';

/**
 * One spelling per address, so an IP found in a report, stored in Postgres and asked
 * about by an MTA compare equal: IPv6 compressed and lower-cased (RFC 5952), IPv4-mapped
 * IPv6 written as IPv4. The parser's reading of addresses is the one Repute has; this
 * is its face for the rest of the code (null, not undefined, when it is no address).
 */
export function canonicalIp(input: string | undefined | null): string | null {
  return input ? (normaliseIp(input) ?? null) : null;
}
