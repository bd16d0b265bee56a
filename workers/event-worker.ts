import { Worker } from 'bullmq';
import { publishOutbox } from '../src/events/publish-outbox.ts';
import { EVENTS_QUEUE, type EventsJob, workerConnection } from '../src/queues.ts';
import type { Runtime } from '../src/runtime.ts';

const SWEEP_MS = 30_000;

/** The events queue's consumer: publishes the outbox. A periodic sweep catches a wake-up that was lost. */
export function startEventWorker(rt: Runtime): { worker: Worker<EventsJob>; close(): Promise<void> } {
  const log = rt.log.child({ component: 'event-worker' });
  const connection = workerConnection(rt.config.redisUrl);
  const worker = new Worker<EventsJob>(EVENTS_QUEUE, async () => publishOutbox(rt.database.sql, log), {
    connection,
    prefix: rt.config.redisPrefix,
    concurrency: 1,
  });
  worker.on('error', (err) => log.warn({ err: err.message }, 'event worker error'));
  const sweep = setInterval(() => {
    publishOutbox(rt.database.sql, log).catch((err) => log.warn({ err: err.message }, 'outbox sweep failed'));
  }, SWEEP_MS);
  sweep.unref();
  return {
    worker,
    close: async () => {
      clearInterval(sweep);
      await worker.close();
      connection.disconnect();
    },
  };
}
