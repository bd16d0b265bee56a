import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startEventWorker } from '../../workers/event-worker.ts';
import { startReportWorker } from '../../workers/report-worker.ts';
import { buildServer } from '../http/server.ts';
import { enqueueForgotten } from '../intake/accept-message.ts';
import { mailboxTarget, startMailboxPoller } from '../mailbox/poller.ts';
import type { Runtime } from '../runtime.ts';

const BIN = fileURLToPath(new URL('./bin.js', import.meta.url));

/**
 * Starts the long-running parts in this process (and, with WORKER_PROCESSES > 0,
 * that many worker processes beside it, so parsing uses every core), and stops them
 * cleanly on SIGINT / SIGTERM: in-flight jobs finish, the HTTP server drains.
 */
export async function runServices(
  rt: Runtime,
  parts: { http: boolean; workers: boolean; mailbox?: boolean },
): Promise<void> {
  const stops: Array<() => Promise<unknown>> = [];
  const children = parts.workers && rt.config.workerProcesses > 0 ? rt.config.workerProcesses : 0;

  // A bad IMAP_URL fails the start before anything runs.
  if (parts.mailbox) mailboxTarget(rt.config);
  if (parts.workers && children === 0) {
    const reports = startReportWorker(rt);
    const events = startEventWorker(rt);
    stops.push(
      () => reports.close(),
      () => events.close(),
    );
  }
  for (let i = 0; i < children; i++) {
    const child = fork(BIN, ['work'], { env: { ...process.env, WORKER_PROCESSES: '0' }, stdio: 'inherit' });
    stops.push(
      () =>
        new Promise((resolve) => {
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    );
  }
  if (parts.http) {
    const app = await buildServer(rt);
    await app.listen({ port: rt.config.port, host: rt.config.host });
    stops.unshift(() => app.close());
  }
  if (parts.mailbox) {
    // Stopped first: no new mail is taken in while the rest shuts down.
    const poller = startMailboxPoller(rt);
    stops.unshift(() => poller.stop());
  }
  // A crash between storing and enqueueing leaves messages behind; the intake that
  // stored them queues them at its next start (not every worker process again).
  if (parts.http || parts.mailbox) {
    enqueueForgotten({ sql: rt.database.sql, queues: rt.queues, log: rt.log })
      .then((n) => n > 0 && rt.log.info({ count: n }, 'queued messages left behind by an earlier crash'))
      .catch((err) => rt.log.warn({ err: err.message }, 'could not re-queue left-behind messages'));
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rt.log.info({ signal }, 'stopping');
    for (const s of stops) await s().catch((err) => rt.log.warn({ err }, 'error while stopping'));
    await rt.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  rt.log.info(
    {
      http: parts.http,
      workers: parts.workers,
      mailbox: Boolean(parts.mailbox),
      workerProcesses: children,
      port: rt.config.port,
    },
    'repute running',
  );
}
