/** A restriction event as the outbox hands it to publishers. */
export interface OutboxEvent {
  id: number;
  type: string;
  subjectType: 'ip' | 'tenant';
  subject: string;
  actor: string;
  note: string | null;
  ndr: string | null;
  metrics: Record<string, unknown>;
  reportId: number | null;
  createdAt: Date;
}

/**
 * Something that makes an event known outside: the check cache, webhooks, the DNSBL
 * zone, notices to tenants. `publish` gets events in id order and must be idempotent
 * (a batch can be handed over again after a crash). Throwing leaves the batch
 * unpublished, to be retried by the next sweep; a publisher that must not hold the
 * others back (webhooks) queues its own work and returns.
 */
export interface Publisher {
  name: string;
  publish(events: OutboxEvent[]): Promise<void>;
}
