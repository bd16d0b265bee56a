import type { ParsedReport } from '../arf/types.ts';
import { canonicalIp } from '../net/ip-address.ts';
import type { FactsQuery, PlatformFacts } from './platform-facts.ts';
import { type TenantHeaderPolicy, type TenantHeaderStatus, verifyTenantHeader } from './tenant-header.ts';

export type AttributionMethod = 'tenant_header' | 'source_ip' | 'sender_domain' | 'none';

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
function readTenantHeader(report: ParsedReport, policy: TenantHeaderPolicy, now: Date) {
  const verdicts = tenantHeaderValues(report, policy.name).map((v) => verifyTenantHeader(v, policy, now));
  return verdicts.find((v) => v.trusted) ?? verdicts[0] ?? null;
}

/** Candidate IPs, domains and tenants one report can be attributed by: the input of the facts lookup. */
export function attributionCandidates(reports: ParsedReport[], tenantHeader: string): FactsQuery {
  const ips = new Set<string>();
  const domains = new Set<string>();
  const tenants = new Set<string>();
  for (const r of reports) {
    const src = canonicalIp(r.sourceIp);
    if (src) ips.add(src);
    for (const hop of r.original.received) {
      const ip = canonicalIp(hop.fromIp);
      if (ip) ips.add(ip);
    }
    for (const d of domainAndParents(r.senderDomain)) domains.add(d);
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

/** Who sent it, in the DESIGN's order: tenant header, then the sending IP, then the sender domain. */
export function attribute(
  report: ParsedReport,
  facts: PlatformFacts,
  tenantHeader: TenantHeaderPolicy,
  now: Date,
): Attribution {
  const sourceIp = findSendingHop(report, facts);
  const ip = sourceIp && facts.ips.has(sourceIp) ? sourceIp : null;
  const domainOwner = registeredOwner(report.senderDomain, facts);

  let tenantId: string | null = null;
  let method: AttributionMethod = 'none';
  const verdict = readTenantHeader(report, tenantHeader, now);
  if (verdict?.trusted && verdict.tenant && facts.tenants.has(verdict.tenant)) {
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
  };
}
