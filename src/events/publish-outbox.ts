import type { Sql } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { OutboxEvent, Publisher } from './publisher.ts';

const BATCH = 500;

/**
 * Drains the outbox: every restriction event not yet published, in id order, handed to
 * each publisher, then marked published in the same transaction. Safe to run
 * concurrently: rows are claimed with SKIP LOCKED. The claim is FOR NO KEY UPDATE, not
 * FOR UPDATE: publishers insert rows that reference these events (notices, deliveries),
 * and a foreign-key check's KEY SHARE lock must not wait on the outbox's own claim.
 */
export async function publishOutbox(sql: Sql, log: Logger, publishers: Publisher[]): Promise<number> {
  let total = 0;
  for (;;) {
    const published = await sql.begin(async (tx) => {
      const events = await tx<OutboxEvent[]>`
        select id, type, subject_type as "subjectType", subject, actor, note, ndr, metrics,
               report_id as "reportId", created_at as "createdAt"
          from restriction_events
         where published_at is null order by id limit ${BATCH} for no key update skip locked`;
      if (events.length === 0) return 0;
      for (const p of publishers) {
        try {
          await p.publish(events);
        } catch (err) {
          log.warn({ err, publisher: p.name }, 'publisher failed; the batch stays in the outbox');
          throw err;
        }
      }
      await tx`update restriction_events set published_at = now() where id = any(${events.map((e) => e.id)}::bigint[])`;
      for (const e of events)
        log.info({ eventId: e.id, event: e.type, subject: e.subject }, 'event published');
      return events.length;
    });
    total += published;
    if (published < BATCH) return total;
  }
}
