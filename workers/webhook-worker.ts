import { Worker } from 'bullmq';
import { pendingOutlook } from '../src/events/webhooks/claim-deliveries.ts';
import { deliverDue } from '../src/events/webhooks/deliver-due.ts';
import { closeWorker, WEBHOOKS_QUEUE, type WebhooksJob, workerConnection } from '../src/queues.ts';
import type { Runtime } from '../src/runtime.ts';

const SWEEP_MS = 30_000;
/** How soon to look again at deliveries that are due but wait for an earlier event of their subject to be published. */
const RECHECK_MS = 2_000;

/**
 * The webhooks queue's consumer. Jobs are only wake-ups: what is owed, attempts and
 * retry times live in webhook_deliveries, so a restart loses nothing. After each run it
 * schedules a wake-up for the next retry due; a periodic sweep covers a lost one.
 */
export function startWebhookWorker(rt: Runtime): { worker: Worker<WebhooksJob>; close(): Promise<void> } {
  const log = rt.log.child({ component: 'webhook-worker' });
  const connection = workerConnection(rt.config.redisUrl);
  const { timeoutMs, maxAttempts, retryBaseMs, retryMaxMs } = rt.config.webhooks;
  const deps = {
    sql: rt.database.sql,
    log,
    timeoutMs,
    retry: { maxAttempts, baseMs: retryBaseMs, maxMs: retryMaxMs },
  };

  // Job ids merge the wake-ups that runs in several processes ask for: one per due time,
  // one per recheck interval; neither is ever the id of the job running now.
  const scheduleWake = async () => {
    const { nextAt, waiting } = await pendingOutlook(rt.database.sql);
    if (nextAt) {
      const delay = Math.max(nextAt.getTime() - Date.now(), 0);
      await rt.queues.webhooks.add('deliver', {}, { delay, jobId: `due-${nextAt.getTime()}` });
    }
    if (waiting) {
      const jobId = `recheck-${Math.ceil((Date.now() + RECHECK_MS) / RECHECK_MS)}`;
      await rt.queues.webhooks.add('deliver', {}, { delay: RECHECK_MS, jobId });
    }
  };

  // The job and the sweep share one run at a time; a call during a run asks for another pass.
  let running: Promise<void> | null = null;
  let again = false;
  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          const tally = await deliverDue(deps);
          if (tally.delivered + tally.retrying + tally.failed > 0) log.debug(tally, 'webhook deliveries run');
        } while (again);
        await scheduleWake();
      } finally {
        running = null;
      }
    })();
    return running;
  };

  const worker = new Worker<WebhooksJob>(WEBHOOKS_QUEUE, async () => run(), {
    connection,
    prefix: rt.config.redisPrefix,
    concurrency: 1,
  });
  worker.on('error', (err) => log.warn({ err: err.message }, 'webhook worker error'));
  const sweep = setInterval(() => {
    run().catch((err) => log.warn({ err: err.message }, 'webhook sweep failed'));
  }, SWEEP_MS);
  sweep.unref();
  // Deliveries left pending by an earlier process go out now, not at the first sweep.
  void run().catch((err) => log.warn({ err: err.message }, 'webhook delivery at start failed'));
  return {
    worker,
    close: async () => {
      clearInterval(sweep);
      await closeWorker(worker, connection);
      await running?.catch(() => {});
    },
  };
}
