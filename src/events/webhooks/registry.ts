import { randomBytes } from 'node:crypto';
import type { Sql } from '../../db/client.ts';
import { ReputeError } from '../../errors.ts';
import type { EventType } from '../../reputation/write-events.ts';

/** Subscribers: `repute webhook add|list|remove`. A webhook is disabled, never deleted, so its deliveries stay on record. */

export const EVENT_TYPES = [
  'ip.warned',
  'ip.blocked',
  'ip.delisted',
  'ip.unblocked',
  'tenant.warned',
  'tenant.restricted_unregistered',
  'tenant.unrestricted',
] as const satisfies readonly EventType[];

// Fails to compile when an event type is added to write-events.ts but not here.
const everyTypeListed: Exclude<EventType, (typeof EVENT_TYPES)[number]> extends never ? true : false = true;
void everyTypeListed;

const MIN_SECRET = 16;

export interface Webhook {
  id: number;
  url: string;
  /** The event types it receives; empty means all. */
  events: string[];
  createdAt: Date;
  disabledAt: Date | null;
}

export interface WebhookSummary extends Webhook {
  pending: number;
  delivered: number;
  failed: number;
}

/** http(s) only, and no credentials in the URL (they would end up in logs and listings): put them in the path or verify the signature. */
export function validWebhookUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new ReputeError('request.invalid', `"${input}" is not a URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ReputeError('request.invalid', 'Webhook URLs must be http:// or https://.');
  }
  if (url.username || url.password) {
    throw new ReputeError(
      'request.invalid',
      'Leave credentials out of the webhook URL; receivers check the signature.',
    );
  }
  if (url.hash) throw new ReputeError('request.invalid', 'A webhook URL has no #fragment.');
  return url.toString();
}

export function validEventFilter(types: string[]): string[] {
  const unknown = types.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) {
    throw new ReputeError(
      'request.invalid',
      `Unknown event type(s): ${unknown.join(', ')}. Choose from ${EVENT_TYPES.join(', ')}.`,
    );
  }
  return [...new Set(types)];
}

/** Adds a webhook; returns it with its signing secret, which is shown this once. */
export async function addWebhook(
  sql: Sql,
  input: { url: string; secret?: string; events?: string[] },
): Promise<{ webhook: Webhook; secret: string }> {
  const url = validWebhookUrl(input.url);
  const events = validEventFilter(input.events ?? []);
  if (input.secret !== undefined && input.secret.length < MIN_SECRET) {
    throw new ReputeError('request.invalid', `Use a secret of at least ${MIN_SECRET} characters.`);
  }
  const secret = input.secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
  const [webhook] = await sql<Webhook[]>`
    insert into webhooks (url, secret, events) values (${url}, ${secret}, ${events})
    returning id, url, events, created_at as "createdAt", disabled_at as "disabledAt"`;
  return { webhook: webhook!, secret };
}

export async function listWebhooks(sql: Sql): Promise<WebhookSummary[]> {
  return sql<WebhookSummary[]>`
    select w.id, w.url, w.events, w.created_at as "createdAt", w.disabled_at as "disabledAt",
           count(d.id) filter (where d.status = 'pending')::int as pending,
           count(d.id) filter (where d.status = 'delivered')::int as delivered,
           count(d.id) filter (where d.status = 'failed')::int as failed
      from webhooks w left join webhook_deliveries d on d.webhook_id = w.id
     group by w.id order by w.id`;
}

/** Disables a webhook; what it still had pending is given up, so nothing more is sent. */
export async function removeWebhook(sql: Sql, id: number): Promise<{ cancelled: number }> {
  return sql.begin(async (tx) => {
    const [w] = await tx<{ disabledAt: Date | null }[]>`
      select disabled_at as "disabledAt" from webhooks where id = ${id} for update`;
    if (!w)
      throw new ReputeError('webhook.unknown', `There is no webhook ${id}; see \`repute webhook list\`.`);
    if (w.disabledAt) throw new ReputeError('webhook.already_removed', `Webhook ${id} was removed already.`);
    await tx`update webhooks set disabled_at = now() where id = ${id}`;
    const cancelled = await tx`
      update webhook_deliveries set status = 'failed', last_error = 'webhook removed'
       where webhook_id = ${id} and status = 'pending'`;
    return { cancelled: cancelled.count };
  }) as Promise<{ cancelled: number }>;
}
