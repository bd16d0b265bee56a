import type { FetchMessageObject, ImapFlow } from 'imapflow';
import type { Sql } from '../db/client.ts';
import { isReputeError, ReputeError } from '../errors.ts';
import type { Accepted } from '../intake/accept-message.ts';
import type { Logger } from '../log.ts';
import type { MailboxStats } from './mailbox-stats.ts';
import { moveMessages } from './move-messages.ts';
import { rememberMoving, rememberUids } from './pending-verdicts.ts';
import { reporterOf } from './reporter.ts';

/** Stores one message's raw bytes and enqueues it (acceptMessage with channel `imap`). */
export type Intake = (raw: Buffer, reporter: string | null) => Promise<Accepted>;

export interface DrainContext {
  client: ImapFlow;
  sql: Sql;
  intake: Intake;
  log: Logger;
  inbox: string;
  processedFolder: string;
  failedFolder: string;
  /** UIDs per FETCH of metadata. */
  batch: number;
  /** Larger messages are not stored; they go straight to the failed folder. */
  maxMessageBytes: number;
  signal: AbortSignal;
  stats: MailboxStats;
}

export interface DrainResult {
  uidValidity: number;
  /** Messages found in INBOX at the start of the pass. */
  seen: number;
  /** Moved out of INBOX (to processed, or failed when too large). */
  moved: number;
  /** Messages that could not be stored: they stay in INBOX for the next pass. */
  intakeFailures: number;
}

/** Source bytes held in memory at once, whatever IMAP_BATCH says. */
const MAX_FETCH_BYTES = 32 * 1024 * 1024;
/** This many store failures in a row means storage is down, not that one message is bad. */
const MAX_FAILURE_STREAK = 3;

/**
 * One pass over INBOX: every message there now, by UID, in batches. Each is stored and
 * enqueued, and only then moved to the processed folder; one that cannot be stored stays
 * in INBOX. UIDs are read afresh each pass, so a new UIDVALIDITY just means a new list.
 */
export async function drainInbox(ctx: DrainContext): Promise<DrainResult> {
  const { client } = ctx;
  const box = await client.mailboxOpen(ctx.inbox);
  const result: DrainResult = { uidValidity: Number(box.uidValidity), seen: 0, moved: 0, intakeFailures: 0 };
  if (box.exists === 0) return result;
  const uids = await client.search({ all: true }, { uid: true });
  // imapflow answers false or undefined, rather than throwing, when the command could not run.
  if (!Array.isArray(uids))
    throw new ReputeError('mailbox.search_failed', `Could not list the messages in ${ctx.inbox}.`);
  result.seen = uids.length;
  if (uids.length > 0) ctx.log.info({ count: uids.length, folder: ctx.inbox }, 'messages waiting');

  let streak = 0;
  for (let i = 0; i < uids.length && !ctx.signal.aborted; i += ctx.batch) {
    const metas = await client.fetchAll(
      uids.slice(i, i + ctx.batch),
      { uid: true, size: true, envelope: true, headers: ['return-path'] },
      { uid: true },
    );
    const tooLarge = metas.filter((m) => (m.size ?? 0) > ctx.maxMessageBytes);
    if (tooLarge.length > 0) await setAsideTooLarge(ctx, tooLarge, result);
    for (const group of bySize(metas.filter((m) => (m.size ?? 0) <= ctx.maxMessageBytes))) {
      if (ctx.signal.aborted) break;
      const sources = await client.fetchAll(
        group.map((m) => m.uid),
        { uid: true, source: true },
        { uid: true },
      );
      const metaOf = new Map(group.map((m) => [m.uid, m]));
      const stored: Array<{ uid: number; inboundId: number; messageId: string | null }> = [];
      for (const msg of sources) {
        // Stop between messages, not in the middle of one: what is stored is still moved below.
        if (ctx.signal.aborted || streak >= MAX_FAILURE_STREAK) break;
        if (!msg.source) continue;
        const meta = metaOf.get(msg.uid);
        try {
          const accepted = await ctx.intake(msg.source, reporterOf(meta?.headers, meta?.envelope));
          streak = 0;
          ctx.stats.accepted += 1;
          if (accepted.duplicate) ctx.stats.duplicates += 1;
          stored.push({ uid: msg.uid, inboundId: accepted.id, messageId: meta?.envelope?.messageId ?? null });
          ctx.log.debug(
            { uid: msg.uid, inboundId: accepted.id, duplicate: accepted.duplicate },
            'message stored',
          );
        } catch (err) {
          streak += 1;
          result.intakeFailures += 1;
          ctx.stats.intakeFailures += 1;
          ctx.log.warn(
            {
              uid: msg.uid,
              code: isReputeError(err) ? err.code : undefined,
              err: (err as Error).message,
              cause: causeOf(err),
            },
            'could not store message; it stays in INBOX',
          );
        }
      }
      result.moved += await moveStored(ctx, stored, result);
      if (streak >= MAX_FAILURE_STREAK) {
        ctx.log.warn({ failures: streak }, 'storage is failing; the rest waits for the next pass');
        return result;
      }
    }
  }
  return result;
}

