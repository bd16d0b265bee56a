import type { Queryable } from '../db/client.ts';
import type { FactsQuery, PlatformFacts } from './platform-facts.ts';

/** One round trip for everything a message's reports can be attributed by. */
export async function loadFacts(sql: Queryable, q: FactsQuery): Promise<PlatformFacts> {
  const facts: PlatformFacts = { ips: new Map(), domains: new Map(), tenants: new Set() };
  if (q.ips.length + q.domains.length + q.tenants.length === 0) return facts;
  const rows = await sql<{ kind: string; key: string; owner: string | null }[]>`
    select 'ip' as kind, host(ip) as key, tenant_id as owner from sending_ips where ip = any(${q.ips}::inet[])
    union all
    select 'domain', domain, tenant_id from accepted_domains where domain = any(${q.domains}::text[])
    union all
    select 'tenant', id, null from tenants where id = any(${q.tenants}::text[])`;
  for (const r of rows) {
    if (r.kind === 'ip') facts.ips.set(r.key, r.owner);
    else if (r.kind === 'domain' && r.owner) facts.domains.set(r.key, r.owner);
    else if (r.kind === 'tenant') facts.tenants.add(r.key);
  }
  return facts;
}
