/** The retry schedule of what the events worker delivers on its own time: webhooks, tenant notices. */
export interface RetryPolicy {
  /** Attempts before a delivery is given up as failed. */
  maxAttempts: number;
  /** Delay after the first failed attempt; doubled after each further one. */
  baseMs: number;
  /** No wait is longer than this. */
  maxMs: number;
}

/**
 * How long to wait after failed attempt number `attempt` (1-based): exponential,
 * capped, with up to 20 % jitter so that many deliveries failing at once (a receiver
 * down) do not all come back in the same second.
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exponential = policy.baseMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(exponential, policy.maxMs);
  return Math.round(capped * (1 + 0.2 * random()));
}

/** Whether a delivery that just failed attempt number `attempt` is finished. */
export const isFinalAttempt = (attempt: number, policy: RetryPolicy): boolean =>
  attempt >= policy.maxAttempts;
