import type { Sql } from '../db/client.ts';
import { decayFactor, type Policy, rateView, type SubjectType } from './policy.ts';

export interface ScoreView {
  complaints: number;
  /** The part of `complaints` from verified or partner evidence: what blocks and restricts. */
  trustedComplaints: number;
  volume: number;
  rate: number | null;
  /** Wilson bounds of the rate at the policy's confidence; null under the minimum volume. */
  lowerBound: number | null;
  upperBound: number | null;
  reports: number;
  status: string;
  statusSince: Date | null;
  updatedAt: Date | null;
}

interface ScoreRecord {
  subject_type: string;
  subject: string;
  complaints: number;
  trusted_complaints: number;
  volume: number;
  report_count: number;
  status: string;
  status_since: Date | null;
  updated_at: Date;
}

const EMPTY: ScoreView = {
  complaints: 0,
  trustedComplaints: 0,
  volume: 0,
  rate: null,
  lowerBound: null,
  upperBound: null,
  reports: 0,
  status: 'ok',
  statusSince: null,
  updatedAt: null,
};

const round = (x: number) => Math.round(x * 1000) / 1000;

/** A stored score as of `now`: its values decayed over the time since their last update. */
function viewAt(r: ScoreRecord, policy: Policy, now: Date): ScoreView {
  const f = decayFactor(now.getTime() - r.updated_at.getTime(), policy.halfLifeHours);
  const state = { complaints: r.complaints * f, volume: r.volume * f };
  const bounds = rateView(state, policy);
  return {
    complaints: round(state.complaints),
    trustedComplaints: round(r.trusted_complaints * f),
    volume: round(state.volume),
    rate: bounds.rate,
    lowerBound: bounds.lower,
    upperBound: bounds.upper,
    reports: r.report_count,
    status: r.status,
    statusSince: r.status_since,
    updatedAt: r.updated_at,
  };
}

export async function readScores(
  sql: Sql,
  subjects: Array<{ subjectType: SubjectType; subject: string }>,
  policy: Policy,
  now: Date,
): Promise<ScoreView[]> {
  const rows = await sql<ScoreRecord[]>`
    select s.* from scores s
      join unnest(${subjects.map((s) => s.subjectType)}::text[], ${subjects.map((s) => s.subject)}::text[]) as q(t, subj)
        on s.subject_type = q.t and s.subject = q.subj`;
  return subjects.map(({ subjectType, subject }) => {
    const r = rows.find((x) => x.subject_type === subjectType && x.subject === subject);
    return r ? viewAt(r, policy, now) : EMPTY;
  });
}

export interface RankedScore extends ScoreView {
  subjectType: SubjectType;
  subject: string;
}

export type ScoreOrder = 'complaints' | 'rate';

/**
 * The worst subjects first. Ranked by complaints decayed to now in SQL; `rate` orders
 * a wider cut of those by the Wilson lower bound (what the policy acts on), subjects
 * without a usable volume after those with one.
 */
export async function topScores(
  sql: Sql,
  subjectType: SubjectType,
  order: ScoreOrder,
  limit: number,
  policy: Policy,
  now: Date,
): Promise<RankedScore[]> {
  const halfLifeSeconds = policy.halfLifeHours * 3600;
  const rows = await sql<ScoreRecord[]>`
    select * from scores where subject_type = ${subjectType}
     order by complaints * power(0.5, least(1000, greatest(0, extract(epoch from (${now}::timestamptz - updated_at))) / ${halfLifeSeconds})) desc
     limit ${order === 'rate' ? Math.max(limit * 20, 1000) : limit}`;
  const ranked = rows.map((r) => ({ subjectType, subject: r.subject, ...viewAt(r, policy, now) }));
  if (order === 'rate') {
    ranked.sort((a, b) => (b.lowerBound ?? -1) - (a.lowerBound ?? -1) || b.complaints - a.complaints);
  }
  return ranked.slice(0, limit);
}
