import type { Sql } from '../db/client.ts';
import type { Policy } from '../reputation/policy.ts';
import { readScores, type ScoreView } from '../reputation/read-scores.ts';

/** What the JSON API and the review pages both show of an IP and of a tenant: one query set for both. */

export interface IpFacts {
  ip: string;
  platform: boolean;
  tenant: string | null;
  pool: string | null;
  score: ScoreView;
}

export async function ipFacts(sql: Sql, ip: string, policy: Policy, now: Date): Promise<IpFacts> {
  const [[owner], [score]] = await Promise.all([
    sql<{ tenant: string | null; pool: string | null }[]>`
      select tenant_id as tenant, pool from sending_ips where ip = ${ip}::inet`,
    readScores(sql, [{ subjectType: 'ip', subject: ip }], policy, now),
  ]);
  return {
    ip,
    platform: Boolean(owner),
    tenant: owner?.tenant ?? null,
    pool: owner?.pool ?? null,
    score: score!,
  };
}

export interface TenantFacts {
  id: string;
  name: string;
  status: string;
  contactEmail: string | null;
  domains: string[];
  ips: string[];
  score: ScoreView;
  unregisteredScore: ScoreView;
}

/** Null when there is no such tenant. */
export async function tenantFacts(
  sql: Sql,
  id: string,
  policy: Policy,
  now: Date,
): Promise<TenantFacts | null> {
  const [[tenant], domains, ips, [score, unregisteredScore]] = await Promise.all([
    sql<{ id: string; name: string; status: string; contactEmail: string | null }[]>`
      select id, name, status, contact_email as "contactEmail" from tenants where id = ${id}`,
    sql<{ domain: string }[]>`select domain from accepted_domains where tenant_id = ${id} order by domain`,
    sql<{ ip: string }[]>`select host(ip) as ip from sending_ips where tenant_id = ${id} order by ip`,
    readScores(
      sql,
      [
        { subjectType: 'tenant', subject: id },
        { subjectType: 'tenant_unregistered', subject: id },
      ],
      policy,
      now,
    ),
  ]);
  if (!tenant) return null;
  return {
    ...tenant,
    domains: domains.map((d) => d.domain),
    ips: ips.map((i) => i.ip),
    score: score!,
    unregisteredScore: unregisteredScore!,
  };
}
