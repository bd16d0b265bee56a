import type { ParsedReport } from '../arf/types.ts';
import { canonicalIp } from '../net/ip-address.ts';
import type { FactsQuery, PlatformFacts } from './platform-facts.ts';

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
}

/** Every suffix of a domain that could be the registered one: a.b.example → a.b.example, b.example, example. */
export function domainAndParents(domain: string | undefined): string[] {
  if (!domain) return [];
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  const out: string[] = [];
  for (let i = 0; i < labels.length - 1; i++) out.push(labels.slice(i).join('.'));
  return out.length ? out : [labels.join('.')];
}

/** The tenant id a platform tenant header claims (the part before any `;` parameters). */
export function tenantHeaderValue(report: ParsedReport, headerName: string): string | undefined {
  const name = headerName.toLowerCase();
  const found = report.original.headers.find(([n]) => n === name);
  const value = found?.[1].split(';')[0]?.trim();
  return value ? value : undefined;
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
    const t = tenantHeaderValue(r, tenantHeader);
    if (t) tenants.add(t);
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
export function attribute(report: ParsedReport, facts: PlatformFacts, tenantHeader: string): Attribution {
  const sourceIp = findSendingHop(report, facts);
  const ip = sourceIp && facts.ips.has(sourceIp) ? sourceIp : null;
  const domainOwner = registeredOwner(report.senderDomain, facts);

  let tenantId: string | null = null;
  let method: AttributionMethod = 'none';
  const claimed = tenantHeaderValue(report, tenantHeader);
  if (claimed && facts.tenants.has(claimed)) {
    tenantId = claimed;
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
  return { tenantId, ip, sourceIp, method, senderDomainRegistered };
}
