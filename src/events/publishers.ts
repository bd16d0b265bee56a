import { tenantNoticePublisher } from '../notices/tenant-notices.ts';
import type { Runtime } from '../runtime.ts';
import { checkCachePublisher } from './check-cache.ts';
import { dnsblZonePublisher } from './dnsbl-publisher.ts';
import type { Publisher } from './publisher.ts';
import { webhookPublisher } from './webhooks/publisher.ts';

/** Everything a restriction event is published to, in order. */
export function buildPublishers(rt: Runtime): Publisher[] {
  const zoneFile = rt.config.dnsbl.zoneFile;
  return [
    checkCachePublisher(rt.database.sql, rt.redis, rt.config.redisPrefix),
    ...(zoneFile ? [dnsblZonePublisher(rt.database.sql, rt.config, zoneFile, rt.log)] : []),
    webhookPublisher(rt.database.sql, rt.queues.webhooks, rt.log),
    tenantNoticePublisher(rt.database.sql),
  ];
}
