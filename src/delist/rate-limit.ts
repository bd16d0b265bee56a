import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ReputeError } from '../errors.ts';

export interface WindowLimit {
  /** What is counted: `client`, `email`, `ip_email`. */
  kind: string;
  value: string;
  max: number;
}

/**
 * Fixed-window counters in Redis (INCR with a TTL set when the window opens): cheap,
 * shared by every server process, and gone by themselves. Values are hashed in the key
 * so Redis holds no e-mail addresses. Every counter is bumped on each attempt, so
 * probing many IPs from one client, or mailing one address again and again, runs into a limit.
 */
export function windowLimiter(redis: Redis, prefix: string, windowSeconds: number) {
  const key = (l: WindowLimit) =>
    `${prefix}:delist:rate:${l.kind}:${createHash('sha256').update(l.value).digest('hex').slice(0, 32)}`;
  return {
    /** Counts one attempt against each limit; throws `delist.rate_limited` when one is over. */
    async hit(limits: WindowLimit[]): Promise<void> {
      const m = redis.multi();
      for (const l of limits) {
        m.set(key(l), '0', 'EX', windowSeconds, 'NX');
        m.incr(key(l));
        m.ttl(key(l));
      }
      let results: Array<[Error | null, unknown]> | null;
      try {
        results = await m.exec();
      } catch (err) {
        throw new ReputeError('queue.unavailable', 'The service is busy; try again shortly.', err);
      }
      if (!results) throw new ReputeError('queue.unavailable', 'The service is busy; try again shortly.');
      let retryAfter = 0;
      limits.forEach((l, i) => {
        const count = Number(results[i * 3 + 1]?.[1] ?? 0);
        const ttl = Number(results[i * 3 + 2]?.[1] ?? windowSeconds);
        if (count > l.max) retryAfter = Math.max(retryAfter, ttl > 0 ? ttl : windowSeconds);
      });
      if (retryAfter > 0) {
        throw new ReputeError(
          'delist.rate_limited',
          `Too many delist requests; try again in ${Math.ceil(retryAfter / 60)} minutes.`,
          { retryAfter },
        );
      }
    },
  };
}
