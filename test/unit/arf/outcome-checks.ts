import { expect } from 'vitest';
import type { ParsedReport, ParseOutcome } from '../../../src/arf/types.ts';
import { outcomeProblems } from '../../fuzz/invariants.ts';

/** The outcome is one of the three shapes, and everything in it is bounded and clean. */
export function expectWellFormed(outcome: ParseOutcome): void {
  expect(outcomeProblems(outcome)).toEqual([]);
}

/** The reports of an outcome, failing the test with the outcome when there are none. */
export function reportsOf(outcome: ParseOutcome): ParsedReport[] {
  if (outcome.status !== 'reports') throw new Error(`expected reports, got ${JSON.stringify(outcome)}`);
  return outcome.reports;
}

/** The one report of an outcome. */
export function onlyReport(outcome: ParseOutcome): ParsedReport {
  const reports = reportsOf(outcome);
  expect(reports).toHaveLength(1);
  return reports[0]!;
}

/**
 * What an outcome says, without the original's bytes: two spellings of one message (CRLF
 * and LF line ends) read alike, though their bytes differ.
 */
export function readingOf(outcome: ParseOutcome): ParseOutcome {
  if (outcome.status !== 'reports') return outcome;
  return {
    ...outcome,
    reports: outcome.reports.map(({ originalBytes: _bytes, ...report }) => report),
  };
}
