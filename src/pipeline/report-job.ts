import { NaturalBatcher } from '../batch/natural-batcher.ts';
import { tenantHeaderPolicy } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Runtime } from '../runtime.ts';
import { type PipelineDeps, type ProcessResult, processInboundBatch } from './process-inbound.ts';

/**
 * What the reports worker does with its jobs. Jobs running at the same time in one
 * process share a batch: one read of their bytes, one transaction for their reports,
 * scores and events. A parse failure is recorded on the message and the job completes
 * (nothing to retry); a lost database throws, so BullMQ retries the job with backoff.
 */
export function reportJobRunner(rt: Runtime, log: Logger) {
  const deps = pipelineDeps(rt, log);
  const batcher = new NaturalBatcher<number, ProcessResult>((ids) => processInboundBatch(deps, ids), {
    maxBatch: 100,
    maxInFlight: 2,
  });
  return async (inboundId: number): Promise<ProcessResult> => {
    const result = await batcher.submit(inboundId);
    // Per message at debug (a thousand a second at info would drown the rest); failures and events at info and up.
    if (result.status === 'failed')
      log.info({ inboundId, code: result.code }, 'message failed to parse; kept for review');
    else log.debug({ inboundId, result: result.status }, 'message processed');
    if (result.status === 'processed' && result.events.length > 0) {
      for (const e of result.events)
        log.info({ inboundId, event: e.type, subject: e.subject }, 'restriction event');
      // The events are in the outbox already; this only wakes the publisher now rather than at its next sweep.
      await rt.queues.events.add('publish', { upTo: Number.MAX_SAFE_INTEGER }).catch((err) => {
        log.warn({ err }, 'could not wake the events worker; the outbox sweep will publish');
      });
    }
    return result;
  };
}

/** What the pipeline needs from a process's runtime. */
export function pipelineDeps(rt: Runtime, log: Logger): PipelineDeps {
  return {
    sql: rt.database.sql,
    policy: rt.policy,
    tenantHeader: tenantHeaderPolicy(rt.config),
    proofSources: rt.proofSources,
    publicUrl: rt.config.publicUrl,
    log,
  };
}

/** After the last retry of a job that kept throwing, the message is marked failed, never left queued. */
export async function markPipelineFailure(rt: Runtime, inboundId: number, err: unknown): Promise<void> {
  const detail = err instanceof Error ? err.message : String(err);
  await rt.database.sql`
    update inbound_messages set status = 'failed', failure_code = 'pipeline.error',
           failure_detail = ${detail.slice(0, 2000)}, processed_at = now()
     where id = ${inboundId} and status = 'queued'`;
}
