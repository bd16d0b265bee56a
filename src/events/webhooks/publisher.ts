import type { Queue } from 'bullmq';
import type { Sql } from '../../db/client.ts';
import type { Logger } from '../../log.ts';
import type { WebhooksJob } from '../../queues.ts';
import type { Publisher } from '../publisher.ts';

/**
 * The webhooks publisher only records what is owed, one delivery row per (webhook,
 * event), idempotent through the unique key, and wakes the delivery worker. Sending is
 * that worker's business: a slow or dead receiver never holds up the outbox.
 */
export function webhookPublisher(sql: Sql, queue: Queue<WebhooksJob>, log: Logger): Publisher {
  return {
    name: 'webhooks',
    publish: async (events) => {
      const inserted = await sql`
        insert into webhook_deliveries (webhook_id, event_id, subject_type, subject)
        select w.id, e.id, e.subject_type, e.subject
          from unnest(${events.map((e) => e.id)}::bigint[], ${events.map((e) => e.type)}::text[],
                      ${events.map((e) => e.subjectType)}::text[], ${events.map((e) => e.subject)}::text[])
               as e(id, type, subject_type, subject)
          join webhooks w on w.disabled_at is null and (cardinality(w.events) = 0 or e.type = any(w.events))
         order by e.id, w.id
        on conflict (webhook_id, event_id) do nothing`;
      if (inserted.count === 0) return;
      // The rows are safe in Postgres; a lost wake-up is made good by the worker's sweep.
      await queue.add('deliver', {}).catch((err: Error) => {
        log.warn({ err: err.message }, 'could not wake the webhook worker; its sweep will deliver');
      });
    },
  };
}
