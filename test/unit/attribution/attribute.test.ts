import { describe, expect, it } from 'vitest';
import type { ParsedReport } from '../../../src/arf/types.ts';
import { attribute, attributionCandidates, domainAndParents } from '../../../src/attribution/attribute.ts';
import type { PlatformFacts } from '../../../src/attribution/platform-facts.ts';
import { canonicalIp } from '../../../src/net/ip-address.ts';

const report = (
  o: Partial<ParsedReport> & { headers?: Array<[string, string]>; hops?: string[] } = {},
): ParsedReport => ({
  format: 'arf',
  evidence: 'complaint',
  feedbackType: 'abuse',
  originalRcptTo: [],
  reportedDomains: [],
  reportedUris: [],
  warnings: [],
  original: {
    headers: o.headers ?? [],
    received: (o.hops ?? []).map((fromIp) => ({ fromIp })),
    dkimDomains: [],
    headersOnly: false,
  },
  ...o,
});

const NOW = new Date('2026-11-23T12:00:00Z');
const H = { name: 'x-repute-tenant', keys: [] as string[], maxAgeDays: 30 };

const facts: PlatformFacts = {
  ips: new Map([
    ['198.51.100.23', 'northwind'],
    ['198.51.100.200', null],
  ]),
  domains: new Map([
    ['northwind.example', 'northwind'],
    ['contoso.example', 'contoso'],
  ]),
  tenants: new Set(['northwind', 'contoso']),
};

describe('attribution', () => {
  it('trusts the tenant header first', () => {
    const a = attribute(
      report({
        headers: [['x-repute-tenant', 'contoso; t=1']],
        sourceIp: '198.51.100.23',
        sourceIpOrigin: 'arf',
        senderDomain: 'contoso.example',
      }),
      facts,
      H,
      NOW,
    );
    expect(a).toMatchObject({
      tenantId: 'contoso',
      method: 'tenant_header',
      ip: '198.51.100.23',
      senderDomainRegistered: true,
    });
  });

  it('ignores a tenant header naming no tenant and falls back to the IP', () => {
    const a = attribute(
      report({ headers: [['x-repute-tenant', 'nobody']], sourceIp: '198.51.100.23', sourceIpOrigin: 'arf' }),
      facts,
      H,
      NOW,
    );
    expect(a).toMatchObject({ tenantId: 'northwind', method: 'source_ip' });
  });

  it('finds the hop where a platform IP handed the message on, below other hops', () => {
    const r = report({
      hops: ['192.0.2.10', '198.51.100.23', '10.0.0.5'],
      sourceIp: '192.0.2.10',
      sourceIpOrigin: 'received',
    });
    expect(attribute(r, facts, H, NOW)).toMatchObject({
      ip: '198.51.100.23',
      tenantId: 'northwind',
    });
  });

  it('scores a shared IP with no tenant, and attributes by domain after it', () => {
    const shared = attribute(report({ sourceIp: '198.51.100.200', sourceIpOrigin: 'arf' }), facts, H, NOW);
    expect(shared).toMatchObject({ ip: '198.51.100.200', tenantId: null, method: 'source_ip' });
    const both = attribute(
      report({ sourceIp: '198.51.100.200', sourceIpOrigin: 'arf', senderDomain: 'mail.contoso.example' }),
      facts,
      H,
      NOW,
    );
    expect(both).toMatchObject({
      ip: '198.51.100.200',
      tenantId: 'contoso',
      method: 'sender_domain',
      senderDomainRegistered: true,
    });
  });

  it('marks mail from a domain the tenant never registered', () => {
    const a = attribute(
      report({ sourceIp: '198.51.100.23', sourceIpOrigin: 'arf', senderDomain: 'payroll-update.example' }),
      facts,
      H,
      NOW,
    );
    expect(a).toMatchObject({ tenantId: 'northwind', senderDomainRegistered: false });
    const other = attribute(
      report({ sourceIp: '198.51.100.23', sourceIpOrigin: 'arf', senderDomain: 'contoso.example' }),
      facts,
      H,
      NOW,
    );
    expect(other.senderDomainRegistered).toBe(false);
  });

  it('leaves mail the platform did not send unattributed', () => {
    expect(
      attribute(
        report({ sourceIp: '192.0.2.1', sourceIpOrigin: 'arf', senderDomain: 'x.example' }),
        facts,
        H,
        NOW,
      ),
    ).toEqual({
      tenantId: null,
      ip: null,
      sourceIp: '192.0.2.1',
      method: 'none',
      senderDomainRegistered: null,
      tenantHeaderStatus: null,
    });
  });

  it('asks the database about every candidate at once', () => {
    const q = attributionCandidates(
      [
        report({
          sourceIp: '2001:DB8::1',
          hops: ['198.51.100.23', 'junk'],
          senderDomain: 'a.b.example',
          headers: [['x-t', 'acme']],
        }),
      ],
      'x-t',
    );
    expect(q).toEqual({
      ips: ['2001:db8::1', '198.51.100.23'],
      domains: ['a.b.example', 'b.example'],
      tenants: ['acme'],
    });
  });
});

describe('domainAndParents', () => {
  it('lists a domain and its parents, not the bare TLD', () => {
    expect(domainAndParents('Mail.Northwind.Example.')).toEqual([
      'mail.northwind.example',
      'northwind.example',
    ]);
  });
});

describe('canonicalIp', () => {
  it.each([
    ['2001:DB8:0:0::1', '2001:db8::1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    // Every spelling of an IPv4-mapped address is the IPv4 address.
    ['::ffff:c000:201', '192.0.2.1'],
    ['::FFFF:C000:0201', '192.0.2.1'],
    ['0:0:0:0:0:ffff:192.0.2.1', '192.0.2.1'],
    ['0000:0000:0000:0000:0000:ffff:c000:0296', '192.0.2.150'],
    ['[::ffff:192.0.2.1]:25', '192.0.2.1'],
    ['::ffff:0:c000:201', '::ffff:0:c000:201'],
    ['[198.51.100.23]', '198.51.100.23'],
    ['IPv6:2001:db8::2', '2001:db8::2'],
    ['192.0.2.01', null],
    ['not an ip', null],
    ['', null],
  ])('%s → %s', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });
});
