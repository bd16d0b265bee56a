import { EventEmitter } from 'node:events';
import type { Sql } from '../db/client.ts';
import type { OutboxEvent, Publisher } from '../events/publisher.ts';
import { isFinalAttempt, type RetryPolicy, retryDelayMs } from '../events/retry-policy.ts';
import type { Logger } from '../log.ts';
import type { Runtime } from '../runtime.ts';
import { createMailer, type Mailer } from './mailer.ts';
import { NOTICE_EVENTS, tenantNoticeMail } from './tenant-notice-text.ts';

/**
 * Notices to a tenant's admins on `tenant.warned` and `tenant.restricted_unregistered`.
 * The publisher only records what is owed (one row per event, so an event handed over
 * twice is mailed once) and wakes the sender; sending happens beside the outbox, so a
 * dead SMTP server never holds back the check cache or the webhooks.
 */

const signals = new EventEmitter();
signals.setMaxListeners(0);

export function tenantNoticePublisher(sql: Sql): Publisher {
  return {
    name: 'tenant-notices',
    publish: async (events: OutboxEvent[]) => {
      const owed = events.filter((e) => e.subjectType === 'tenant' && NOTICE_EVENTS.has(e.type));
      if (owed.length === 0) return;
      const inserted = await sql`
        insert into tenant_notices (event_id, tenant_id, recipient, status)
        select e.id, e.tenant, t.contact_email, case when t.contact_email is null then 'no_contact' else 'pending' end
          from unnest(${owed.map((e) => e.id)}::bigint[], ${owed.map((e) => e.subject)}::text[]) as e(id, tenant)
          join tenants t on t.id = e.tenant
        on conflict (event_id) do nothing`;
      if (inserted.count > 0) signals.emit('owed');
    },
  };
}

/** 2, 4, 8 … minutes between attempts, 8 attempts, no jitter (notices are few). */
const NOTICE_RETRY: RetryPolicy = { maxAttempts: 8, baseMs: 2 * 60_000, maxMs: 1024 * 60_000 };
const noJitter = () => 0;
const BATCH = 20;
/** While one sender works on a notice, others leave it alone for this long. */
const LEASE_MINUTES = 5;

/** Sends the notices that are due; returns how many were sent. Safe to run in several processes. */
export async function sendDueNotices(
  sql: Sql,
  mailer: Mailer,
  log: Logger,
  publicUrl: string,
): Promise<number> {
  let sent = 0;
  for (;;) {
    const due = await sql<
      {
        eventId: number;
        attempts: number;
        recipient: string;
        tenantId: string;
        tenantName: string;
        type: string;
        ndr: string | null;
        metrics: Record<string, unknown>;
        createdAt: Date;
      }[]
    >`
      with claimed as (
        select event_id from tenant_notices
         where status = 'pending' and next_attempt_at <= now()
         order by event_id limit ${BATCH} for update skip locked
      )
      update tenant_notices n set next_attempt_at = now() + make_interval(mins => ${LEASE_MINUTES})
        from claimed c, restriction_events e, tenants t
       where n.event_id = c.event_id and e.id = n.event_id and t.id = n.tenant_id
      returning n.event_id as "eventId", n.attempts, n.recipient, n.tenant_id as "tenantId", t.name as "tenantName",
                e.type, e.ndr, e.metrics, e.created_at as "createdAt"`;
    if (due.length === 0) return sent;
    for (const n of due) {
      const mail = tenantNoticeMail({ ...n, publicUrl });
      try {
        await mailer.send({ to: n.recipient, subject: mail.subject, text: mail.text });
        await sql`update tenant_notices set status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = null
                   where event_id = ${n.eventId}`;
        log.info({ eventId: n.eventId, tenant: n.tenantId, event: n.type }, 'tenant notice sent');
        sent++;
      } catch (err) {
        const attempts = n.attempts + 1;
        const message = err instanceof Error ? err.message : String(err);
        await sql`
          update tenant_notices
             set attempts = ${attempts}, last_error = ${message.slice(0, 500)},
                 status = ${isFinalAttempt(attempts, NOTICE_RETRY) ? 'failed' : 'pending'},
                 next_attempt_at = now() + make_interval(secs => ${retryDelayMs(attempts, NOTICE_RETRY, noJitter) / 1000})
           where event_id = ${n.eventId}`;
        log.warn(
          { eventId: n.eventId, tenant: n.tenantId, attempts, err: message },
          'tenant notice not sent',
        );
      }
    }
    if (due.length < BATCH) return sent;
  }
}

const SWEEP_MS = 60_000;

/**
 * The sender beside the events worker: woken when the publisher records notices, and a
 * sweep that retries the ones the SMTP server refused.
 */
export function startNoticeSender(rt: Runtime): { close(): Promise<void> } {
  const log = rt.log.child({ component: 'tenant-notices' });
  const mailer = createMailer(rt.config.mail, log);
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;
  const drain = () => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = sendDueNotices(rt.database.sql, mailer, log, rt.config.publicUrl)
      .then(
        () => {},
        (err) => log.warn({ err: err instanceof Error ? err.message : err }, 'notice sweep failed'),
      )
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          drain();
        }
      });
  };
  signals.on('owed', drain);
  const sweep = setInterval(drain, SWEEP_MS);
  sweep.unref();
  drain();
  return {
    close: async () => {
      closed = true;
      clearInterval(sweep);
      signals.off('owed', drain);
      await running;
      mailer.close();
    },
  };
}
