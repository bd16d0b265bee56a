// npm run fuzz -- --count N --seed S [--case C] [--out DIR] [--max-bytes B]
//
// Parses N messages made from the shared corpus and built reports of every kind (mutated) and
// from random bytes, and reports throws, invariant breaks, fast-path/mailparser disagreements
// and the slowest messages. --case C makes case C of seed S again and prints its outcome, to
// replay a finding; --out writes each finding's message to DIR. Exits 1 when anything was found.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseMessage } from '../../src/arf/parse-message.ts';
import { fuzzCase, runFuzz } from './run-fuzz.ts';
import { builtSeeds, corpusSeeds } from './seeds.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    case: { type: 'string' },
    out: { type: 'string' },
    'max-bytes': { type: 'string', default: String(2 * 1024 * 1024) },
  },
});
const count = Number(values.count);
const seed = Number(values.seed);
const maxBytes = Number(values['max-bytes']);
if (!Number.isInteger(count) || count < 0 || !Number.isInteger(seed) || !Number.isInteger(maxBytes)) {
  console.error('usage: npm run fuzz -- --count N --seed S [--case C] [--out DIR] [--max-bytes B]');
  process.exit(2);
}
const seeds = [...corpusSeeds(), ...builtSeeds()];

if (values.case !== undefined) {
  const made = fuzzCase(seed, Number(values.case), seeds, { maxBytes });
  console.log(`case ${values.case} of seed ${seed}: ${made.seed}, ${made.what} (${made.bytes.length} bytes)`);
  if (values.out) writeFileSync(values.out, made.bytes);
  const started = performance.now();
  const outcome = await parseMessage(made.bytes);
  console.log(`${(performance.now() - started).toFixed(1)} ms`);
  console.log(JSON.stringify(outcome, null, 2).slice(0, 20_000));
  process.exit(0);
}

const result = await runFuzz({
  count,
  seed,
  seeds,
  maxBytes,
  onProgress: (done) => {
    if (done % 1000 === 0) process.stderr.write(`${done}/${count}\r`);
  },
});

console.log(
  `${result.cases} messages, seed ${seed}, ${(result.totalMs / 1000).toFixed(1)} s; fast path took ${result.fastPath} (${((100 * result.fastPath) / Math.max(1, result.cases)).toFixed(1)} %), each compared with mailparser`,
);
const byKind = new Map<string, number>();
for (const finding of result.findings) byKind.set(finding.kind, (byKind.get(finding.kind) ?? 0) + 1);
console.log(
  `findings: ${result.findings.length === 0 ? 'none' : [...byKind].map(([kind, n]) => `${n} ${kind}`).join(', ')}`,
);
for (const finding of result.findings.slice(0, 30)) {
  console.log(
    `  ${finding.kind} case ${finding.caseNumber} (${finding.seed}; ${finding.what.slice(0, 120)})`,
  );
  console.log(`    ${finding.detail.slice(0, 400).replace(/\n/g, '\n    ')}`);
}
console.log('slowest:');
for (const slow of result.slowest) {
  console.log(
    `  ${slow.ms.toFixed(1).padStart(8)} ms  ${String(slow.size).padStart(9)} bytes  case ${slow.caseNumber} (${slow.seed}; ${slow.what.slice(0, 80)})`,
  );
}
if (values.out && result.findings.length > 0) {
  mkdirSync(values.out, { recursive: true });
  for (const finding of result.findings) {
    writeFileSync(join(values.out, `case-${finding.caseNumber}-${finding.kind}.eml`), finding.bytes);
  }
  console.log(`messages of the findings written to ${values.out}`);
}
process.exit(result.findings.length > 0 ? 1 : 0);
