import { describe, expect, it } from 'vitest';
import { createBackoff } from '../../../src/mailbox/backoff.ts';

describe('createBackoff', () => {
  it('doubles the wait from the base up to the cap', () => {
    const b = createBackoff({ baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect(Array.from({ length: 6 }, () => b.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(b.attempts).toBe(6);
  });

  it('jitters each wait between half and all of the nominal one', () => {
    const low = createBackoff({ baseMs: 100, maxMs: 1000, random: () => 0 });
    expect([low.next(), low.next(), low.next()]).toEqual([50, 100, 200]);
    const b = createBackoff({ baseMs: 1000, maxMs: 60_000 });
    for (let i = 0; i < 50; i++) {
      const nominal = Math.min(60_000, 1000 * 2 ** i);
      const wait = b.next();
      expect(wait).toBeGreaterThanOrEqual(nominal / 2);
      expect(wait).toBeLessThanOrEqual(nominal);
    }
  });

  it('starts from the base again after a reset', () => {
    const b = createBackoff({ baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    b.next();
    b.next();
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(100);
  });
});
