/**
 * Exponential backoff with "equal jitter": each wait is between half and all of
 * min(max, base · 2^attempt), so a fleet of pollers that lost the same server does not
 * come back in lock-step, and no wait is ever shorter than half the nominal one.
 */
export interface Backoff {
  /** The next wait in ms; each call doubles the nominal wait up to the cap. */
  next(): number;
  /** After a success: the next failure starts from the base again. */
  reset(): void;
  /** Failures since the last reset. */
  readonly attempts: number;
}

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** A number in [0, 1); injectable for tests. */
  random?: () => number;
}

export function createBackoff({
  baseMs = 1000,
  maxMs = 60_000,
  random = Math.random,
}: BackoffOptions = {}): Backoff {
  let attempts = 0;
  return {
    next() {
      const nominal = Math.min(maxMs, baseMs * 2 ** Math.min(attempts, 30));
      attempts += 1;
      return Math.round(nominal / 2 + (random() * nominal) / 2);
    },
    reset() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}
