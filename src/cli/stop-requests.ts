import type { Logger } from '../log.ts';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const PARENT_POLL_MS = 500;
/** Read when the command starts, before a slow start could miss the parent going. */
const PARENT_AT_START = process.ppid;

export interface StopWatch {
  log: Logger;
  /** After a stop was asked for, how long until the process exits anyway (status 1). */
  timeoutMs: number;
  /**
   * What else ends the process: `ipc` when the parent that forked it closes the channel
   * (a worker of `repute start`), `ppid` when the parent process is gone (under npm, whose
   * `sh -c` dies on SIGTERM without passing it on), `none`.
   */
  parent: 'ipc' | 'ppid' | 'none';
  /** The clean stop: everything closed when it resolves. */
  stop(): Promise<void>;
  /** Called just before the process exits because the stop took too long. */
  cutOff(): void;
  /** With the exit status, once stopped. */
  done(status: number): void;
}

/**
 * Turns SIGINT, SIGTERM, SIGHUP (a closed terminal) and the parent going away into one
 * clean, bounded stop. The same signal a second time (Ctrl-C twice) exits at once, with
 * status 1; a different one meanwhile (a terminal's SIGINT and a supervisor's SIGTERM)
 * changes nothing.
 */
export function watchStopRequests(w: StopWatch): void {
  let stopping: string | null = null;
  const request = (reason: string) => {
    if (stopping) return;
    stopping = reason;
    w.log.info({ reason }, 'stopping');
    const deadline = setTimeout(() => {
      w.log.error({ reason, seconds: w.timeoutMs / 1000 }, 'did not stop in time: exiting anyway');
      w.cutOff();
      process.exit(1);
    }, w.timeoutMs);
    deadline.unref();
    w.stop().then(
      () => {
        clearTimeout(deadline);
        w.log.info('stopped');
        // An open IPC channel keeps a forked process alive.
        if (w.parent === 'ipc' && process.connected) process.disconnect();
        w.done(0);
      },
      (err) => {
        clearTimeout(deadline);
        w.log.error({ err: (err as Error).message }, 'stop failed');
        w.done(1);
      },
    );
  };

  for (const signal of SIGNALS) {
    process.on(signal, () => {
      if (stopping === signal) {
        w.log.warn({ signal }, `${signal} again: exiting now`);
        w.cutOff();
        process.exit(1);
      }
      request(signal);
    });
  }
  if (w.parent === 'ipc') {
    if (!process.connected) request('parent process gone');
    else process.once('disconnect', () => request('parent process gone'));
  } else if (w.parent === 'ppid') {
    const parent = PARENT_AT_START;
    // Already adopted (by init or a subreaper): there is no parent to follow.
    if (parent > 1) {
      const poll = setInterval(() => {
        if (process.ppid === parent) return;
        clearInterval(poll);
        request('parent process gone');
      }, PARENT_POLL_MS);
      poll.unref();
    }
  }
}
