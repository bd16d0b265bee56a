import type { OutboxEvent } from '../publisher.ts';

/** The JSON a subscriber receives: the restriction event as the outbox holds it. */
export function webhookBody(e: OutboxEvent): string {
  return JSON.stringify({
    id: e.id,
    type: e.type,
    subjectType: e.subjectType,
    subject: e.subject,
    actor: e.actor,
    note: e.note,
    ndr: e.ndr,
    metrics: e.metrics,
    reportId: e.reportId,
    createdAt: new Date(e.createdAt).toISOString(),
  });
}
