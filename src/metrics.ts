import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Queues } from './queues.ts';

/**
 * Prometheus metrics of one process. Counters count what this process did; the queue
 * gauges are read from Redis at scrape time, so any process's /metrics shows the whole
 * backlog — the first thing to look at when reports pile up.
 */
export function createMetrics(queues: Queues) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'repute_' });
  const intake = new Counter({
    name: 'repute_intake_messages_total',
    help: 'Inbound messages taken in, by channel and whether the bytes were new.',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  const checks = new Counter({
    name: 'repute_check_answers_total',
    help: 'Answers of GET /v1/check, by code (allow, 5.7.606, 5.7.750) and source (memory, cache, database).',
    labelNames: ['code', 'source'] as const,
    registers: [registry],
  });
  const checkSeconds = new Histogram({
    name: 'repute_check_duration_seconds',
    help: 'Time to answer GET /v1/check inside the handler.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [registry],
  });
  new Gauge({
    name: 'repute_queue_jobs',
    help: 'Jobs in the queues, by queue and state (read from Redis at scrape time).',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      const states = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
      for (const [name, queue] of [
        ['reports', queues.reports],
        ['events', queues.events],
      ] as const) {
        const counts = await Promise.race([
          queue.getJobCounts(...states),
          new Promise<null>((resolve) => setTimeout(() => resolve(null), 1000)),
        ]).catch(() => null);
        for (const s of states) if (counts) this.set({ queue: name, state: s }, counts[s] ?? 0);
      }
    },
  });
  return { registry, intake, checks, checkSeconds };
}

export type Metrics = ReturnType<typeof createMetrics>;
