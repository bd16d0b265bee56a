import { Worker } from 'bullmq';
import { markPipelineFailure, reportJobRunner } from '../src/pipeline/report-job.ts';
import { closeWorker, REPORTS_QUEUE, type ReportJob, workerConnection } from '../src/queues.ts';
import type { Runtime } from '../src/runtime.ts';

/** The reports queue's consumer: one job, one inbound message; concurrent jobs share a batch. */
export function startReportWorker(rt: Runtime): { worker: Worker<ReportJob>; close(): Promise<void> } {
  const log = rt.log.child({ component: 'report-worker' });
  const connection = workerConnection(rt.config.redisUrl);
  const runJob = reportJobRunner(rt, log);
  const worker = new Worker<ReportJob>(REPORTS_QUEUE, async (job) => runJob(job.data.inboundId), {
    connection,
    prefix: rt.config.redisPrefix,
    concurrency: rt.config.workerConcurrency,
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1);
    log.warn(
      { inboundId: job.data.inboundId, attempt: job.attemptsMade, final, err: err.message },
      'report job failed',
    );
    if (final) void markPipelineFailure(rt, job.data.inboundId, err).catch(() => {});
  });
  worker.on('error', (err) => log.warn({ err: err.message }, 'report worker error'));
  // A connection handed to BullMQ stays ours to close.
  return { worker, close: () => closeWorker(worker, connection) };
}
