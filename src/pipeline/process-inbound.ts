import { parseMessage } from '../arf/parse-message.ts';
import type { ParseOutcome } from '../arf/types.ts';
import { attribute, attributionCandidates } from '../attribution/attribute.ts';
import { loadFacts } from '../attribution/load-facts.ts';
import type { TenantHeaderPolicy } from '../attribution/tenant-header.ts';
import type { Queryable, Sql } from '../db/client.ts';
import type { Proofs } from '../evidence/evidence-level.ts';
import { gatherProofs } from '../evidence/gather-proofs.ts';
import type { ProofSources } from '../evidence/proof-sources.ts';
import type { Logger } from '../log.ts';
import { addToScores } from '../reputation/apply-scores.ts';
import { ClaimedAllowance, loadClaimedUsage } from '../reputation/claimed-caps.ts';
import { claimMessages } from '../reputation/message-claims.ts';
import type { Policy } from '../reputation/policy.ts';
import {
  eventsForDecisions,
  type NewEvent,
  writeEvents,
  writeStatusChanges,
} from '../reputation/write-events.ts';
import { insertReports, type ReportRow } from './report-rows.ts';
import { scoreDeltas, scoredRow } from './score-rows.ts';

export interface PipelineDeps {
  sql: Sql;
  policy: Policy;
  tenantHeader: TenantHeaderPolicy;
  /** The platform's DKIM keys and the partners' domains, that the proofs are checked against. */
  proofSources: () => Promise<ProofSources>;
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

interface Parsed {
  id: number;
  channel: string;
  reporter: string | null;
  outcome: ParseOutcome;
  /** What proves each report's original came from the platform, in report order. */
  proofs: Array<Proofs & { warnings: string[] }>;
}

/** One inbound message through the pipeline: a batch of one. */
export async function processInbound(deps: PipelineDeps, inboundId: number): Promise<ProcessResult> {
  const results = await processInboundBatch(deps, [inboundId]);
  return results.get(inboundId) ?? { status: 'skipped', reason: 'missing' };
}

/**
 * Inbound messages through the whole decision: parse → attribute → ONE transaction
 * that writes their reports, moves every affected score (summed per subject, so a hot
 * IP's row is updated once per batch), records restriction events (outbox) and marks
 * the messages done. Rows are locked and must still be `queued`, so a job run twice
 * (a worker died after commit) changes nothing.
 */
export async function processInboundBatch(
  deps: PipelineDeps,
  inboundIds: number[],
): Promise<Map<number, ProcessResult>> {
  const results = new Map<number, ProcessResult>();
  const ids = [...new Set(inboundIds)].sort((a, b) => a - b);
  for (const id of ids) results.set(id, { status: 'skipped', reason: 'missing' });

  const messages = await deps.sql<
    { id: number; raw: Buffer; channel: string; reporter: string | null; status: string }[]
  >`
    select id, raw, channel, reporter, status from inbound_messages where id = any(${ids}::bigint[])`;
  const now = deps.now?.() ?? new Date();
  const parsed: Parsed[] = [];
  let sources: ProofSources | undefined;
  for (const m of messages) {
    if (m.status !== 'queued') {
      results.set(m.id, { status: 'skipped', reason: 'already_done' });
      continue;
    }
    // Parsing and signature checks are CPU work: done before the transaction, so no row lock waits on them.
    const outcome = await parseMessage(m.raw);
    let proofs: Parsed['proofs'] = [];
    if (outcome.status === 'reports') {
      sources ??= await deps.proofSources();
      proofs = await gatherProofs(m, outcome.reports, sources, now);
    }
    parsed.push({ id: m.id, channel: m.channel, reporter: m.reporter, outcome, proofs });
  }
  if (parsed.length === 0) return results;

  await deps.sql.begin(async (tx) => {
    const locked = await tx<{ id: number; status: string }[]>`
      select id, status from inbound_messages where id = any(${parsed.map((p) => p.id)}::bigint[])
       order by id for update`;
    const stillQueued = new Set(locked.filter((r) => r.status === 'queued').map((r) => r.id));
    const todo = parsed.filter((p) => {
      if (stillQueued.has(p.id)) return true;
      results.set(p.id, { status: 'skipped', reason: 'already_done' });
      return false;
    });
    if (todo.length === 0) return;
    const batchResults = await decide(tx, deps, todo, now);
    for (const [id, r] of batchResults) results.set(id, r);
  });
  return results;
}

async function decide(tx: Queryable, deps: PipelineDeps, todo: Parsed[], now: Date) {
  const results = new Map<number, ProcessResult>();
  const withReports = todo.flatMap((p) =>
    p.outcome.status === 'reports' ? [{ ...p, reports: p.outcome.reports }] : [],
  );
  const items = withReports.flatMap((p) => p.reports.map((report, i) => ({ report, proofs: p.proofs[i] })));

  const facts = await loadFacts(tx, attributionCandidates(items, deps.tenantHeader.name));
  const rowsByMessage = withReports.map((p) => ({
    p,
    rows: p.reports.map((report, seq) => {
      const proofs = p.proofs[seq] ?? { partner: null, platformSignature: null, warnings: [] };
      const attribution = attribute(report, facts, deps.tenantHeader, now, proofs);
      return scoredRow(seq, report, attribution, p, deps.policy, proofs);
    }),
  }));
  const allRows = rowsByMessage.flatMap((m) => m.rows);

  // One complaint per reported message, whatever brings it again; then claimed evidence,
  // cheap to forge, is capped per reporter, per reporting domain and in all per subject.
  const claims = await claimMessages(
    tx,
    rowsByMessage.flatMap(({ p, rows }) => rows.map((row) => ({ row, inboundId: p.id }))),
  );
  for (const row of allRows) claims.admit(row);
  if (allRows.some((r) => r.evidenceLevel === 'claimed' && r.scoredWeight > 0)) {
    const allowance = new ClaimedAllowance(
      await loadClaimedUsage(tx, allRows, deps.policy, now),
      deps.policy,
    );
    for (const row of allRows) allowance.apply(row);
  }
  claims.settle();
  await claims.write(tx);

  const inserted = await insertReports(
    tx,
    rowsByMessage.flatMap(({ p, rows }) => rows.map((row) => ({ row, inboundId: p.id, channel: p.channel }))),
  );
  const scoreRows = await addToScores(tx, scoreDeltas(allRows), now, deps.policy);
  const lastReportId = lastReportPerSubject(allRows, inserted);
  const { events, clears } = eventsForDecisions(scoreRows, deps.policy, deps.publicUrl, lastReportId);
  await writeEvents(tx, events, now);
  await writeStatusChanges(tx, clears, now);

  const statuses = todo.map((p) => {
    const o = p.outcome;
    if (o.status === 'reports') return { id: p.id, status: 'processed', code: null, detail: null };
    if (o.status === 'failed')
      return { id: p.id, status: 'failed', code: o.code, detail: o.message.slice(0, DETAIL_MAX) };
    return { id: p.id, status: 'ignored', code: o.reason, detail: o.detail.slice(0, DETAIL_MAX) };
  });
  await tx`
    update inbound_messages m
       set status = u.status, failure_code = u.code, failure_detail = u.detail, processed_at = ${now}::timestamptz
      from unnest(${statuses.map((s) => s.id)}::bigint[], ${statuses.map((s) => s.status)}::text[],
                  ${statuses.map((s) => s.code)}::text[], ${statuses.map((s) => s.detail)}::text[]) as u(id, status, code, detail)
     where m.id = u.id`;

  for (const p of todo) {
    const o = p.outcome;
    if (o.status === 'failed') results.set(p.id, { status: 'failed', code: o.code });
    else if (o.status === 'ignored') results.set(p.id, { status: 'ignored', reason: o.reason });
  }
  for (const { p, rows } of rowsByMessage) {
    const mine = events.filter((e) => e.reportId !== null && rows.some((r) => r.insertedId === e.reportId));
    results.set(p.id, { status: 'processed', reports: rows.length, events: mine });
  }
  return results;
}

/** The report that tipped each subject: the last report of the batch that moved it. */
function lastReportPerSubject(rows: ReportRow[], inserted: Array<{ id: number }>) {
  const last = new Map<string, number>();
  rows.forEach((row, i) => {
    const id = inserted[i]?.id;
    if (id === undefined) return;
    row.insertedId = id;
    if (row.scoredWeight === 0) return;
    if (row.ip) last.set(`ip:${row.ip}`, id);
    if (row.tenantId) {
      last.set(`tenant:${row.tenantId}`, id);
      last.set(`tenant_unregistered:${row.tenantId}`, id);
    }
  });
  return (subjectType: string, subject: string) => last.get(`${subjectType}:${subject}`) ?? null;
}
