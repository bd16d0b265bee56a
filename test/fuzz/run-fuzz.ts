import { isDeepStrictEqual } from 'node:util';
import { fastView } from '../../src/arf/fast-view.ts';
import { parseMessage } from '../../src/arf/parse-message.ts';
import type { ParseOutcome } from '../../src/arf/types.ts';
import { seededRandom } from '../support/prng.ts';
import { outcomeProblems } from './invariants.ts';
import { mutate, randomMessage } from './mutate.ts';
import type { Seed } from './seeds.ts';

export interface FuzzOptions {
  count: number;
  seed: number;
  seeds: readonly Seed[];
  /** Largest message a mutation may grow (default 2 MB). */
  maxBytes?: number;
  /** Share of cases that are random bytes rather than mutations (default 0.05). */
  randomShare?: number;
  /** A message that takes longer is a finding (default SLOW_MS). */
  slowMs?: number;
  /** How many of the slowest messages to keep (default 10). */
  slowest?: number;
  /** Called after each case, for a progress line. */
  onProgress?: (done: number) => void;
}

export type FindingKind = 'throw' | 'invariant' | 'disagreement' | 'slow';

export interface Finding {
  kind: FindingKind;
  /** The case number: `--seed S --case N` makes the same message again. */
  caseNumber: number;
  seed: string;
  what: string;
  detail: string;
  bytes: Buffer;
}

export interface Timing {
  caseNumber: number;
  seed: string;
  what: string;
  size: number;
  ms: number;
}

export interface FuzzResult {
  cases: number;
  /** Cases the fast path took (and that were then compared with mailparser). */
  fastPath: number;
  findings: Finding[];
  slowest: Timing[];
  totalMs: number;
}

/** What the parser promises: no message takes longer than this. */
export const SLOW_MS = 1000;

/** The message of case `caseNumber` of a run with `seed`: each case has its own random source. */
export function fuzzCase(
  seed: number,
  caseNumber: number,
  seeds: readonly Seed[],
  options: { maxBytes?: number; randomShare?: number } = {},
): { seed: string; what: string; bytes: Buffer } {
  const rnd = seededRandom((Math.imul(seed, 0x9e3779b1) ^ Math.imul(caseNumber + 1, 0x85ebca6b)) >>> 0);
  if (rnd() < (options.randomShare ?? 0.05)) return { seed: 'random', ...randomMessage(rnd) };
  const start = seeds[Math.floor(rnd() * seeds.length)]!;
  const other = () => seeds[Math.floor(rnd() * seeds.length)]!.bytes;
  const mutation = mutate(start.bytes, rnd, other, options.maxBytes ?? 2 * 1024 * 1024);
  return { seed: start.name, ...mutation };
}

async function timed(
  raw: Buffer,
  fastPath: boolean,
): Promise<{ outcome?: ParseOutcome; error?: unknown; ms: number }> {
  const started = performance.now();
  try {
    const outcome = await parseMessage(raw, { fastPath });
    return { outcome, ms: performance.now() - started };
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
}

function firstDifference(a: unknown, b: unknown, path = 'outcome'): string {
  if (isDeepStrictEqual(a, b)) return '';
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return `${path}: fast ${JSON.stringify(a)?.slice(0, 200)} / mailparser ${JSON.stringify(b)?.slice(0, 200)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const difference = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${path}.${key}`,
    );
    if (difference) return difference;
  }
  return `${path} differs`;
}

/**
 * Parses `count` made-up messages and reports what went wrong: a throw or rejection, an
 * outcome that breaks an invariant (outcomeProblems), a fast-path outcome that differs from
 * mailparser's, a message that took over slowMs; and the slowest messages.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const findings: Finding[] = [];
  const slowest: Timing[] = [];
  const keep = options.slowest ?? 10;
  let fastPath = 0;
  const started = performance.now();
  for (let n = 0; n < options.count; n++) {
    const made = fuzzCase(options.seed, n, options.seeds, options);
    const finding = (kind: FindingKind, detail: string) =>
      findings.push({ kind, caseNumber: n, seed: made.seed, what: made.what, detail, bytes: made.bytes });
    const tookFast = fastView(made.bytes) !== null;
    const runs = [await timed(made.bytes, true)];
    if (tookFast) {
      fastPath += 1;
      runs.push(await timed(made.bytes, false));
    }
    for (const run of runs) {
      if (run.error !== undefined)
        finding('throw', String(run.error instanceof Error ? run.error.stack : run.error));
      else if (run.outcome) {
        const problems = outcomeProblems(run.outcome);
        if (problems.length > 0) finding('invariant', problems.slice(0, 5).join('; '));
      }
    }
    const [fast, slow] = runs;
    if (slow && fast?.outcome && slow.outcome && !isDeepStrictEqual(fast.outcome, slow.outcome))
      finding('disagreement', firstDifference(fast.outcome, slow.outcome));
    const ms = Math.max(...runs.map((run) => run.ms));
    if (ms > (options.slowMs ?? SLOW_MS))
      finding('slow', `${ms.toFixed(0)} ms for ${made.bytes.length} bytes`);
    slowest.push({ caseNumber: n, seed: made.seed, what: made.what, size: made.bytes.length, ms });
    slowest.sort((a, b) => b.ms - a.ms);
    if (slowest.length > keep) slowest.length = keep;
    options.onProgress?.(n + 1);
  }
  return { cases: options.count, fastPath, findings, slowest, totalMs: performance.now() - started };
}
