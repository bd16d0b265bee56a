import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.ts';

const BIN = fileURLToPath(new URL('./bin.js', import.meta.url));
const FIRST_RESTART_MS = 1000;
const MAX_RESTART_MS = 30_000;
/** A worker that ran this long before it died starts again at once; one that dies sooner waits longer each time. */
const HEALTHY_MS = 60_000;

export interface WorkerProcesses {
  /** Asks every worker to stop (SIGTERM: in-flight jobs finish) and waits for them to exit. */
  stop(): Promise<void>;
  /** Kills what is left, when a stop took too long. Their jobs go back to the queue (BullMQ stalled-job check). */
  kill(): void;
}

/**
 * `repute work` in `count` processes beside this one, so parsing runs on other cores and
 * never on the event loop that serves HTTP. A worker that dies is started again (after
 * 1 s, doubling to 30 s while it keeps dying early). A worker stops by itself when this
 * process goes away (its IPC channel closes), however this process ends.
 */
export function forkWorkerProcesses(
  count: number,
  env: Record<string, string | undefined>,
  log: Logger,
): WorkerProcesses {
  const live = new Set<ChildProcess>();
  const timers = new Set<NodeJS.Timeout>();
  let stopping = false;

  const start = (slot: number, delayMs: number) => {
    const child = fork(BIN, ['work'], { env, stdio: 'inherit' });
    const startedAt = Date.now();
    live.add(child);
    child.on('error', (err) => log.error({ worker: slot, err: err.message }, 'worker process error'));
    child.once('exit', (code, signal) => {
      live.delete(child);
      if (stopping) return;
      const next =
        Date.now() - startedAt >= HEALTHY_MS
          ? 0
          : Math.min(Math.max(delayMs * 2, FIRST_RESTART_MS), MAX_RESTART_MS);
      log.error(
        { worker: slot, pid: child.pid, code, signal, restartInMs: next },
        'worker process exited; starting another',
      );
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopping) start(slot, next);
      }, next);
      timers.add(timer);
    });
  };
  for (let slot = 0; slot < count; slot++) start(slot, 0);

  return {
    stop: async () => {
      stopping = true;
      for (const t of timers) clearTimeout(t);
      await Promise.all(
        [...live].map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
      );
    },
    kill: () => {
      stopping = true;
      for (const child of live) child.kill('SIGKILL');
    },
  };
}
