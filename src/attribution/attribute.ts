import type { ParsedReport } from '../arf/types.ts';
import { type Evidence, evidenceOf, NO_PROOFS, type Proofs } from '../evidence/evidence-level.ts';
import { canonicalIp } from '../net/ip-address.ts';
import type { FactsQuery, PlatformFacts } from './platform-facts.ts';
import {
  type TenantHeaderPolicy,
  type TenantHeaderStatus,
  type TenantHeaderVerdict,
  verifyTenantHeader,
} from './tenant-header.ts';

export type AttributionMethod = 'tenant_header' | 'dkim' | 'source_ip' | 'sender_domain' | 'none';

export interface Attribution {
  tenantId: string | null;
  /** The platform sending IP the complaint is about, when it is one of ours. */
  ip: string | null;
  /** The IP the report is about, ours or not. */
  sourceIp: string | null;
  method: AttributionMethod;
  /** Whether the sender domain is one the attributed tenant registered; null when unknown. */
  senderDomainRegistered: boolean | null;
  /** What the tenant header said, when there was one: a forged or stale one is recorded, not trusted. */
  tenantHeaderStatus: TenantHeaderStatus | null;
  /** What proves the platform sent the reported mail. */
  evidence: Evidence;
  /** Codes for what attribution refused to believe, e.g. `attribution.ip_not_the_tenants`. */
  warnings: string[];
}

/** Every suffix of a domain that could be the registered one: a.b.example → a.b.example, b.example, example. */
export function domainAndParents(domain: string | undefined): string[] {
  if (!domain) return [];
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  const out: string[] = [];
  for (let i = 0; i < labels.length - 1; i++) out.push(labels.slice(i).join('.'));
  return out.length ? out : [labels.join('.')];
}

/** Every value of the platform's tenant header in the reported message, as written. */
export function tenantHeaderValues(report: ParsedReport, headerName: string): string[] {
  const name = headerName.toLowerCase();
  return report.original.headers.filter(([n]) => n === name).map(([, v]) => v.trim());
}

/** A sender can add a header of the same name; one that verifies wins, else the first speaks for all. */
function readTenantHeader(
  report: ParsedReport,
  policy: TenantHeaderPolicy,
  now: Date,
): { verdict: TenantHeaderVerdict | null; count: number } {
  const values = tenantHeaderValues(report, policy.name);
  const verdicts = values.map((v) => verifyTenantHeader(v, policy, now, report.original.messageId));
  return { verdict: verdicts.find((v) => v.signed) ?? verdicts[0] ?? null, count: values.length };
}

/** Candidate IPs, domains and tenants reports can be attributed by: the input of the facts lookup. */
export function attributionCandidates(
  items: Array<{ report: ParsedReport; proofs?: Proofs }>,
  tenantHeader: string,
): FactsQuery {
  const ips = new Set<string>();
  const domains = new Set<string>();
  const tenants = new Set<string>();
  for (const { report: r, proofs } of items) {
    const src = canonicalIp(r.sourceIp);
    if (src) ips.add(src);
    for (const hop of r.original.received) {
      const ip = canonicalIp(hop.fromIp);
      if (ip) ips.add(ip);
    }
    for (const d of domainAndParents(r.senderDomain)) domains.add(d);
    for (const d of domainAndParents(proofs?.platformSignature?.domain)) domains.add(d);
    for (const v of tenantHeaderValues(r, tenantHeader)) {
      const t = v.split(';')[0]?.trim();
      if (t) tenants.add(t);
    }
  }
  return { ips: [...ips], domains: [...domains], tenants: [...tenants] };
}

/**
 * The IP a report is about. An ARF Source-IP is the reporter's own word. Otherwise
 * the Received chain may hold several hops, and the right one is the hop where one
 * of the platform's sending IPs handed the message on; failing that, the parser's guess.
 */
export function findSendingHop(report: ParsedReport, facts: PlatformFacts): string | null {
  const declared = canonicalIp(report.sourceIp);
  if (declared && report.sourceIpOrigin === 'arf') return declared;
  for (const hop of report.original.received) {
    const ip = canonicalIp(hop.fromIp);
    if (ip && facts.ips.has(ip)) return ip;
  }
  return declared;
}

