import { FEEDBACK_TYPES, type ParsedReport, type ParseOutcome } from '../../src/arf/types.ts';

// What must hold for every outcome of the parser, whatever the input: the unit tests check it on
// the messages they build, the fuzz harness on every message it makes up.

/** Longest string the parser may hand out (MAX_VALUE_CHARS). */
const MAX_STRING = 2000;
/** Longest list (MAX_LIST_ITEMS), and most header fields kept of an original. */
const MAX_LIST = 50;
const MAX_HEADERS = 100;
// NUL and the other C0/C1 controls, bidi marks and overrides, lone surrogates: none may be stored.
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]|[\ud800-\udfff]/u;
const FAILURE_CODE = /^arf\.[a-z_]+$/;
const IGNORED_REASONS = ['ignored.bounce', 'ignored.auto_reply', 'ignored.unsubscribe', 'ignored.empty'];

function stringProblems(value: unknown, path: string, problems: string[]): void {
  if (typeof value === 'string') {
    if (value.length > MAX_STRING) problems.push(`${path} is ${value.length} characters long`);
    const unsafe = UNSAFE.exec(value);
    if (unsafe)
      problems.push(`${path} has U+${unsafe[0].codePointAt(0)!.toString(16).padStart(4, '0')} in it`);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      stringProblems(item, `${path}[${index}]`, problems);
    });
  } else if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    for (const [key, item] of Object.entries(value)) stringProblems(item, `${path}.${key}`, problems);
  }
}

function reportProblems(report: ParsedReport, path: string, problems: string[]): void {
  if (!['arf', 'x-arf', 'spamcop', 'forward'].includes(report.format))
    problems.push(`${path}.format is ${report.format}`);
  if (!['complaint', 'auth-evidence'].includes(report.evidence))
    problems.push(`${path}.evidence is ${report.evidence}`);
  if (!FEEDBACK_TYPES.includes(report.feedbackType))
    problems.push(`${path}.feedbackType is ${report.feedbackType}`);
  if (report.original.headers.length > MAX_HEADERS)
    problems.push(`${path} keeps ${report.original.headers.length} header fields`);
  const lists = {
    originalRcptTo: report.originalRcptTo,
    reportedDomains: report.reportedDomains,
    reportedUris: report.reportedUris,
    warnings: report.warnings,
    'original.received': report.original.received,
    'original.dkimDomains': report.original.dkimDomains,
  };
  for (const [name, list] of Object.entries(lists)) {
    if (!Array.isArray(list)) problems.push(`${path}.${name} is not a list`);
    else if (list.length > MAX_LIST) problems.push(`${path}.${name} has ${list.length} items`);
  }
  for (const [key, value] of Object.entries(report)) {
    if (value === undefined) problems.push(`${path}.${key} is set to undefined`);
  }
}

/** Everything wrong with an outcome; an empty list when it is well formed, bounded and clean. */
export function outcomeProblems(outcome: ParseOutcome): string[] {
  const problems: string[] = [];
  switch (outcome.status) {
    case 'failed':
      if (!FAILURE_CODE.test(outcome.code)) problems.push(`failure code ${outcome.code}`);
      if (outcome.message.length === 0) problems.push('failure without a message');
      break;
    case 'ignored':
      if (!IGNORED_REASONS.includes(outcome.reason)) problems.push(`ignored reason ${outcome.reason}`);
      break;
    case 'reports':
      if (outcome.reports.length === 0) problems.push('reports outcome without a report');
      outcome.reports.forEach((report, index) => {
        reportProblems(report, `reports[${index}]`, problems);
      });
      break;
    default:
      problems.push(`status ${(outcome as { status: unknown }).status}`);
  }
  stringProblems(outcome, 'outcome', problems);
  return problems;
}
