import type { Sql } from '../db/client.ts';
import type { Logger } from '../log.ts';

const BATCH = 500;

/**
 * Drains the outbox: every restriction event not yet published, in id order. Today
 * publishing is marking and logging; publishers (check cache, webhooks, DNSBL) hang off
 * this loop. Safe to run concurrently: rows are claimed with SKIP LOCKED.
 */
export async function publishOutbox(sql: Sql, log: Logger): Promise<number> {
  let total = 0;
  for (;;) {
    const published = await sql.begin(async (tx) => {
      const rows = await tx<{ id: number; type: string; subject: string }[]>`
        select id, type, subject from restriction_events
         where published_at is null order by id limit ${BATCH} for update skip locked`;
      if (rows.length === 0) return 0;
      await tx`update restriction_events set published_at = now() where id = any(${rows.map((r) => r.id)}::bigint[])`;
      for (const r of rows) log.info({ eventId: r.id, event: r.type, subject: r.subject }, 'event published');
      return rows.length;
    });
    total += published;
    if (published < BATCH) return total;
  }
}
