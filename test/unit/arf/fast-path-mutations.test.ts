import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/arf/parse-message.ts';
import { buildArf } from '../../support/build-arf.ts';
import { CORPUS_DIR, corpusPath } from '../../support/corpus.ts';
import { seededRandom } from '../../support/prng.ts';

/** Damage a real report the way transport and careless generators do. */
function mutate(raw: Buffer, rnd: () => number): Buffer {
  const lines = raw.toString('latin1').split('\n');
  const pick = () => Math.floor(rnd() * lines.length);
  switch (Math.floor(rnd() * 7)) {
    case 0:
      return raw.subarray(0, Math.floor(rnd() * raw.length)); // truncated anywhere
    case 1: {
      const i = pick();
      lines.splice(i, 1); // a line lost (a boundary, a header, a blank line)
      break;
    }
    case 2: {
      const i = pick();
      lines.splice(i, 0, lines[i] ?? ''); // a line doubled
      break;
    }
    case 3: {
      const copy = Buffer.from(raw);
      copy[Math.floor(rnd() * copy.length)] = Math.floor(rnd() * 256); // one byte flipped
      return copy;
    }
    case 4: {
      const i = pick();
      lines[i] = (lines[i] ?? '').toUpperCase(); // case changed (field names, boundaries)
      break;
    }
    case 5: {
      const i = pick();
      lines[i] = `${lines[i] ?? ''} `; // trailing white space
      break;
    }
    default: {
      const i = pick();
      lines.splice(i, 0, 'Content-Transfer-Encoding: base64'); // a stray field
    }
  }
  return Buffer.from(lines.join('\n'), 'latin1');
}

describe('the fast path under damaged input', () => {
  it('gives exactly what mailparser gives for 600 mutations of real and generated reports', async () => {
    const seeds = [
      ...readdirSync(CORPUS_DIR)
        .filter((f) => f.endsWith('.eml'))
        .map((f) => readFileSync(corpusPath(f))),
      buildArf({ id: 'm1', sourceIp: '198.51.100.1', originalHeaders: ['X-Repute-Tenant: acme'] }),
      buildArf({ id: 'm2', sourceIp: '2001:db8::1', feedbackType: 'fraud', bodyBytes: 3000 }),
    ];
    const rnd = seededRandom(20261123);
    for (let i = 0; i < 600; i++) {
      const raw = mutate(seeds[i % seeds.length]!, rnd);
      const fast = await parseMessage(raw);
      const slow = await parseMessage(raw, { fastPath: false });
      expect(fast, `mutation ${i} of seed ${i % seeds.length}`).toEqual(slow);
    }
  });
});
