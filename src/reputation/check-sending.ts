import type { Redis } from 'ioredis';
import { domainAndParents } from '../attribution/attribute.ts';
import type { Sql } from '../db/client.ts';
import { checkKeys } from '../events/check-cache.ts';
import { blockedIpNdr, unregisteredDomainNdr } from './ndr.ts';

export interface CheckAnswer {
  allow: boolean;
  code: string | null;
  ndr: string | null;
}

export const ALLOW: CheckAnswer = { allow: true, code: null, ndr: null };

export interface CheckQuery {
  ip?: string;
  tenant?: string;
  fromDomain?: string;
}

interface Facts {
  ipBlocked: boolean;
  tenantRestricted: boolean;
  domainRegistered: boolean;
}

/** "May this IP / tenant / From-domain send?" — the question every MTA asks before sending. */
export function answerCheck(q: CheckQuery, f: Facts, publicUrl: string): CheckAnswer {
  if (q.ip && f.ipBlocked) return { allow: false, code: '5.7.606', ndr: blockedIpNdr(q.ip, publicUrl) };
  if (q.tenant && q.fromDomain && f.tenantRestricted && !f.domainRegistered) {
    return { allow: false, code: '5.7.750', ndr: unregisteredDomainNdr() };
  }
  return ALLOW;
}

/** From the Redis copy the events worker keeps: one round trip. Null when the copy is not built. */
export async function checkFactsFromCache(
  redis: Redis,
  prefix: string,
  q: CheckQuery,
): Promise<Facts | null> {
  const keys = checkKeys(prefix);
  const domains = domainAndParents(q.fromDomain);
  const p = redis.pipeline();
  p.exists(keys.built);
  p.sismember(keys.ips, q.ip ?? '');
  p.sismember(keys.tenants, q.tenant ?? '');
  if (q.tenant && domains.length) p.smismember(keys.domains(q.tenant), ...domains);
  const res = await p.exec();
  if (!res || res.some(([err]) => err)) throw new Error('check cache read failed');
  if (res[0]![1] !== 1) return null;
  const registered = (res[3]?.[1] as number[] | undefined)?.some((x) => x === 1) ?? false;
  return { ipBlocked: res[1]![1] === 1, tenantRestricted: res[2]![1] === 1, domainRegistered: registered };
}

/** From Postgres: the source of truth, used when the Redis copy is missing or Redis is down. */
export async function checkFactsFromDatabase(sql: Sql, q: CheckQuery): Promise<Facts> {
  const domains = domainAndParents(q.fromDomain);
  const [row] = await sql<{ ip_status: string | null; tenant_status: string | null; registered: boolean }[]>`
    select
      (select status from scores where subject_type = 'ip' and subject = ${q.ip ?? null}::text) as ip_status,
      (select status from tenants where id = ${q.tenant ?? null}::text) as tenant_status,
      exists (select 1 from accepted_domains
               where tenant_id = ${q.tenant ?? null}::text and domain = any(${domains}::text[])) as registered`;
  return {
    ipBlocked: row?.ip_status === 'blocked',
    tenantRestricted: row?.tenant_status === 'restricted_unregistered',
    domainRegistered: row?.registered ?? false,
  };
}
