import type { ImapFlow } from 'imapflow';
import type { Sql } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { MailboxStats } from './mailbox-stats.ts';
import { moveMessages } from './move-messages.ts';
import { findFailed, forget, forgetSettled } from './pending-verdicts.ts';

export interface SweepContext {
  client: ImapFlow;
  sql: Sql;
  log: Logger;
  processedFolder: string;
  failedFolder: string;
  stats: MailboxStats;
}

const SWEEP_BATCH = 200;

/**
 * Messages are moved to the processed folder as soon as they are stored; the workers
 * parse them later. Those whose parsing failed are moved on from there to the failed
 * folder, found by the UID the MOVE reported or, failing that (no UIDPLUS, or the folder's
 * UIDVALIDITY changed), by their Message-ID.
 */
export async function sweepFailed(ctx: SweepContext): Promise<number> {
  await forgetSettled(ctx.sql);
  let total = 0;
  for (;;) {
    const rows = await findFailed(ctx.sql, ctx.processedFolder, SWEEP_BATCH);
    if (rows.length === 0) return total;
    const box = await ctx.client.mailboxOpen(ctx.processedFolder);
    const uidValidity = Number(box.uidValidity);
    const uids = new Set<number>();
    for (const row of rows) {
      if (row.uid !== null && row.uidValidity === uidValidity) {
        uids.add(row.uid);
        continue;
      }
      const found = row.messageId
        ? (await ctx.client.search({ header: { 'message-id': row.messageId } }, { uid: true })) || []
        : [];
      for (const uid of found) uids.add(uid);
      if (found.length === 0) {
        ctx.log.warn(
          { messageId: row.messageId, folder: ctx.processedFolder },
          'a message that failed to parse is no longer findable in the processed folder; left where it is',
        );
      }
    }
    if (uids.size > 0) {
      await moveMessages(ctx.client, [...uids], ctx.failedFolder);
      ctx.stats.movedToFailed += uids.size;
      ctx.log.info(
        { count: uids.size, folder: ctx.failedFolder },
        'messages that failed to parse moved aside',
      );
    }
    await forget(
      ctx.sql,
      rows.map((r) => r.id),
    );
    total += uids.size;
    if (rows.length < SWEEP_BATCH) return total;
  }
}
