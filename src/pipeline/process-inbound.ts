import { parseMessage } from '../arf/parse-message.ts';
import type { ParsedReport, ParseOutcome } from '../arf/types.ts';
import { type Attribution, attribute, attributionCandidates } from '../attribution/attribute.ts';
import { loadFacts } from '../attribution/load-facts.ts';
import type { Sql } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { addComplaints, type ScoreDelta } from '../reputation/apply-scores.ts';
import { complaintWeight, type Policy } from '../reputation/policy.ts';
import { eventsForDecisions, type NewEvent, writeEvents } from '../reputation/write-events.ts';
import { insertReports, type ReportRow, reportStatus, toReportRow } from './report-rows.ts';

export interface PipelineDeps {
  sql: Sql;
  policy: Policy;
  tenantHeader: string;
  publicUrl: string;
  log: Logger;
  now?: () => Date;
}

export type ProcessResult =
  | { status: 'skipped'; reason: 'missing' | 'already_done' }
  | { status: 'failed'; code: string }
  | { status: 'ignored'; reason: string }
  | { status: 'processed'; reports: number; events: NewEvent[] };

const DETAIL_MAX = 2000;

/**
 * One inbound message through the whole decision: parse → attribute → ONE transaction
 * that writes its reports, moves every affected score, records any restriction event
 * (outbox) and marks the message done. The message row is locked first and must still
 * be `queued`, so a job run twice (a worker died after commit) changes nothing.
 */
export async function processInbound(deps: PipelineDeps, inboundId: number): Promise<ProcessResult> {
  const [msg] = await deps.sql<{ raw: Buffer; channel: string; reporter: string | null; status: string }[]>`
    select raw, channel, reporter, status from inbound_messages where id = ${inboundId}`;
  if (!msg) return { status: 'skipped', reason: 'missing' };
  if (msg.status !== 'queued') return { status: 'skipped', reason: 'already_done' };

  // Parsing is CPU work: done before the transaction, so no row lock waits on it.
  const outcome: ParseOutcome = await parseMessage(msg.raw);
  const now = deps.now?.() ?? new Date();

  if (outcome.status !== 'reports') {
    const [status, code, detail] =
      outcome.status === 'failed'
        ? (['failed', outcome.code, outcome.message] as const)
        : (['ignored', outcome.reason, outcome.detail] as const);
    const done = await deps.sql`
      update inbound_messages
         set status = ${status}, failure_code = ${code}, failure_detail = ${detail.slice(0, DETAIL_MAX)},
             processed_at = ${now}
       where id = ${inboundId} and status = 'queued'`;
    if (done.count === 0) return { status: 'skipped', reason: 'already_done' };
    return outcome.status === 'failed'
      ? { status: 'failed', code: outcome.code }
      : { status: 'ignored', reason: outcome.reason };
  }

  return deps.sql.begin(async (tx) => {
    const [locked] = await tx<{ status: string }[]>`
      select status from inbound_messages where id = ${inboundId} for update`;
    if (locked?.status !== 'queued') return { status: 'skipped', reason: 'already_done' } as const;

    const facts = await loadFacts(tx, attributionCandidates(outcome.reports, deps.tenantHeader));
    const attributed = outcome.reports.map((report) => ({
      report,
      attribution: attribute(report, facts, deps.tenantHeader),
    }));
    const rows = attributed.map(({ report, attribution }, seq) =>
      scoredRow(seq, report, attribution, msg.reporter, deps.policy),
    );
    const inserted = await insertReports(tx, inboundId, msg.channel, rows);

    const deltas = scoreDeltas(rows);
    const scoreRows = await addComplaints(tx, deltas, now, deps.policy);
    const lastReportId = inserted.at(-1)?.id ?? null;
    const events = eventsForDecisions(scoreRows, deps.policy, deps.publicUrl, lastReportId);
    await writeEvents(tx, events, now);

    await tx`update inbound_messages set status = 'processed', processed_at = ${now} where id = ${inboundId}`;
    return { status: 'processed', reports: rows.length, events } as const;
  }) as Promise<ProcessResult>;
}

function scoredRow(
  seq: number,
  report: ParsedReport,
  attribution: Attribution,
  reporter: string | null,
  policy: Policy,
): ReportRow {
  const weight = complaintWeight(policy, report.feedbackType);
  const status = reportStatus(report, attribution);
  const scores = status === 'scored' && weight !== 0;
  const reason = status === 'evidence' ? 'evidence' : status === 'unattributed' ? 'unattributed' : null;
  return toReportRow(seq, report, attribution, reporter, weight, scores ? weight : 0, reason);
}

/** The subjects a message's reports move, summed: an IP, its tenant, the tenant's unregistered-domain mail. */
export function scoreDeltas(rows: ReportRow[]): ScoreDelta[] {
  const sums = new Map<string, ScoreDelta>();
  const add = (subjectType: ScoreDelta['subjectType'], subject: string, complaints: number) => {
    const key = `${subjectType}\u0000${subject}`;
    const d = sums.get(key) ?? { subjectType, subject, complaints: 0, reports: 0 };
    d.complaints += complaints;
    d.reports += 1;
    sums.set(key, d);
  };
  for (const r of rows) {
    if (r.status !== 'scored' || r.scoredWeight === 0) continue;
    if (r.ip) add('ip', r.ip, r.scoredWeight);
    if (r.tenantId) add('tenant', r.tenantId, r.scoredWeight);
    if (r.tenantId && r.senderDomainRegistered === false)
      add('tenant_unregistered', r.tenantId, r.scoredWeight);
  }
  return [...sums.values()];
}
