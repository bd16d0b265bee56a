import { type RankedScore, readScores, type ScoreOrder, topScores } from '../reputation/read-scores.ts';
import type { Runtime } from '../runtime.ts';

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(3)}%`);

/** `repute scores top`: the worst subjects first, as a table for a terminal. */
export async function printTopScores(
  rt: Runtime,
  opts: { type: 'ip' | 'tenant'; order: ScoreOrder; limit: number },
): Promise<void> {
  const rows: RankedScore[] = await topScores(
    rt.database.sql,
    opts.type,
    opts.order,
    opts.limit,
    rt.policy,
    new Date(),
  );
  if (opts.type === 'tenant' && rows.length > 0) {
    // A tenant's unregistered-domain score is what restricts it: show it beside the overall one.
    const unregistered = await readScores(
      rt.database.sql,
      rows.map((r) => ({ subjectType: 'tenant_unregistered' as const, subject: r.subject })),
      rt.policy,
      new Date(),
    );
    rows.forEach((r, i) => {
      r.status = unregistered[i]?.status === 'restricted' ? 'restricted' : r.status;
    });
  }
  const header = [
    opts.type === 'ip' ? 'IP' : 'TENANT',
    'COMPLAINTS',
    'VOLUME',
    'RATE',
    'LOWER',
    'UPPER',
    'REPORTS',
    'STATUS',
  ];
  const lines = rows.map((r) => [
    r.subject,
    r.complaints.toFixed(2),
    Math.round(r.volume).toString(),
    pct(r.rate),
    pct(r.lowerBound),
    pct(r.upperBound),
    String(r.reports),
    r.status,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  for (const l of [header, ...lines]) console.log(l.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  if (lines.length === 0) console.log('(no scores yet)');
}
