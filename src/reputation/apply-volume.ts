import type { Sql } from '../db/client.ts';
import { addToScores, type ScoreDelta } from './apply-scores.ts';
import { decayFactor, type Policy, type SubjectType } from './policy.ts';
import { eventsForDecisions, type NewEvent, writeEvents, writeStatusChanges } from './write-events.ts';

/** One delivered-volume sample from an MTA, validated. */
export interface VolumeSample {
  ip: string | null;
  tenant: string | null;
  count: number;
  unregisteredCount: number;
  at: Date;
}

/**
 * Adds delivered volume to scores in one transaction: each sample decayed from its own
 * time to now (the same half-life as complaints, so complaints / volume is a rate at one
 * moment), summed per subject, then the policy runs — volume arriving after complaints
 * can turn a count into a rate that crosses a line — and the day totals are kept for charts.
 */
export async function addVolume(
  sql: Sql,
  samples: VolumeSample[],
  policy: Policy,
  publicUrl: string,
  now: Date,
): Promise<NewEvent[]> {
  const deltas = new Map<string, ScoreDelta>();
  const days = new Map<string, { subjectType: SubjectType; subject: string; day: string; count: number }>();
  const add = (subjectType: SubjectType, subject: string, count: number, at: Date) => {
    if (count <= 0) return;
    const key = `${subjectType}\u0000${subject}`;
    const d = deltas.get(key) ?? { subjectType, subject, complaints: 0, trusted: 0, reports: 0, volume: 0 };
    d.volume = (d.volume ?? 0) + count * decayFactor(now.getTime() - at.getTime(), policy.halfLifeHours);
    deltas.set(key, d);
    const day = at.toISOString().slice(0, 10);
    const dk = `${key}\u0000${day}`;
    const agg = days.get(dk) ?? { subjectType, subject, day, count: 0 };
    agg.count += count;
    days.set(dk, agg);
  };
  for (const s of samples) {
    if (s.ip) add('ip', s.ip, s.count, s.at);
    if (s.tenant) {
      add('tenant', s.tenant, s.count, s.at);
      add('tenant_unregistered', s.tenant, s.unregisteredCount, s.at);
    }
  }
  if (deltas.size === 0) return [];
  return (await sql.begin(async (tx) => {
    const rows = await addToScores(tx, [...deltas.values()], now, policy);
    const { events, clears } = eventsForDecisions(rows, policy, publicUrl, () => null);
    await writeEvents(tx, events, now);
    await writeStatusChanges(tx, clears, now);
    // Sorted, so two feeds posting at once lock day rows in the same order.
    const d = [...days.values()].sort((a, b) =>
      `${a.subjectType}|${a.subject}|${a.day}`.localeCompare(`${b.subjectType}|${b.subject}|${b.day}`),
    );
    await tx`
      insert into volume_daily as v (subject_type, subject, day, count)
      select * from unnest(${d.map((x) => x.subjectType)}::text[], ${d.map((x) => x.subject)}::text[],
                           ${d.map((x) => x.day)}::date[], ${d.map((x) => x.count)}::bigint[])
      on conflict (subject_type, subject, day) do update set count = v.count + excluded.count`;
    return events;
  })) as NewEvent[];
}
