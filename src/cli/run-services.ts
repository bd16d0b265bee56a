import type { AddressInfo } from 'node:net';
import { startEventWorker } from '../../workers/event-worker.ts';
import { startReportWorker } from '../../workers/report-worker.ts';
import { defaultPublicUrl } from '../config.ts';
import { ReputeError } from '../errors.ts';
import { buildServer } from '../http/server.ts';
import { enqueueForgotten } from '../intake/accept-message.ts';
import { mailboxTarget, startMailboxPoller } from '../mailbox/poller.ts';
import type { Runtime } from '../runtime.ts';
import { listTokens } from '../tokens.ts';
import { watchStopRequests } from './stop-requests.ts';
import { forkWorkerProcesses, type WorkerProcesses } from './worker-processes.ts';

export interface Parts {
  http: boolean;
  workers: boolean;
  mailbox?: boolean;
  /** With workers: how many processes to fork for them (0: they run in this process). */
  workerProcesses?: number;
}

/** A listen that failed, as one line saying which variable to change. */
function listenFailure(err: unknown, host: string, port: number): ReputeError {
  const code = (err as { code?: string }).code;
  const where = `${host}:${port}`;
  const messages: Record<string, string> = {
    EADDRINUSE: `port ${port} is in use on ${host}: stop what listens there, or set PORT to a free port`,
    EACCES: `not allowed to listen on ${where}: set PORT to a port above 1023`,
    EADDRNOTAVAIL: `HOST=${host} is not an address of this machine: set HOST (127.0.0.1, or 0.0.0.0 for every interface)`,
    ENOTFOUND: `HOST=${host} does not resolve: set HOST to an address of this machine`,
  };
  return new ReputeError(
    'http.listen_failed',
    messages[code ?? ''] ?? `cannot listen on ${where}: ${(err as Error).message}`,
  );
}

/**
 * Starts the long-running parts and resolves with the exit status once they have
 * stopped. The HTTP server listens first, so a port in use fails the start before
 * anything else runs; then the workers (here, or in forked processes), then the
 * mailbox poller. SIGINT, SIGTERM and SIGHUP stop it cleanly: no new mail or requests,
 * in-flight jobs and requests finish, connections close; what is still running after
 * SHUTDOWN_TIMEOUT_SECONDS is cut off and the status is 1.
 */
export async function runServices(rt: Runtime, parts: Parts): Promise<number> {
  const { config, log } = rt;
  // Stopped in this order: no new mail, then HTTP (drained), then the workers.
  const stops: Array<() => Promise<unknown>> = [];
  const processes = parts.workers ? (parts.workerProcesses ?? 0) : 0;
  // A worker process forked by `repute start` has an IPC channel to it; it leaves the talking to its parent.
  const forked = typeof process.send === 'function';

  // A bad IMAP_URL fails the start before anything runs.
  if (parts.mailbox) mailboxTarget(config);

  if (parts.http) {
    const app = await buildServer(rt);
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (err) {
      await app.close().catch(() => {});
      throw listenFailure(err, config.host, config.port);
    }
    stops.push(() => app.close());
    const port = (app.server.address() as AddressInfo).port;
    if (config.publicUrlIsDefault) config.publicUrl = defaultPublicUrl(config.host, port);
    log.info({ host: config.host, port }, `listening on ${config.host}:${port}`);
  }

  let workerProcesses: WorkerProcesses | undefined;
  if (parts.workers && processes === 0) {
    const reports = startReportWorker(rt);
    const events = startEventWorker(rt);
    stops.push(() => Promise.all([reports.close(), events.close()]));
  } else if (processes > 0) {
    // They run `repute work` with this process's settings, and the public URL it settled on.
    workerProcesses = forkWorkerProcesses(
      processes,
      { ...process.env, WORKER_PROCESSES: '0', PUBLIC_URL: config.publicUrl, STOP_WITH_PARENT: 'false' },
      log,
    );
    stops.push(() => workerProcesses!.stop());
  }

  if (parts.mailbox) {
    // Stopped first: no new mail is taken in while the rest shuts down.
    const poller = startMailboxPoller(rt);
    stops.unshift(() => poller.stop());
  }
  // A crash between storing and enqueueing leaves messages behind; the intake that
  // stored them queues them at its next start (not every worker process again).
  if (parts.http || parts.mailbox) {
    enqueueForgotten({ sql: rt.database.sql, queues: rt.queues, log })
      .then((n) => n > 0 && log.info({ count: n }, 'queued messages left behind by an earlier crash'))
      .catch((err) => log.warn({ err: err.message }, 'could not re-queue left-behind messages'));
  }

  const stopped = new Promise<number>((resolve) => {
    watchStopRequests({
      log,
      timeoutMs: config.shutdownTimeoutMs,
      parent: forked ? 'ipc' : config.stopWithParent ? 'ppid' : 'none',
      stop: async () => {
        for (const s of stops)
          await s().catch((err) => log.warn({ err: err.message }, 'error while stopping'));
        await rt.close();
      },
      cutOff: () => workerProcesses?.kill(),
      done: resolve,
    });
  });

  if (!forked) await tellWhereToGo(rt, parts);
  log.info(
    {
      pid: process.pid,
      http: parts.http,
      workers: parts.workers,
      mailbox: Boolean(parts.mailbox),
      workerProcesses: processes,
    },
    'repute running',
  );
  return stopped;
}

/** What a new operator needs to hear on start: where the pages are, and what is not set up. */
async function tellWhereToGo(rt: Runtime, parts: Parts): Promise<void> {
  const { config, log } = rt;
  if (parts.http) {
    log.info({ url: `${config.publicUrl}/review` }, `review desk: ${config.publicUrl}/review`);
    const reviewers = (await listTokens(rt.database.sql).catch(() => null))?.filter(
      (t) => !t.revokedAt && ['viewer', 'analyst', 'admin'].includes(t.role),
    );
    if (reviewers?.length === 0) {
      log.info('no review-desk token yet: create one with `npx repute token create --role admin --name YOU`');
    }
    log.info({ url: `${config.publicUrl}/delist` }, `delist portal: ${config.publicUrl}/delist`);
  }
  if (!config.mail.smtpUrl && (parts.http || parts.workers)) {
    log.warn(
      'SMTP_URL is not set: mail (delist links, tenant notices) is not sent; each one is logged here at info, link included',
    );
  }
}
