import { createHash } from 'node:crypto';
import type { Sql } from '../db/client.ts';
import { ReputeError } from '../errors.ts';
import { type Queues, reportJobId } from '../queues.ts';

export type Channel = 'webhook' | 'imap' | 'import';

export interface IntakeDeps {
  sql: Sql;
  queues: Queues;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export interface Accepted {
  id: number;
  duplicate: boolean;
}

const REPORTER_MAX = 320;

/**
 * Stores the raw bytes durably (sha256-unique), then enqueues a job for them. Only
 * when both have happened may the caller acknowledge the sender: a 202 on the webhook,
 * a move out of INBOX on the mailbox. The same bytes again are the same message.
 */
export async function acceptMessage(
  deps: IntakeDeps,
  input: { raw: Buffer; channel: Channel; reporter?: string | null },
): Promise<Accepted> {
  const sha256 = createHash('sha256').update(input.raw).digest();
  const reporter = input.reporter ? input.reporter.slice(0, REPORTER_MAX) : null;
  let row: { id: number; enqueued: boolean; inserted: boolean };
  try {
    // One round trip: insert, or find the earlier copy of the same bytes.
    const rows = await deps.sql<{ id: number; enqueued: boolean; inserted: boolean }[]>`
      with ins as (
        insert into inbound_messages (sha256, raw, size, channel, reporter)
        values (${sha256}, ${input.raw}, ${input.raw.length}, ${input.channel}, ${reporter})
        on conflict (sha256) do nothing
        returning id, enqueued
      )
      select id, enqueued, true as inserted from ins
      union all
      select id, enqueued, false from inbound_messages
       where sha256 = ${sha256} and not exists (select 1 from ins)`;
    if (!rows[0]) throw new Error('insert returned no row');
    row = rows[0];
  } catch (err) {
    throw new ReputeError('storage.unavailable', 'Report storage is unavailable; try again shortly.', err);
  }
  if (!row.enqueued) await enqueueStored(deps, [row.id]);
  // A copy whose first delivery never got acknowledged (stored, then the queue failed)
  // is this delivery's to acknowledge, not a duplicate.
  return { id: row.id, duplicate: !row.inserted && row.enqueued };
}

/** Puts stored messages on the reports queue and marks them so; safe to repeat (job ids are the message ids). */
export async function enqueueStored(deps: IntakeDeps, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  try {
    await deps.queues.reports.addBulk(
      ids.map((inboundId) => ({
        name: 'report',
        data: { inboundId },
        opts: { jobId: reportJobId(inboundId) },
      })),
    );
  } catch (err) {
    throw new ReputeError('queue.unavailable', 'The report queue is unavailable; try again shortly.', err);
  }
  try {
    await deps.sql`update inbound_messages set enqueued = true where id = any(${ids}::bigint[])`;
  } catch (err) {
    // The job is queued; the flag only spares a re-enqueue at the next start, which is harmless.
    deps.log.warn({ err, ids }, 'could not mark messages enqueued');
  }
}

/**
 * A crash between storing and enqueueing leaves rows with enqueued = false. At start
 * every such row (older than a few seconds, so in-flight requests are left alone) is queued.
 */
export async function enqueueForgotten(deps: IntakeDeps, olderThanSeconds = 5): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await deps.sql<{ id: number }[]>`
      select id from inbound_messages
       where not enqueued and received_at < now() - make_interval(secs => ${olderThanSeconds})
       order by id limit 1000`;
    if (rows.length === 0) return total;
    await enqueueStored(
      deps,
      rows.map((r) => r.id),
    );
    total += rows.length;
  }
}
