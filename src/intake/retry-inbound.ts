import type { Sql } from '../db/client.ts';
import { ReputeError } from '../errors.ts';
import type { Queues } from '../queues.ts';
import { reportJobId } from '../queues.ts';

/**
 * Puts a failed inbound message through the pipeline again (after a parser fix): back to
 * `queued` with its failure cleared, an audit entry, and a fresh job. The job id is new
 * because BullMQ may still hold the first job under the message's own id, and would
 * silently drop a job with the same id.
 */
export async function retryInbound(
  deps: { sql: Sql; queues: Queues },
  inboundId: number,
  actor: string,
): Promise<{ id: number; status: 'queued' }> {
  await deps.sql.begin(async (tx) => {
    const [row] = await tx<{ status: string; failureCode: string | null }[]>`
      select status, failure_code as "failureCode" from inbound_messages where id = ${inboundId} for update`;
    if (!row) throw new ReputeError('inbound.unknown', `There is no inbound message ${inboundId}.`);
    if (row.status !== 'failed') {
      throw new ReputeError(
        'inbound.not_failed',
        `Message ${inboundId} is ${row.status}; only failed messages are retried.`,
      );
    }
    await tx`
      update inbound_messages
         set status = 'queued', failure_code = null, failure_detail = null, processed_at = null, enqueued = false
       where id = ${inboundId}`;
    await tx`
      insert into audit_log (actor, action, subject_type, subject, note, detail)
      values (${actor}, 'inbound.retry', 'inbound', ${String(inboundId)}, null,
              ${tx.json({ previousFailure: row.failureCode } as never)})`;
  });
  try {
    await deps.queues.reports.add(
      'report',
      { inboundId },
      { jobId: `${reportJobId(inboundId)}-retry-${Date.now()}` },
    );
  } catch (err) {
    // The row stays queued with enqueued = false: the next start queues it (enqueueForgotten).
    throw new ReputeError(
      'queue.unavailable',
      'The report queue is unavailable; the message will be queued at the next start.',
      err,
    );
  }
  await deps.sql`update inbound_messages set enqueued = true where id = ${inboundId}`;
  return { id: inboundId, status: 'queued' };
}
