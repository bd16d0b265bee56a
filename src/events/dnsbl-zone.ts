import { isIP } from 'node:net';

/**
 * The blocked IPs as an rbldnsd data file, so a stock DNS blocklist server can serve
 * them to any MTA (`rbldnsd -c 10s … bl.example.com:combined:FILE`). Pure: the caller
 * brings the IPs and the clock.
 *
 * Formats (rbldnsd(8), "DATASET TYPES AND FORMATS"):
 * - ip4set: one IPv4 address a line, after a `:A:TXT` line giving every entry's answer;
 * - ip6trie: the same for IPv6, written with an explicit /128 because ip6trie reads an
 *   address with fewer than eight groups as a prefix;
 * - combined: both of the above as `$DATASET … @` sections of one file.
 */

export type ZoneFormat = 'combined' | 'ip4set' | 'ip6trie';

export interface ZoneOptions {
  format: ZoneFormat;
  /** Where senders ask for removal; the TXT answer points there. */
  publicUrl: string;
  /** Name servers for $NS (and, with a hostmaster, $SOA); none = no $NS / $SOA. */
  nameservers: string[];
  hostmaster: string | null;
  ttlSeconds: number;
  generatedAt: Date;
}

/** The A answer of a listed IP: the usual "listed" value of DNSBLs. */
export const LISTED_A = '127.0.0.2';

/** The TXT answer. rbldnsd replaces `$` with the queried IP, so a literal one is doubled. */
export const listedTxt = (publicUrl: string): string =>
  `Blocked by Repute, see ${publicUrl}/delist`.replaceAll('$', '$$$$');

const ipv4Key = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

/** The 32 hex digits of an IPv6 address, for a stable numeric order. */
function ipv6Key(ip: string): string {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => g.padStart(4, '0')).join('');
}

export function splitFamilies(ips: Iterable<string>): { v4: string[]; v6: string[] } {
  const v4 = new Set<string>();
  const v6 = new Set<string>();
  for (const ip of ips) {
    const family = isIP(ip);
    if (family === 4) v4.add(ip);
    else if (family === 6 && !ip.includes('.')) v6.add(ip.toLowerCase());
  }
  return {
    v4: [...v4].sort((a, b) => ipv4Key(a) - ipv4Key(b)),
    v6: [...v6].sort((a, b) => (ipv6Key(a) < ipv6Key(b) ? -1 : ipv6Key(a) > ipv6Key(b) ? 1 : 0)),
  };
}

function specials(o: ZoneOptions): string[] {
  const lines = [`$TTL ${o.ttlSeconds}`];
  const [primary] = o.nameservers;
  if (primary && o.hostmaster) {
    // Serial 0: rbldnsd uses the file's modification time. Negative answers cached 60 s only.
    lines.push(`$SOA 0 ${primary} ${o.hostmaster} 0 600 300 604800 60`);
  }
  if (o.nameservers.length > 0) lines.push(`$NS 0 ${o.nameservers.join(' ')}`);
  return lines;
}

export function renderDnsblZone(ips: Iterable<string>, o: ZoneOptions): string {
  const { v4, v6 } = splitFamilies(ips);
  const answer = `:${LISTED_A}:${listedTxt(o.publicUrl)}`;
  const lines = [
    `# Repute DNSBL: IPs blocked by Repute (${v4.length} IPv4, ${v6.length} IPv6), ${o.format} dataset`,
    `# generated ${o.generatedAt.toISOString()}; rewritten whole on every change, do not edit`,
    ...specials(o),
  ];
  if (o.format === 'combined') {
    lines.push('$DATASET ip4set:repute-ipv4 @', answer, ...v4);
    lines.push('$DATASET ip6trie:repute-ipv6 @', answer, ...v6.map((ip) => `${ip}/128`));
  } else if (o.format === 'ip4set') {
    if (v6.length > 0) lines.push(`# ${v6.length} IPv6 address(es) left out: ip4set holds IPv4 only`);
    lines.push(answer, ...v4);
  } else {
    if (v4.length > 0) lines.push(`# ${v4.length} IPv4 address(es) left out: ip6trie holds IPv6 only`);
    lines.push(answer, ...v6.map((ip) => `${ip}/128`));
  }
  return `${lines.join('\n')}\n`;
}