/** Remember, move, then note where each one landed. */
async function moveStored(
  ctx: DrainContext,
  stored: Array<{ uid: number; inboundId: number; messageId: string | null }>,
  result: DrainResult,
): Promise<number> {
  if (stored.length === 0) return 0;
  let ids: number[];
  try {
    ids = await rememberMoving(ctx.sql, ctx.processedFolder, stored);
  } catch (err) {
    // Without the note, a later parse failure could not be moved on: leave them in INBOX.
    result.intakeFailures += stored.length;
    ctx.stats.intakeFailures += stored.length;
    ctx.log.warn(
      { count: stored.length, err: (err as Error).message },
      'could not record moves; messages stay in INBOX',
    );
    return 0;
  }
  const moved = await moveMessages(
    ctx.client,
    stored.map((s) => s.uid),
    ctx.processedFolder,
  );
  ctx.stats.moved += stored.length;
  const { uidMap, uidValidity } = moved;
  if (uidMap && uidValidity !== undefined) {
    const placed = stored.flatMap((s, k) => {
      const uid = uidMap.get(s.uid);
      return uid === undefined ? [] : [{ id: ids[k]!, uid }];
    });
    // Only a shortcut: without the UIDs the message is found by its Message-ID.
    await rememberUids(ctx.sql, uidValidity, placed).catch((err) =>
      ctx.log.warn({ err: (err as Error).message }, 'could not record UIDs in the processed folder'),
    );
  }
  ctx.log.info({ count: stored.length, folder: ctx.processedFolder }, 'messages stored and moved');
  return stored.length;
}

/** Too large to store: kept in the failed folder for a person to look at, never dropped. */
async function setAsideTooLarge(ctx: DrainContext, messages: FetchMessageObject[], result: DrainResult) {
  for (const m of messages) {
    ctx.log.warn(
      { uid: m.uid, size: m.size, limit: ctx.maxMessageBytes, folder: ctx.failedFolder },
      'message larger than MAX_REPORT_BYTES; moved to the failed folder unread',
    );
  }
  await moveMessages(
    ctx.client,
    messages.map((m) => m.uid),
    ctx.failedFolder,
  );
  ctx.stats.movedToFailed += messages.length;
  result.moved += messages.length;
}

/** Consecutive runs of messages whose sources together stay under MAX_FETCH_BYTES. */
function* bySize(messages: FetchMessageObject[]): Generator<FetchMessageObject[]> {
  let group: FetchMessageObject[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = m.size ?? 0;
    if (group.length > 0 && bytes + size > MAX_FETCH_BYTES) {
      yield group;
      group = [];
      bytes = 0;
    }
    group.push(m);
    bytes += size;
  }
  if (group.length > 0) yield group;
}

/** The underlying error of a ReputeError (a driver's message), for the log line. */
const causeOf = (err: unknown): string | undefined =>
  isReputeError(err) && err.detail instanceof Error ? err.detail.message : undefined;
