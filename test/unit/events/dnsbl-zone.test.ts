import { describe, expect, it } from 'vitest';
import { listedTxt, renderDnsblZone, type ZoneOptions } from '../../../src/events/dnsbl-zone.ts';

const options: ZoneOptions = {
  format: 'combined',
  publicUrl: 'https://repute.example',
  nameservers: [],
  hostmaster: null,
  ttlSeconds: 300,
  generatedAt: new Date('2025-01-02T03:04:05Z'),
};
const IPS = [
  '203.0.113.9',
  '2001:db8::1',
  '198.51.100.23',
  '192.0.2.200',
  '192.0.2.3',
  '2001:db8::1:0',
  '::1',
];

describe('the rbldnsd zone', () => {
  it('writes IPv4 as an ip4set and IPv6 as an ip6trie, in a combined dataset, numerically sorted', () => {
    expect(renderDnsblZone(IPS, options)).toBe(
      [
        '# Repute DNSBL: IPs blocked by Repute (4 IPv4, 3 IPv6), combined dataset',
        '# generated 2025-01-02T03:04:05.000Z; rewritten whole on every change, do not edit',
        '$TTL 300',
        '$DATASET ip4set:repute-ipv4 @',
        ':127.0.0.2:Blocked by Repute, see https://repute.example/delist',
        '192.0.2.3',
        '192.0.2.200',
        '198.51.100.23',
        '203.0.113.9',
        '$DATASET ip6trie:repute-ipv6 @',
        ':127.0.0.2:Blocked by Repute, see https://repute.example/delist',
        '::1/128',
        '2001:db8::1/128',
        '2001:db8::1:0/128',
        '',
      ].join('\n'),
    );
  });

  it('leaves the other family out of a single-family dataset, and says so', () => {
    const v4 = renderDnsblZone(IPS, { ...options, format: 'ip4set' }).split('\n');
    expect(v4).toContain('# 3 IPv6 address(es) left out: ip4set holds IPv4 only');
    expect(v4.slice(-6)).toEqual([
      ':127.0.0.2:Blocked by Repute, see https://repute.example/delist',
      '192.0.2.3',
      '192.0.2.200',
      '198.51.100.23',
      '203.0.113.9',
      '',
    ]);
    expect(v4.some((l) => l.startsWith('$DATASET'))).toBe(false);
    const v6 = renderDnsblZone(IPS, { ...options, format: 'ip6trie' }).split('\n');
    expect(v6.filter((l) => l.endsWith('/128'))).toEqual(['::1/128', '2001:db8::1/128', '2001:db8::1:0/128']);
    expect(v6.some((l) => l.includes('203.0.113.9'))).toBe(false);
  });

  it('adds $SOA and $NS when name servers and a hostmaster are configured', () => {
    const lines = renderDnsblZone(['192.0.2.1'], {
      ...options,
      nameservers: ['ns1.bl.example', 'ns2.bl.example'],
      hostmaster: 'hostmaster.bl.example',
    }).split('\n');
    expect(lines).toContain('$SOA 0 ns1.bl.example hostmaster.bl.example 0 600 300 604800 60');
    expect(lines).toContain('$NS 0 ns1.bl.example ns2.bl.example');
    const nsOnly = renderDnsblZone([], { ...options, nameservers: ['ns1.bl.example'] });
    expect(nsOnly).toContain('$NS 0 ns1.bl.example');
    expect(nsOnly).not.toContain('$SOA');
  });

  it('lists each address once and skips what is not an IP', () => {
    const zone = renderDnsblZone(['192.0.2.1', '192.0.2.1', 'not-an-ip', ''], {
      ...options,
      format: 'ip4set',
    });
    expect(zone.split('\n').filter((l) => l === '192.0.2.1')).toHaveLength(1);
    expect(zone).not.toContain('not-an-ip');
  });

  it('doubles a dollar sign in the TXT text, which rbldnsd would replace with the IP', () => {
    expect(listedTxt('https://x.example/a$b')).toBe('Blocked by Repute, see https://x.example/a$$b/delist');
  });
});