function registeredOwner(domain: string | undefined, facts: PlatformFacts): string | null {
  for (const d of domainAndParents(domain)) {
    const owner = facts.domains.get(d);
    if (owner) return owner;
  }
  return null;
}

/**
 * The tenant a platform proof names: the owner of the signing domain, else the tenant of a
 * tenant header the signature covers (one instance only: DKIM signs the bottom one, and a
 * sender can add another above it), else the tenant of a message-bound tenant header.
 */
function provenTenant(
  proofs: Proofs,
  header: { verdict: TenantHeaderVerdict | null; count: number },
  headerName: string,
  facts: PlatformFacts,
): { tenant: string; by: 'dkim' | 'tenant_header' } | null {
  const sig = proofs.platformSignature;
  if (sig) {
    const owner = registeredOwner(sig.domain, facts);
    if (owner) return { tenant: owner, by: 'dkim' };
    const tenant = header.verdict?.tenant;
    if (tenant && header.count === 1 && sig.signedFields.includes(headerName) && facts.tenants.has(tenant)) {
      return { tenant, by: 'tenant_header' };
    }
  }
  const v = header.verdict;
  if (v?.status === 'valid' && v.tenant && facts.tenants.has(v.tenant)) {
    return { tenant: v.tenant, by: 'tenant_header' };
  }
  return null;
}

/**
 * Who sent it, in the DESIGN's order: tenant header, then the sending IP, then the sender
 * domain; and how sure that is. A tenant header counts when its HMAC verifies, when a platform
 * DKIM signature covers it, or, on a platform without tenant-header keys, when a partner
 * reports the message and the header is its only one. When a platform proof names the tenant, an IP dedicated to another tenant
 * is not believed: the Received chain and Source-IP are the reporter's word, and a tenant
 * forwarding its own signed mail must not get another tenant's IP blocked.
 */
export function attribute(
  report: ParsedReport,
  facts: PlatformFacts,
  tenantHeader: TenantHeaderPolicy,
  now: Date,
  proofs: Proofs = NO_PROOFS,
): Attribution {
  const header = readTenantHeader(report, tenantHeader, now);
  const verdict = header.verdict;
  const evidence = evidenceOf(proofs, verdict?.status === 'valid');
  const warnings: string[] = [];
  const proven =
    evidence.level === 'verified' ? provenTenant(proofs, header, tenantHeader.name, facts) : null;

  const sourceIp = findSendingHop(report, facts);
  let ip = sourceIp && facts.ips.has(sourceIp) ? sourceIp : null;
  if (proven && ip && !proofs.partner) {
    const owner = facts.ips.get(ip);
    if (owner && owner !== proven.tenant) {
      ip = null;
      warnings.push('attribution.ip_not_the_tenants');
    }
  }
  const domainOwner = registeredOwner(report.senderDomain, facts);
  // Without keys a bare header is believed only from a partner, and only alone: a sender can
  // add one of its own above the platform's. (A platform signature covering it is a proof, above.)
  const headerTrusted =
    verdict?.signed === true ||
    (verdict?.status === 'unsigned' &&
      tenantHeader.keys.length === 0 &&
      header.count === 1 &&
      proofs.partner !== null);

  let tenantId: string | null = null;
  let method: AttributionMethod = 'none';
  if (proven) {
    tenantId = proven.tenant;
    method = proven.by;
  } else if (headerTrusted && verdict?.tenant && facts.tenants.has(verdict.tenant)) {
    tenantId = verdict.tenant;
    method = 'tenant_header';
  } else if (ip && facts.ips.get(ip)) {
    tenantId = facts.ips.get(ip) ?? null;
    method = 'source_ip';
  } else if (domainOwner) {
    tenantId = domainOwner;
    method = 'sender_domain';
  } else if (ip) {
    method = 'source_ip';
  }

  const senderDomainRegistered = tenantId && report.senderDomain ? domainOwner === tenantId : null;
  return {
    tenantId,
    ip,
    sourceIp,
    method,
    senderDomainRegistered,
    tenantHeaderStatus: verdict?.status ?? null,
    evidence,
    warnings,
  };
}
