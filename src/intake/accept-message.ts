import { createHash } from 'node:crypto';
import { NaturalBatcher } from '../batch/natural-batcher.ts';
import type { Sql } from '../db/client.ts';
import { ReputeError } from '../errors.ts';
import { type Queues, reportJobId } from '../queues.ts';

export type Channel = 'webhook' | 'imap' | 'import';

export interface IntakeDeps {
  sql: Sql;
  queues: Queues;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export interface IntakeInput {
  raw: Buffer;
  channel: Channel;
  reporter?: string | null;
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
export async function acceptMessage(deps: IntakeDeps, input: IntakeInput): Promise<Accepted> {
  const [accepted] = await acceptMessages(deps, [input]);
  return accepted!;
}

/** The intake of a busy server: concurrent requests share one insert, one enqueue, one commit. */
export function createIntake(deps: IntakeDeps, options = { maxBatch: 64, maxInFlight: 4 }) {
  const batcher = new NaturalBatcher<IntakeInput, Accepted>(async (inputs) => {
    const accepted = await acceptMessages(deps, inputs);
    return new Map(inputs.map((input, i) => [input, accepted[i]!]));
  }, options);
  return { accept: (input: IntakeInput) => batcher.submit(input) };
}

export type Intake = ReturnType<typeof createIntake>;

/** Many messages in one round trip each for insert, enqueue and mark; results in input order. */
export async function acceptMessages(deps: IntakeDeps, inputs: IntakeInput[]): Promise<Accepted[]> {
  const items = inputs.map((input) => ({
    input,
    sha256: createHash('sha256').update(input.raw).digest(),
    hex: '',
  }));
  for (const item of items) item.hex = item.sha256.toString('hex');
  // The same bytes twice in one batch are one message.
  const unique = [...new Map(items.map((i) => [i.hex, i])).values()];

  const stored = new Map<string, { id: number; enqueued: boolean; inserted: boolean }>();
  try {
    const records = unique.map(({ input, sha256 }) => ({
      sha256,
      raw: input.raw,
      size: input.raw.length,
      channel: input.channel,
      reporter: input.reporter ? input.reporter.slice(0, REPORTER_MAX) : null,
    }));
    const inserted = await deps.sql<{ id: number; sha256: Buffer }[]>`
      insert into inbound_messages ${deps.sql(records as never, ['sha256', 'raw', 'size', 'channel', 'reporter'])}
      on conflict (sha256) do nothing returning id, sha256`;
    for (const r of inserted)
      stored.set(r.sha256.toString('hex'), { id: r.id, enqueued: false, inserted: true });
    const missing = unique.filter((u) => !stored.has(u.hex)).map((u) => u.hex);
    if (missing.length > 0) {
      const earlier = await deps.sql<{ id: number; sha256: Buffer; enqueued: boolean }[]>`
        select id, sha256, enqueued from inbound_messages
         where sha256 = any(select decode(h, 'hex') from unnest(${missing}::text[]) as h)`;
      for (const r of earlier)
        stored.set(r.sha256.toString('hex'), { id: r.id, enqueued: r.enqueued, inserted: false });
    }
  } catch (err) {
    throw new ReputeError('storage.unavailable', 'Report storage is unavailable; try again shortly.', err);
  }
  await enqueueStored(
    deps,
    [...stored.values()].filter((s) => !s.enqueued).map((s) => s.id),
    { awaitMark: false },
  );
  const seen = new Set<string>();
  return items.map((item) => {
    const s = stored.get(item.hex);
    if (!s) throw new ReputeError('storage.unavailable', 'A stored message could not be found again.');
    // A copy stored earlier is a duplicate, even when that delivery got a 503 (stored,
    // then the queue failed): it is queued now all the same, above.
    const duplicate = seen.has(item.hex) || !s.inserted;
    seen.add(item.hex);
    return { id: s.id, duplicate };
  });
}

/**
 * Puts stored messages on the reports queue and marks them so; safe to repeat (job ids
 * are the message ids, and a message already processed is skipped by the pipeline).
 * The mark only spares a re-enqueue at the next start, so the caller need not wait
 * for it: with `awaitMark: false` the sender's acknowledgement costs one commit, not two.
 */
export async function enqueueStored(
  deps: IntakeDeps,
  ids: number[],
  options = { awaitMark: true },
): Promise<void> {
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
  const mark = deps.sql`update inbound_messages set enqueued = true where id = any(${ids}::bigint[])`.then(
    () => {},
    (err) => deps.log.warn({ err, ids }, 'could not mark messages enqueued'),
  );
  if (options.awaitMark) await mark;
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
