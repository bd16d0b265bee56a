import { Queue, type Worker } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

/** The queues of the flow. Jobs carry ids only; the bytes live in Postgres. */
export const REPORTS_QUEUE = 'reports';
export const EVENTS_QUEUE = 'events';
/** Wake-ups for the webhook delivery worker; what to deliver is in webhook_deliveries. */
export const WEBHOOKS_QUEUE = 'webhooks';

export interface ReportJob {
  inboundId: number;
}
export interface EventsJob {
  /** Publish every unpublished restriction event up to this id (an outbox sweep). */
  upTo: number;
}
export type WebhooksJob = Record<string, never>;

/** BullMQ job ids may not be integers; one inbound message, one job id. */
export const reportJobId = (inboundId: number): string => `m${inboundId}`;

/**
 * A connection for producers on a request path: no offline queue and one retry, so
 * that a Redis outage fails a request fast (503) instead of hanging it.
 */
export function producerConnection(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    lazyConnect: false,
    ...options,
  });
}

/** A connection for workers: BullMQ wants blocking commands retried forever. */
export function workerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

/**
 * Stops a worker: in-flight jobs finish first, unless Redis is down. Then they could not
 * be marked done anyway (BullMQ hands them out again once Redis is back, and a job runs
 * twice without counting twice), and waiting for Redis would hang the stop.
 */
export async function closeWorker(worker: Worker, connection: Redis): Promise<void> {
  await worker.close(connection.status !== 'ready');
  connection.disconnect();
}

export interface Queues {
  reports: Queue<ReportJob>;
  events: Queue<EventsJob>;
  webhooks: Queue<WebhooksJob>;
  close(): Promise<void>;
}

export function openQueues(connection: Redis, prefix: string): Queues {
  const defaults = {
    attempts: 8,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 10000 },
  };
  const reports = new Queue<ReportJob>(REPORTS_QUEUE, { connection, prefix, defaultJobOptions: defaults });
  const events = new Queue<EventsJob>(EVENTS_QUEUE, { connection, prefix, defaultJobOptions: defaults });
  // A wake-up that fails is followed by the next one; state lives in Postgres, so keep none here.
  const webhooks = new Queue<WebhooksJob>(WEBHOOKS_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: true,
      removeOnFail: 100,
    },
  });
  // Errors surface on the calls that fail; an idle disconnected queue must not crash the process.
  reports.on('error', () => {});
  events.on('error', () => {});
  webhooks.on('error', () => {});
  return {
    reports,
    events,
    webhooks,
    close: async () => {
      await Promise.allSettled([reports.close(), events.close(), webhooks.close()]);
    },
  };
}
