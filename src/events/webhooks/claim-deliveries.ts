import type { Sql } from '../../db/client.ts';
import type { OutboxEvent } from '../publisher.ts';

export interface ClaimedDelivery {
  id: number;
  webhookId: number;
  /** This attempt's number, 1-based. */
  attempt: number;
  url: string;
  secret: string;
  event: OutboxEvent;
}

/**
 * Claims deliveries that are due, at most one per (webhook, subject): the one with the
 * lowest event id still pending. A later event for a subject waits while an earlier one
 * is pending for the same webhook, and while an earlier event of that subject is still
 * in the outbox without a delivery row yet (another event worker may be publishing it).
 * The claim counts the attempt and leases the row until `leaseMs` from now, so a
 * worker that dies mid-attempt hands the delivery back when the lease ends.
 */
export async function claimDueDeliveries(
  sql: Sql,
  limit: number,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  const rows = await sql<(Omit<ClaimedDelivery, 'event'> & OutboxEvent & { deliveryId: number })[]>`
    with due as (
      select d.id from webhook_deliveries d
        join webhooks w on w.id = d.webhook_id and w.disabled_at is null
       where d.status = 'pending' and d.next_attempt_at <= now()
         and not exists (
           select 1 from webhook_deliveries p
            where p.webhook_id = d.webhook_id and p.subject_type = d.subject_type and p.subject = d.subject
              and p.status = 'pending' and p.event_id < d.event_id)
         and not exists (
           select 1 from restriction_events r
            where r.subject_type = d.subject_type and r.subject = d.subject
              and r.id < d.event_id and r.published_at is null
              and not exists (select 1 from webhook_deliveries q where q.webhook_id = d.webhook_id and q.event_id = r.id))
       order by d.event_id
       limit ${limit}
       for update of d skip locked
    )
    update webhook_deliveries d
       set attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
      from due, webhooks w, restriction_events e
     where d.id = due.id and w.id = d.webhook_id and e.id = d.event_id
    returning d.id as "deliveryId", d.webhook_id as "webhookId", d.attempts as attempt, w.url, w.secret,
              e.id, e.type, e.subject_type as "subjectType", e.subject, e.actor, e.note, e.ndr, e.metrics,
              e.report_id as "reportId", e.created_at as "createdAt"`;
  return rows
    .map(({ deliveryId, webhookId, attempt, url, secret, ...event }) => ({
      id: deliveryId,
      webhookId,
      attempt,
      url,
      secret,
      event: event as OutboxEvent,
    }))
    .sort((a, b) => a.event.id - b.event.id);
}

/**
 * When the worker should look again: `nextAt`, the earliest retry (or lease end) still
 * ahead; `waiting`, whether a delivery is due but was not claimable although nothing
 * pending comes before it for its webhook, i.e. an earlier event of its subject is still
 * being published. A delivery behind a pending one needs no look: it is claimed by the
 * run that finishes the one before it.
 */
export async function pendingOutlook(sql: Sql): Promise<{ nextAt: Date | null; waiting: boolean }> {
  const [row] = await sql<{ nextAt: Date | null; waiting: boolean }[]>`
    select min(d.next_attempt_at) filter (where d.next_attempt_at > now()) as "nextAt",
           coalesce(bool_or(d.next_attempt_at <= now() and not exists (
             select 1 from webhook_deliveries p
              where p.webhook_id = d.webhook_id and p.subject_type = d.subject_type and p.subject = d.subject
                and p.status = 'pending' and p.event_id < d.event_id)), false) as waiting
      from webhook_deliveries d
      join webhooks w on w.id = d.webhook_id and w.disabled_at is null
     where d.status = 'pending'`;
  return { nextAt: row?.nextAt ?? null, waiting: row?.waiting ?? false };
}
