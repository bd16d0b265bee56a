import type { Sql } from '../../db/client.ts';
import type { Logger } from '../../log.ts';
import { isFinalAttempt, type RetryPolicy, retryDelayMs } from '../retry-policy.ts';
import { type ClaimedDelivery, claimDueDeliveries } from './claim-deliveries.ts';
import { type AttemptOutcome, postDelivery } from './post-delivery.ts';

export interface DeliveryDeps {
  sql: Sql;
  log: Logger;
  retry: RetryPolicy;
  timeoutMs: number;
  /** Deliveries attempted at once. */
  parallel?: number;
}

export interface DeliveryTally {
  delivered: number;
  retrying: number;
  failed: number;
}

async function recordOutcome(
  deps: DeliveryDeps,
  d: ClaimedDelivery,
  o: AttemptOutcome,
): Promise<keyof DeliveryTally> {
  const { sql, log, retry } = deps;
  const where = { deliveryId: d.id, webhookId: d.webhookId, eventId: d.event.id, attempt: d.attempt };
  if (o.delivered) {
    await sql`
      update webhook_deliveries
         set status = 'delivered', delivered_at = now(), last_status = ${o.status}, last_error = null
       where id = ${d.id} and status = 'pending'`;
    log.info({ ...where, status: o.status }, 'webhook delivered');
    return 'delivered';
  }
  if (isFinalAttempt(d.attempt, retry)) {
    await sql`
      update webhook_deliveries set status = 'failed', last_status = ${o.status}, last_error = ${o.error}
       where id = ${d.id} and status = 'pending'`;
    log.warn({ ...where, status: o.status, error: o.error }, 'webhook delivery failed; giving up');
    return 'failed';
  }
  const delayMs = retryDelayMs(d.attempt, retry);
  await sql`
    update webhook_deliveries
       set last_status = ${o.status}, last_error = ${o.error},
           next_attempt_at = now() + make_interval(secs => ${delayMs / 1000})
     where id = ${d.id} and status = 'pending'`;
  log.warn(
    { ...where, status: o.status, error: o.error, retryInMs: delayMs },
    'webhook delivery failed; will retry',
  );
  return 'retrying';
}

/**
 * Delivers everything due, until nothing is: finishing one delivery may free the next
 * event of its subject, so claiming goes on until a claim comes back empty.
 */
export async function deliverDue(deps: DeliveryDeps): Promise<DeliveryTally> {
  const tally: DeliveryTally = { delivered: 0, retrying: 0, failed: 0 };
  const leaseMs = deps.timeoutMs * 2 + 30_000;
  for (;;) {
    const claimed = await claimDueDeliveries(deps.sql, deps.parallel ?? 16, leaseMs);
    if (claimed.length === 0) return tally;
    await Promise.all(
      claimed.map(async (d) => {
        const outcome = await postDelivery(d, deps.timeoutMs, new Date());
        tally[await recordOutcome(deps, d, outcome)]++;
      }),
    );
  }
}
