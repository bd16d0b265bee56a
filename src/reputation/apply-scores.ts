import type { Queryable } from '../db/client.ts';
import type { Policy, SubjectState, SubjectStatus, SubjectType } from './policy.ts';

export interface ScoreDelta {
  subjectType: SubjectType;
  subject: string;
  complaints: number;
  /** The part of `complaints` from verified or partner evidence. */
  trusted: number;
  reports: number;
  /** Delivered volume, already decayed to `now`. */
  volume?: number;
}

export interface ScoreRow extends SubjectState {
  subjectType: SubjectType;
  subject: string;
  reportCount: number;
}

/**
 * Adds complaint weight and delivered volume to many subjects in one statement: each
 * row's stored values are decayed to `now` and the deltas added (floor 0: a not-spam report cannot push a score
 * below nothing). Rows lock in primary-key order, so concurrent workers cannot deadlock.
 * Raw SQL: this is the hottest statement of the pipeline.
 */
export async function addToScores(
  tx: Queryable,
  deltas: ScoreDelta[],
  now: Date,
  policy: Policy,
): Promise<ScoreRow[]> {
  if (deltas.length === 0) return [];
  const sorted = [...deltas].sort((a, b) =>
    a.subjectType === b.subjectType
      ? a.subject.localeCompare(b.subject)
      : a.subjectType.localeCompare(b.subjectType),
  );
  const halfLifeSeconds = policy.halfLifeHours * 3600;
  // `excluded.complaints` is the delta floored at 0 (a new row cannot start negative),
  // so the update path reads the signed delta back from `d`: a not-spam report
  // (negative weight) lowers an existing score. The decay exponent is capped: after
  // a thousand half-lives a value is nothing, and power() would raise an underflow.
  const rows = await tx<
    {
      subject_type: SubjectType;
      subject: string;
      complaints: number;
      trusted_complaints: number;
      volume: number;
      report_count: number;
      status: SubjectStatus;
    }[]
  >`
    with d as (
      select t, subj, c, tc, n, v
        from unnest(${sorted.map((d) => d.subjectType)}::text[], ${sorted.map((d) => d.subject)}::text[],
                    ${sorted.map((d) => d.complaints)}::float8[], ${sorted.map((d) => d.trusted)}::float8[],
                    ${sorted.map((d) => d.reports)}::int[], ${sorted.map((d) => d.volume ?? 0)}::float8[])
             as d(t, subj, c, tc, n, v)
    ), ins as (
      insert into scores as s (subject_type, subject, complaints, trusted_complaints, volume, report_count, updated_at)
      select t, subj, greatest(c, 0), greatest(tc, 0), v, n, ${now}::timestamptz from d
      on conflict (subject_type, subject) do update set
        complaints = greatest(0, s.complaints * power(0.5, least(1000, greatest(0, extract(epoch from (excluded.updated_at - s.updated_at))) / ${halfLifeSeconds}))
                       + (select d.c from d where d.t = excluded.subject_type and d.subj = excluded.subject)),
        trusted_complaints = greatest(0, s.trusted_complaints * power(0.5, least(1000, greatest(0, extract(epoch from (excluded.updated_at - s.updated_at))) / ${halfLifeSeconds}))
                       + (select d.tc from d where d.t = excluded.subject_type and d.subj = excluded.subject)),
        volume = s.volume * power(0.5, least(1000, greatest(0, extract(epoch from (excluded.updated_at - s.updated_at))) / ${halfLifeSeconds}))
                 + excluded.volume,
        report_count = s.report_count + excluded.report_count,
        updated_at = greatest(s.updated_at, excluded.updated_at)
      returning subject_type, subject, complaints, trusted_complaints, volume, report_count, status
    )
    select * from ins`;
  return rows.map((r) => ({
    subjectType: r.subject_type,
    subject: r.subject,
    complaints: r.complaints,
    trustedComplaints: r.trusted_complaints,
    volume: r.volume,
    reportCount: r.report_count,
    status: r.status,
  }));
}
