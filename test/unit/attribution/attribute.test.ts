import { describe, expect, it } from 'vitest';
import type { ParsedReport } from '../../../src/arf/types.ts';
import { attribute, attributionCandidates, domainAndParents } from '../../../src/attribution/attribute.ts';
import type { PlatformFacts } from '../../../src/attribution/platform-facts.ts';
import { signTenantHeader, signTenantHeaderV1 } from '../../../src/attribution/tenant-header.ts';
import type { Proofs } from '../../../src/evidence/evidence-level.ts';
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

const PARTNER: Proofs = { partner: { partner: 'fbl', via: 'token' }, platformSignature: null };

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
      PARTNER,
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
      evidence: { level: 'claimed', detail: null },
      warnings: [],
    });
  });

  it('asks the database about every candidate at once', () => {
    const q = attributionCandidates(
      [
        {
          report: report({
            sourceIp: '2001:DB8::1',
            hops: ['198.51.100.23', 'junk'],
            senderDomain: 'a.b.example',
            headers: [['x-t', 'acme']],
          }),
        },
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

describe('evidence and attribution, as an attacker meets them', () => {
  const KEY = 'k'.repeat(32);
  const SIGNED = { ...H, keys: [KEY] };
  const T = Math.floor(NOW.getTime() / 1000) - 3600;
  const mine = (o: Partial<ParsedReport> & { headers?: Array<[string, string]> }) =>
    report({ sourceIp: '198.51.100.23', sourceIpOrigin: 'arf', ...o });
  const withMessageId = (r: ParsedReport, messageId: string) => {
    r.original.messageId = messageId;
    return r;
  };
  const signature = (domain: string, signedFields = ['from', 'message-id', 'to']): Proofs => ({
    partner: null,
    platformSignature: { domain, selector: 's1', signedFields, bodyVerified: true },
  });

  it('does not trust a bare tenant header from a stranger on a platform without keys', () => {
    const a = attribute(mine({ headers: [['x-repute-tenant', 'contoso']] }), facts, H, NOW);
    expect(a).toMatchObject({ tenantId: 'northwind', method: 'source_ip', tenantHeaderStatus: 'unsigned' });
    expect(a.evidence.level).toBe('claimed');
  });

  it('verifies a tenant header bound to the message it names', () => {
    const r = withMessageId(
      mine({ headers: [['x-repute-tenant', signTenantHeader('contoso', T, '<m-1@contoso.example>', KEY)]] }),
      '<m-1@contoso.example>',
    );
    const a = attribute(r, facts, SIGNED, NOW);
    expect(a).toMatchObject({ tenantId: 'contoso', method: 'tenant_header', tenantHeaderStatus: 'valid' });
    expect(a.evidence).toEqual({ level: 'verified', detail: 'signed tenant header' });
  });

  it('calls a header lifted from one message onto another a bad signature', () => {
    const lifted = signTenantHeader('contoso', T, '<real@contoso.example>', KEY);
    const r = withMessageId(mine({ headers: [['x-repute-tenant', lifted]] }), '<forged-2@contoso.example>');
    const a = attribute(r, facts, SIGNED, NOW);
    expect(a).toMatchObject({ tenantId: 'northwind', tenantHeaderStatus: 'bad_signature' });
    expect(a.evidence.level).toBe('claimed');
  });

  it('refuses the replayable version 1 header unless told to accept it, and never calls it verified', () => {
    const v1 = mine({ headers: [['x-repute-tenant', signTenantHeaderV1('contoso', T, KEY)]] });
    expect(attribute(v1, facts, SIGNED, NOW)).toMatchObject({ tenantHeaderStatus: 'bad_signature' });
    const accepted = attribute(v1, facts, { ...SIGNED, acceptV1: true }, NOW);
    expect(accepted).toMatchObject({ tenantId: 'contoso', tenantHeaderStatus: 'valid_v1' });
    expect(accepted.evidence.level).toBe('claimed');
  });

  it('takes the tenant a platform signature proves, and drops an IP dedicated to another tenant', () => {
    // contoso forwards its own signed mail with a forged hop through northwind's IP.
    const a = attribute(
      mine({ senderDomain: 'contoso.example' }),
      facts,
      H,
      NOW,
      signature('contoso.example'),
    );
    expect(a).toMatchObject({ tenantId: 'contoso', method: 'dkim', ip: null });
    expect(a.warnings).toEqual(['attribution.ip_not_the_tenants']);
    expect(a.evidence.level).toBe('verified');
  });

  it('keeps a shared IP and the tenant’s own IP under a platform signature', () => {
    const own = attribute(mine({}), facts, H, NOW, signature('northwind.example'));
    expect(own).toMatchObject({ tenantId: 'northwind', ip: '198.51.100.23', warnings: [] });
    const shared = attribute(
      report({ sourceIp: '198.51.100.200', sourceIpOrigin: 'arf' }),
      facts,
      H,
      NOW,
      signature('contoso.example'),
    );
    expect(shared).toMatchObject({ tenantId: 'contoso', ip: '198.51.100.200' });
  });

  it('believes a partner’s Source-IP whatever the original’s signature says', () => {
    const a = attribute(mine({}), facts, H, NOW, {
      ...signature('contoso.example'),
      partner: PARTNER.partner,
    });
    expect(a).toMatchObject({ tenantId: 'contoso', ip: '198.51.100.23' });
  });

  it('takes a tenant header a platform-domain signature covers, once', () => {
    const header: Array<[string, string]> = [['x-repute-tenant', 'contoso']];
    const sig = signature('mail.platform.example', ['from', 'message-id', 'x-repute-tenant']);
    expect(attribute(mine({ headers: header }), facts, H, NOW, sig)).toMatchObject({
      tenantId: 'contoso',
      method: 'tenant_header',
    });
    // A second header added above the signed one: nothing proves which is the platform's.
    const twice = mine({ headers: [['x-repute-tenant', 'contoso'], ...header] });
    expect(attribute(twice, facts, H, NOW, sig)).toMatchObject({
      tenantId: 'northwind',
      method: 'source_ip',
    });
    // Not covered by the signature: a forwarder could have written it.
    const uncovered = signature('mail.platform.example');
    expect(attribute(mine({ headers: header }), facts, H, NOW, uncovered).method).toBe('source_ip');
  });

  it('believes a bare tenant header from a partner only when it is the only one', () => {
    const one = mine({ headers: [['x-repute-tenant', 'contoso']] });
    expect(attribute(one, facts, H, NOW, PARTNER).tenantId).toBe('contoso');
    const two = mine({
      headers: [
        ['x-repute-tenant', 'contoso'],
        ['x-repute-tenant', 'northwind'],
      ],
    });
    expect(attribute(two, facts, H, NOW, PARTNER).method).toBe('source_ip');
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
