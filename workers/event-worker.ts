import { Worker } from 'bullmq';
import { rebuildCheckCache } from '../src/events/check-cache.ts';
import { publishOutbox } from '../src/events/publish-outbox.ts';
import { buildPublishers } from '../src/events/publishers.ts';
import { startNoticeSender } from '../src/notices/tenant-notices.ts';
import { closeWorker, EVENTS_QUEUE, type EventsJob, workerConnection } from '../src/queues.ts';
import type { Runtime } from '../src/runtime.ts';
import { startWebhookWorker } from './webhook-worker.ts';

const SWEEP_MS = 30_000;

/** The events queue's consumer: publishes the outbox. A periodic sweep catches a wake-up that was lost. */
export function startEventWorker(rt: Runtime): { worker: Worker<EventsJob>; close(): Promise<void> } {
  const log = rt.log.child({ component: 'event-worker' });
  const connection = workerConnection(rt.config.redisUrl);
  const publishers = buildPublishers(rt);
  const publish = () => publishOutbox(rt.database.sql, log, publishers);
  const worker = new Worker<EventsJob>(EVENTS_QUEUE, async () => publish(), {
    connection,
    prefix: rt.config.redisPrefix,
    concurrency: 1,
  });
  worker.on('error', (err) => log.warn({ err: err.message }, 'event worker error'));
  // The sweep also rebuilds the check cache, which catches what changes without an
  // event (a domain registered for a restricted tenant, a cache lost with Redis).
  const sweep = setInterval(() => {
    publish()
      .then(() => rebuildCheckCache(rt.database.sql, rt.redis, rt.config.redisPrefix))
      .catch((err) => log.warn({ err: err.message }, 'outbox sweep failed'));
  }, SWEEP_MS);
  void rebuildCheckCache(rt.database.sql, rt.redis, rt.config.redisPrefix).catch((err) =>
    log.warn({ err: err.message }, 'could not build the check cache at start'),
  );
  sweep.unref();
  // Webhook deliveries run beside the events worker, on their own queue, so a slow receiver never holds up the outbox.
  const webhooks = startWebhookWorker(rt);
  // Notices to tenants' admins are mailed beside it too: a dead SMTP server holds up nothing.
  const notices = startNoticeSender(rt);
  return {
    worker,
    close: async () => {
      clearInterval(sweep);
      await Promise.all([closeWorker(worker, connection), webhooks.close(), notices.close()]);
    },
  };
}
