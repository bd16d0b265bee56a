import type { Queryable } from '../db/client.ts';
import type { ScoreRow } from './apply-scores.ts';
import { blockedIpNdr, unregisteredDomainNdr } from './ndr.ts';
import { decide, type Policy, rateView, statusAfter } from './policy.ts';

export type EventType =
  | 'ip.warned'
  | 'ip.blocked'
  | 'ip.delisted'
  | 'ip.unblocked'
  | 'tenant.warned'
  | 'tenant.restricted_unregistered'
  | 'tenant.unrestricted';

export interface NewEvent {
  type: EventType;
  subjectType: 'ip' | 'tenant';
  subject: string;
  actor: string;
  note: string | null;
  ndr: string | null;
  metrics: Record<string, unknown>;
  reportId: number | null;
  /** The score row's status after the event. */
  scoreStatus: { subjectType: ScoreRow['subjectType']; status: string } | null;
}

/** Runs the policy over the scores a transaction just moved; returns the events it calls for. */
export function eventsForDecisions(
  rows: ScoreRow[],
  policy: Policy,
  publicUrl: string,
  tippingReport: (subjectType: string, subject: string) => number | null,
): { events: NewEvent[]; clears: StatusChange[] } {
  const events: NewEvent[] = [];
  const clears: StatusChange[] = [];
  for (const row of rows) {
    const decision = decide(row.subjectType, row, policy);
    if (decision.action === 'none') continue;
    const next = statusAfter(decision, row.status);
    if (decision.action === 'clear') {
      // No event: a warning lapsing is not news; the next crossing warns again.
      clears.push({ subjectType: row.subjectType, subject: row.subject, status: next });
      continue;
    }
    const bounds = rateView(row, policy);
    const metrics = {
      complaints: round(row.complaints),
      trustedComplaints: round(row.trustedComplaints),
      volume: round(row.volume),
      rate: bounds.rate,
      lowerBound: bounds.lower,
      upperBound: bounds.upper,
      reports: row.reportCount,
      reason: decision.reason,
    };
    const reportId = tippingReport(row.subjectType, row.subject);
    if (row.subjectType === 'ip') {
      events.push({
        type: decision.action === 'block' ? 'ip.blocked' : 'ip.warned',
        subjectType: 'ip',
        subject: row.subject,
        actor: 'policy',
        note: null,
        ndr: decision.action === 'block' ? blockedIpNdr(row.subject, publicUrl) : null,
        metrics,
        reportId,
        scoreStatus: { subjectType: 'ip', status: next },
      });
    } else if (row.subjectType === 'tenant_unregistered') {
      events.push({
        type: decision.action === 'restrict' ? 'tenant.restricted_unregistered' : 'tenant.warned',
        subjectType: 'tenant',
        subject: row.subject,
        actor: 'policy',
        note: null,
        ndr: decision.action === 'restrict' ? unregisteredDomainNdr() : null,
        metrics,
        reportId,
        scoreStatus: { subjectType: 'tenant_unregistered', status: next },
      });
    }
  }
  return { events, clears };
}

export interface StatusChange {
  subjectType: ScoreRow['subjectType'];
  subject: string;
  status: string;
}

/** Score statuses that change without an event (a lapsed warning). */
export async function writeStatusChanges(tx: Queryable, changes: StatusChange[], now: Date): Promise<void> {
  for (const c of changes) {
    await tx`update scores set status = ${c.status}, status_since = ${now}
              where subject_type = ${c.subjectType} and subject = ${c.subject}`;
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Writes events into the outbox table and applies what they change (score status,
 * tenant status), inside the caller's transaction.
 */
export async function writeEvents(tx: Queryable, events: NewEvent[], now: Date): Promise<void> {
  if (events.length === 0) return;
  for (const e of events) {
    await tx`
      insert into restriction_events (type, subject_type, subject, actor, note, ndr, metrics, report_id, created_at)
      values (${e.type}, ${e.subjectType}, ${e.subject}, ${e.actor}, ${e.note}, ${e.ndr},
              ${tx.json(e.metrics as never)}, ${e.reportId}, ${now})`;
    if (e.scoreStatus) {
      await tx`
        update scores set status = ${e.scoreStatus.status}, status_since = ${now}
         where subject_type = ${e.scoreStatus.subjectType} and subject = ${e.subject}`;
    }
    if (e.type === 'tenant.restricted_unregistered') {
      await tx`update tenants set status = 'restricted_unregistered' where id = ${e.subject} and status = 'active'`;
    }
  }
}
