import type { Sql } from '../db/client.ts';
import { complaintRate, decayFactor, type Policy, type SubjectType } from './policy.ts';

export interface ScoreView {
  complaints: number;
  volume: number;
  rate: number | null;
  reports: number;
  status: string;
  statusSince: Date | null;
  updatedAt: Date | null;
}

const EMPTY: ScoreView = {
  complaints: 0,
  volume: 0,
  rate: null,
  reports: 0,
  status: 'ok',
  statusSince: null,
  updatedAt: null,
};

/** Scores as of `now`: stored values decayed over the time since their last update. */
export async function readScores(
  sql: Sql,
  subjects: Array<{ subjectType: SubjectType; subject: string }>,
  policy: Policy,
  now: Date,
): Promise<ScoreView[]> {
  const rows = await sql<
    {
      subject_type: string;
      subject: string;
      complaints: number;
      volume: number;
      report_count: number;
      status: string;
      status_since: Date | null;
      updated_at: Date;
    }[]
  >`
    select s.* from scores s
      join unnest(${subjects.map((s) => s.subjectType)}::text[], ${subjects.map((s) => s.subject)}::text[]) as q(t, subj)
        on s.subject_type = q.t and s.subject = q.subj`;
  return subjects.map(({ subjectType, subject }) => {
    const r = rows.find((x) => x.subject_type === subjectType && x.subject === subject);
    if (!r) return EMPTY;
    const f = decayFactor(now.getTime() - r.updated_at.getTime(), policy.halfLifeHours);
    const state = { complaints: r.complaints * f, volume: r.volume * f, status: 'ok' as const };
    return {
      complaints: round(state.complaints),
      volume: round(state.volume),
      rate: complaintRate(state, policy),
      reports: r.report_count,
      status: r.status,
      statusSince: r.status_since,
      updatedAt: r.updated_at,
    };
  });
}

const round = (x: number) => Math.round(x * 1000) / 1000;
