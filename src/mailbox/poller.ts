import { setTimeout as delay } from 'node:timers/promises';
import type { ImapFlow } from 'imapflow';
import type { Config } from '../config.ts';
import type { Sql } from '../db/client.ts';
import { isReputeError, ReputeError } from '../errors.ts';
import { acceptMessage } from '../intake/accept-message.ts';
import type { Logger } from '../log.ts';
import type { Queues } from '../queues.ts';
import { type BackoffOptions, createBackoff } from './backoff.ts';
import { drainInbox, type Intake } from './drain-inbox.ts';
import { ensureFolder } from './ensure-folder.ts';
import { createImapClient } from './imap-client.ts';
import { describeTarget, type ImapTarget, parseImapUrl } from './imap-config.ts';
import { emptyStats, type MailboxStats } from './mailbox-stats.ts';
import { sweepFailed } from './sweep-failed.ts';
import { waitForMail } from './wait-for-mail.ts';

export interface MailboxDeps {
  config: Config;
  log: Logger;
  database: { sql: Sql };
  queues: Queues;
}

export interface PollerOptions {
  /** Replaces acceptMessage (tests inject failures through it). */
  intake?: Intake;
  /** Waits after a lost connection and after failed stores; default 1 s doubling to 60 s. */
  backoff?: BackoffOptions;
}

export interface MailboxPoller {
  readonly stats: MailboxStats;
  /** Finishes the message in hand, moves what is stored, logs out. */
  stop(): Promise<void>;
}

/** How long stop() lets the message in hand finish before it cuts the connection. */
const STOP_GRACE_MS = 10_000;

/** The mailbox IMAP_URL names; throws `config.invalid` when it is missing or unusable. */
export function mailboxTarget(config: Config): ImapTarget {
  if (!config.imap.url) {
    throw new ReputeError('config.invalid', 'IMAP_URL is not set: the poller has no mailbox to read.');
  }
  return parseImapUrl(config.imap.url, {
    accessToken: config.imap.accessToken,
    allowPlain: config.imap.allowPlain,
  });
}

/**
 * The abuse mailbox poller (`repute imap`): connects, drains INBOX into the intake, moves
 * parse failures aside, waits for mail (IDLE, else every IMAP_POLL_SECONDS), and after
 * any drop reconnects with capped, jittered exponential backoff, for as long as it runs.
 */
export function startMailboxPoller(deps: MailboxDeps, options: PollerOptions = {}): MailboxPoller {
  const { config } = deps;
  const target = mailboxTarget(config);
  const log = deps.log.child({ component: 'mailbox', mailbox: describeTarget(target) });
  const sql = deps.database.sql;
  const intake: Intake =
    options.intake ??
    ((raw, reporter) => acceptMessage({ sql, queues: deps.queues, log }, { raw, channel: 'imap', reporter }));
  const stats = emptyStats();
  const stopper = new AbortController();
  const { signal } = stopper;
  const reconnectBackoff = createBackoff(options.backoff);
  const storeBackoff = createBackoff(options.backoff);
  let current: ImapFlow | null = null;
  let lastUidValidity: number | null = null;
  let outage = false;

  const session = async (client: ImapFlow) => {
    for (;;) {
      if (signal.aborted) return;
      try {
        await sweepFailed({ client, sql, log, stats, ...folders(config) });
      } catch (err) {
        // A database hiccup must not cost the IMAP connection; a dead connection must.
        if (!client.usable) throw err;
        log.warn({ err: (err as Error).message }, 'could not move failed messages aside; will try again');
      }
      if (signal.aborted) return;
      const pass = await drainInbox({
        client,
        sql,
        intake,
        log,
        inbox: target.mailbox,
        ...folders(config),
        batch: config.imap.batch,
        maxMessageBytes: config.maxReportBytes,
        signal,
        stats,
      });
      if (lastUidValidity !== null && pass.uidValidity !== lastUidValidity) {
        // UIDs are never kept between passes and the intake is sha256-unique, so starting
        // over reads nothing twice into two reports.
        log.warn(
          { previous: lastUidValidity, current: pass.uidValidity },
          'UIDVALIDITY changed; reading the folder afresh',
        );
      }
      lastUidValidity = pass.uidValidity;
      if (pass.intakeFailures > 0) {
        const wait = storeBackoff.next();
        log.info({ waitMs: wait, failures: pass.intakeFailures }, 'retrying unstored messages after a pause');
        await delay(wait, undefined, { signal }).catch(() => {});
        continue;
      }
      storeBackoff.reset();
      // Mail that came in during the pass is picked up by another pass straight away.
      if (pass.moved > 0) continue;
      const woke = await waitForMail(client, config.imap.pollSeconds * 1000, signal);
      if (woke === 'closed')
        throw new ReputeError('mailbox.connection_closed', 'The IMAP server closed the connection.');
    }
  };

  const run = async () => {
    while (!signal.aborted) {
      const client = createImapClient(target, log);
      current = client;
      try {
        await client.connect();
        await ensureFolder(client, config.imap.processedFolder);
        await ensureFolder(client, config.imap.failedFolder);
        stats.connected = true;
        stats.connects += 1;
        reconnectBackoff.reset();
        log[outage ? 'info' : 'debug'](
          { idle: client.capabilities.has('IDLE'), move: client.capabilities.has('MOVE') },
          outage ? 'mailbox reachable again' : 'mailbox connected',
        );
        outage = false;
        await session(client);
      } catch (err) {
        if (!signal.aborted) {
          stats.connectionFailures += 1;
          const detail = {
            code: isReputeError(err) ? err.code : (err as { code?: string }).code,
            err: (err as Error).message,
            attempt: reconnectBackoff.attempts + 1,
          };
          // One warning per outage; the retries after it are debug lines.
          if (outage) log.debug(detail, 'mailbox still unreachable');
          else log.warn(detail, 'mailbox connection lost; reconnecting with backoff');
          outage = true;
        }
      } finally {
        stats.connected = false;
        current = null;
        if (client.usable) await client.logout().catch(() => client.close());
        else client.close();
      }
      if (signal.aborted) break;
      await delay(reconnectBackoff.next(), undefined, { signal }).catch(() => {});
    }
    log.info('mailbox poller stopped');
  };

  log.info(
    {
      pollSeconds: config.imap.pollSeconds,
      batch: config.imap.batch,
      auth: target.accessToken ? 'oauth2' : 'password',
    },
    'mailbox poller starting',
  );
  const running = run();
  return {
    stats,
    stop: async () => {
      stopper.abort();
      const grace = delay(STOP_GRACE_MS, undefined, { ref: false }).then(() => current?.close());
      await running;
      void grace;
    },
  };
}

const folders = (config: Config) => ({
  processedFolder: config.imap.processedFolder,
  failedFolder: config.imap.failedFolder,
});
