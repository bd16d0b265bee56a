import { describe, expect, it } from 'vitest';
import { runFuzz } from './run-fuzz.ts';
import { builtSeeds, corpusSeeds } from './seeds.ts';

// A few thousand cases on every CI run; `npm run fuzz -- --count 100000 --seed S` runs more (see
// the README). A finding names its case: `npm run fuzz -- --seed 20261124 --case N` replays it.
const SEED = 20261124;
const COUNT = 4000;
// The harness holds every message to 1 s; on a CI machine shared with other jobs a test can
// only catch the seconds-long blow-ups (a backtracking regex), so it allows ten.
const SLOW_MS = 10_000;

describe('the parser under fuzzing', () => {
  it(`survives ${COUNT} mutated and random messages: no throw, no broken invariant, fast path = mailparser, none slow`, async () => {
    const result = await runFuzz({
      count: COUNT,
      seed: SEED,
      seeds: [...corpusSeeds(), ...builtSeeds()],
      slowMs: SLOW_MS,
    });
    const findings = result.findings.map(
      (finding) =>
        `${finding.kind} in case ${finding.caseNumber} (${finding.seed}; ${finding.what}): ${finding.detail}`,
    );
    expect(findings).toEqual([]);
    // The fast path is exercised, not just skipped: about a third of the cases take it.
    expect(result.fastPath).toBeGreaterThan(COUNT / 10);
  }, 180_000);
});
