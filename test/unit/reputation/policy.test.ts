import { describe, expect, it } from 'vitest';
import {
  complaintWeight,
  decayedWeight,
  decayFactor,
  decide,
  DEFAULT_POLICY as P,
  type SubjectState,
} from '../../../src/reputation/policy.ts';

const state = (complaints: number, volume = 0, status: SubjectState['status'] = 'ok'): SubjectState => ({
  complaints,
  volume,
  status,
});

describe('decay', () => {
  it('halves a weight over one half-life and quarters it over two', () => {
    const t0 = new Date('2026-11-01T00:00:00Z');
    expect(decayedWeight(8, t0, new Date('2026-11-02T00:00:00Z'), 24)).toBeCloseTo(4, 10);
    expect(decayedWeight(8, t0, new Date('2026-11-03T00:00:00Z'), 24)).toBeCloseTo(2, 10);
  });
  it('never grows a weight when the clock goes backwards', () => {
    expect(decayFactor(-1000, 24)).toBe(1);
  });
});

describe('complaint weights', () => {
  it.each([
    ['abuse', 1],
    ['fraud', 3],
    ['virus', 3],
    ['other', 0.5],
    ['not-spam', -1],
    ['auth-failure', 0],
  ])('weighs %s as %d', (type, weight) => {
    expect(complaintWeight(P, type)).toBe(weight);
  });
});

describe('IP decisions without a usable volume (count rules)', () => {
  it.each([
    [19, 'ok', 'none'],
    [20, 'ok', 'warn'],
    [30, 'warned', 'none'],
    [49.9, 'warned', 'none'],
    [50, 'warned', 'block'],
    [50, 'ok', 'block'],
    [80, 'blocked', 'none'],
  ] as const)('with %d complaints and status %s: %s', (complaints, status, action) => {
    expect(decide('ip', state(complaints, 0, status), P).action).toBe(action);
  });
  it('treats a volume under the minimum as unknown', () => {
    expect(decide('ip', state(10, 999), P).action).toBe('none');
  });
});

describe('IP decisions with a volume (rate rules)', () => {
  it.each([
    [0.9, 1000, 'none'],
    [1, 1000, 'warn'],
    [3, 1000, 'warn'], // 0.3 % but under the 5-complaint minimum
    [5, 1000, 'block'],
    [60, 1_000_000, 'none'], // a healthy high-volume shared IP
    [12, 2000, 'block'], // a low-volume dedicated IP with a high rate
  ] as const)('%d complaints over %d delivered: %s', (complaints, volume, action) => {
    expect(decide('ip', state(complaints, volume), P).action).toBe(action);
  });
});

describe('tenant unregistered-domain decisions', () => {
  it.each([
    [4, 'ok', 'none'],
    [5, 'ok', 'warn'],
    [9, 'warned', 'none'],
    [10, 'warned', 'restrict'],
    [12, 'restricted', 'none'],
  ] as const)('with %d complaints and status %s: %s', (complaints, status, action) => {
    expect(decide('tenant_unregistered', state(complaints, 0, status), P).action).toBe(action);
  });
  it('restricts at 10 complaints even when a large volume keeps the rate low', () => {
    expect(decide('tenant_unregistered', state(10, 1_000_000), P).action).toBe('restrict');
  });
  it('never acts on the overall tenant score', () => {
    expect(decide('tenant', state(1000), P).action).toBe('none');
  });
});
