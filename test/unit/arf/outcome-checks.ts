import { expect } from 'vitest';
import type { ParsedReport, ParseOutcome } from '../../../src/arf/types.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function checkStrings(value: unknown, path: string): void {
  if (typeof value === 'string') {
    expect(value.length, path).toBeLessThanOrEqual(2000);
    expect(CONTROL.test(value), `${path} has a control character`).toBe(false);
  } else if (Buffer.isBuffer(value)) {
    // The original's bytes (for signature checks) are never stored or shown.
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      checkStrings(item, `${path}[${index}]`);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) checkStrings(item, `${path}.${key}`);
  }
}

function checkReport(report: ParsedReport): void {
  expect(['arf', 'forward']).toContain(report.format);
  expect(['complaint', 'auth-evidence']).toContain(report.evidence);
  expect(report.original.headers.length).toBeLessThanOrEqual(100);
  for (const list of [
    report.originalRcptTo,
    report.reportedDomains,
    report.reportedUris,
    report.warnings,
    report.original.received,
    report.original.dkimDomains,
  ]) {
    expect(list.length).toBeLessThanOrEqual(50);
  }
  checkStrings(report, 'report');
}

/** The outcome is one of the three shapes, and everything a report stores is bounded and clean. */
export function expectWellFormed(outcome: ParseOutcome): void {
  expect(['reports', 'ignored', 'failed']).toContain(outcome.status);
  if (outcome.status === 'failed') {
    expect(outcome.code).toMatch(/^arf\.[a-z_]+$/);
    expect(outcome.message.length).toBeGreaterThan(0);
  } else if (outcome.status === 'ignored') {
    expect(outcome.reason).toMatch(/^ignored\./);
  } else {
    outcome.reports.forEach(checkReport);
  }
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
