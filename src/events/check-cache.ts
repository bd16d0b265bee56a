import type { Redis } from 'ioredis';
import type { Sql } from '../db/client.ts';
import type { Publisher } from './publisher.ts';

/**
 * The Redis copy of what /v1/check needs: blocked IPs, tenants restricted to their
 * registered domains, and those tenants' domains. Rebuilt whole from Postgres (it is
 * small: restrictions are few) and swapped in atomically, so a check never needs
 * Postgres and keeps answering while Postgres is down.
 */
export const checkKeys = (prefix: string) => ({
  ips: `${prefix}:check:blocked-ips`,
  tenants: `${prefix}:check:restricted-tenants`,
  domains: (tenant: string) => `${prefix}:check:domains:${tenant}`,
  built: `${prefix}:check:built`,
  /** Pub/sub channel told the build stamp after every rebuild. */
  changed: `${prefix}:check:changed`,
});

export async function rebuildCheckCache(sql: Sql, redis: Redis, prefix: string): Promise<void> {
  const [ips, tenants] = await Promise.all([
    sql<{ subject: string }[]>`select subject from scores where subject_type = 'ip' and status = 'blocked'`,
    sql<{ id: string; domains: string[] }[]>`
      select t.id, coalesce(array_agg(d.domain) filter (where d.domain is not null), '{}') as domains
        from tenants t left join accepted_domains d on d.tenant_id = t.id
       where t.status = 'restricted_unregistered' group by t.id`,
  ]);
  const keys = checkKeys(prefix);
  const stamp = Date.now().toString(36);
  const tmp = (k: string) => `${k}:new:${stamp}`;
  const previous = await redis.smembers(keys.tenants);
  const m = redis.multi();
  // Build under temporary names, then rename: readers see the old copy or the new one, never half.
  m.del(tmp(keys.ips), tmp(keys.tenants));
  if (ips.length) m.sadd(tmp(keys.ips), ...ips.map((r) => r.subject));
  if (tenants.length) m.sadd(tmp(keys.tenants), ...tenants.map((t) => t.id));
  for (const t of tenants) {
    m.del(tmp(keys.domains(t.id)));
    if (t.domains.length) m.sadd(tmp(keys.domains(t.id)), ...t.domains);
  }
  ips.length ? m.rename(tmp(keys.ips), keys.ips) : m.del(keys.ips);
  tenants.length ? m.rename(tmp(keys.tenants), keys.tenants) : m.del(keys.tenants);
  for (const t of tenants) {
    t.domains.length ? m.rename(tmp(keys.domains(t.id)), keys.domains(t.id)) : m.del(keys.domains(t.id));
  }
  const current = new Set(tenants.map((t) => t.id));
  for (const old of previous) if (!current.has(old)) m.del(keys.domains(old));
  const built = new Date().toISOString();
  m.set(keys.built, built);
  await m.exec();
  // Serving processes hold the copy in memory; this tells them to read it again now.
  await redis.publish(keys.changed, built);
}

/** The publisher: any restriction event may change what /v1/check answers. */
export function checkCachePublisher(sql: Sql, redis: Redis, prefix: string): Publisher {
  return {
    name: 'check-cache',
    publish: async () => rebuildCheckCache(sql, redis, prefix),
  };
}
