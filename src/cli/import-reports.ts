import { acceptMessages, type IntakeInput } from '../intake/accept-message.ts';
import { messagesAt } from '../intake/read-mailbox-files.ts';
import type { Runtime } from '../runtime.ts';

const BATCH = 200;

const FIRST_LINE = /^(From |[\x21-\x39\x3b-\x7e]+[ \t]*:)/;
const looksLikeMail = (raw: Buffer) =>
  FIRST_LINE.test(
    raw
      .subarray(0, 200)
      .toString('latin1')
      .replace(/^\uFEFF|^\s+/, ''),
  );

/**
 * `repute import PATH`: old reports from a folder or an mbox, through the same intake as
 * the webhook (stored sha256-unique, queued; the workers parse them). Re-running it
 * imports nothing twice. Progress goes to stderr, one line redrawn.
 */
export async function importReports(rt: Runtime, path: string, reporter: string | null): Promise<number> {
  let batch: IntakeInput[] = [];
  let stored = 0;
  let duplicates = 0;
  let tooLarge = 0;
  let notMail = 0;
  const started = Date.now();
  const progress = (final = false) => {
    const seconds = (Date.now() - started) / 1000;
    const line = `imported ${stored} new, ${duplicates} already there, ${tooLarge} too large, ${notMail} not mail (${Math.round((stored + duplicates) / Math.max(seconds, 0.001))}/s)`;
    if (process.stderr.isTTY && !final) process.stderr.write(`\r${line}`);
    else if (final) process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}${line}\n`);
  };
  const flush = async () => {
    if (batch.length === 0) return;
    for (const r of await acceptMessages({ sql: rt.database.sql, queues: rt.queues, log: rt.log }, batch)) {
      if (r.duplicate) duplicates++;
      else stored++;
    }
    batch = [];
    progress();
  };
  for await (const raw of messagesAt(path)) {
    if (raw.length > rt.config.maxReportBytes) {
      tooLarge++;
      continue;
    }
    // A folder holds other files too (a README, an index): only what starts like a message is one.
    if (!looksLikeMail(raw)) {
      notMail++;
      continue;
    }
    batch.push({ raw, channel: 'import', reporter });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  progress(true);
  return stored;
}
