import type { ImapFlow } from 'imapflow';

export type Wakeup = 'mail' | 'timer' | 'closed' | 'stopped';

/**
 * Waits in the selected folder until new mail arrives, `ms` pass, the connection closes
 * or `signal` aborts. With IDLE (RFC 2177) the server tells us of new mail at once; without
 * it, the timer is the poll interval. The next command breaks the IDLE (imapflow sends DONE).
 */
export function waitForMail(client: ImapFlow, ms: number, signal: AbortSignal): Promise<Wakeup> {
  if (signal.aborted) return Promise.resolve('stopped');
  if (!client.usable) return Promise.resolve('closed');
  return new Promise<Wakeup>((resolve) => {
    const done = (why: Wakeup) => {
      clearTimeout(timer);
      client.off('exists', onExists);
      client.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      resolve(why);
    };
    const onExists = (e: { count: number; prevCount: number }) => {
      if (e.count > e.prevCount) done('mail');
    };
    const onClose = () => done('closed');
    const onAbort = () => done('stopped');
    const timer = setTimeout(() => done('timer'), ms);
    client.on('exists', onExists);
    client.on('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
    if (client.capabilities.has('IDLE')) {
      // Resolves when the IDLE is broken; a dropped connection shows up as `close`.
      client.idle().catch(() => {});
    }
  });
}
