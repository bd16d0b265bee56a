import { domainAndParents } from '../attribution/attribute.ts';
import type { Sql } from '../db/client.ts';
import { blockedIpNdr, unregisteredDomainNdr } from './ndr.ts';

export interface CheckAnswer {
  allow: boolean;
  code: string | null;
  ndr: string | null;
}

export const ALLOW: CheckAnswer = { allow: true, code: null, ndr: null };

/** "May this IP / tenant / From-domain send?" — the question every MTA asks before sending. */
export async function checkSending(
  sql: Sql,
  q: { ip?: string; tenant?: string; fromDomain?: string },
  publicUrl: string,
): Promise<CheckAnswer> {
  const domains = domainAndParents(q.fromDomain);
  const [row] = await sql<{ ip_status: string | null; tenant_status: string | null; registered: boolean }[]>`
    select
      (select status from scores where subject_type = 'ip' and subject = ${q.ip ?? null}::text) as ip_status,
      (select status from tenants where id = ${q.tenant ?? null}::text) as tenant_status,
      exists (select 1 from accepted_domains
               where tenant_id = ${q.tenant ?? null}::text and domain = any(${domains}::text[])) as registered`;
  if (q.ip && row?.ip_status === 'blocked') {
    return { allow: false, code: '5.7.606', ndr: blockedIpNdr(q.ip, publicUrl) };
  }
  if (q.tenant && q.fromDomain && row?.tenant_status === 'restricted_unregistered' && !row.registered) {
    return { allow: false, code: '5.7.750', ndr: unregisteredDomainNdr() };
  }
  return ALLOW;
}
