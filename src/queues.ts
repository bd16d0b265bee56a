import { Queue } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

/** The two queues of the flow. Jobs carry ids only; the bytes live in Postgres. */
export const REPORTS_QUEUE = 'reports';
export const EVENTS_QUEUE = 'events';

export interface ReportJob {
  inboundId: number;
}
export interface EventsJob {
  /** Publish every unpublished restriction event up to this id (an outbox sweep). */
  upTo: number;
}

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

export interface Queues {
  reports: Queue<ReportJob>;
  events: Queue<EventsJob>;
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
  // Errors surface on the calls that fail; an idle disconnected queue must not crash the process.
  reports.on('error', () => {});
  events.on('error', () => {});
  return {
    reports,
    events,
    close: async () => {
      await Promise.allSettled([reports.close(), events.close()]);
    },
  };
}
