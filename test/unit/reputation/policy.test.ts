import { describe, expect, it } from 'vitest';
import {
  complaintWeight,
  decayedWeight,
  decayFactor,
  decide,
  DEFAULT_POLICY as P,
  type SubjectState,
  wilsonInterval,
  zForConfidence,
} from '../../../src/reputation/policy.ts';
import { policyFromJson } from '../../../src/reputation/policy-file.ts';

/** A subject whose complaints all come from trusted (verified or partner) evidence. */
const state = (complaints: number, volume = 0, status: SubjectState['status'] = 'ok'): SubjectState => ({
  complaints,
  trustedComplaints: complaints,
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

describe('Wilson interval', () => {
  it('gives about 0.21 %–0.43 % for 30 complaints in 10,000', () => {
    const { lower, upper } = wilsonInterval(30, 10_000, zForConfidence(0.95));
    expect(lower).toBeCloseTo(0.0021, 4);
    expect(upper).toBeCloseTo(0.0043, 4);
  });
  it('takes z from the confidence', () => {
    expect(zForConfidence(0.95)).toBeCloseTo(1.96, 3);
    expect(zForConfidence(0.99)).toBeCloseTo(2.576, 3);
  });
  it('narrows as the volume grows at the same rate', () => {
    const small = wilsonInterval(3, 1000, 1.96);
    const large = wilsonInterval(300, 100_000, 1.96);
    expect(large.upper - large.lower).toBeLessThan(small.upper - small.lower);
  });
  it('stays within 0 and 1 at the extremes', () => {
    expect(wilsonInterval(0, 1000, 1.96).lower).toBe(0);
    expect(wilsonInterval(1000, 1000, 1.96).upper).toBeLessThanOrEqual(1);
  });
});

describe('IP decisions with a volume (on the lower bound of the rate)', () => {
  it.each([
    [1, 1000, 'none'], // 0.1 % but the lower bound is 0.02 %: noise
    [3, 1000, 'warn'], // lower bound 0.102 %
    [5, 1000, 'warn'], // 0.5 % point estimate, but the lower bound 0.21 % is under the block line
    [8, 1000, 'block'], // lower bound 0.41 %
    [30, 10_000, 'warn'], // 0.21 %–0.43 %: over the warn line, not provably over the block line
    [60, 1_000_000, 'none'], // a healthy high-volume shared IP
    [12, 2000, 'block'], // a low-volume dedicated IP with a high rate
  ] as const)('%d complaints over %d delivered: %s', (complaints, volume, action) => {
    expect(decide('ip', state(complaints, volume), P).action).toBe(action);
  });
  it('never blocks on rate under the minimum complaint count', () => {
    expect(decide('ip', state(4, 1000), { ...P, ip: { ...P.ip, blockRate: 0.0001 } }).action).toBe('warn');
  });
  it('clears a warning only when the upper bound is back under the warn line', () => {
    expect(decide('ip', state(30, 10_000, 'warned'), P).action).toBe('none');
    expect(decide('ip', state(10, 100_000, 'warned'), P).action).toBe('clear');
  });
  it('warns once per crossing: a warned IP over the warn line is not warned again', () => {
    expect(decide('ip', state(3, 1000, 'warned'), P).action).toBe('none');
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

describe('decisions on claimed evidence (a stranger’s word)', () => {
  const claimed = (total: number, trusted: number, volume = 0, status: SubjectState['status'] = 'ok') => ({
    complaints: total,
    trustedComplaints: trusted,
    volume,
    status,
  });
  it('warns, never blocks, however much of it there is', () => {
    expect(decide('ip', claimed(500, 0), P).action).toBe('warn');
    expect(decide('ip', claimed(80, 0, 1000), P).action).toBe('warn');
    expect(decide('tenant_unregistered', claimed(50, 0), P).action).toBe('warn');
  });
  it('blocks when the trusted part alone crosses the line, whatever the claimed part adds', () => {
    expect(decide('ip', claimed(99, 49), P).action).toBe('warn');
    expect(decide('ip', claimed(60, 50), P).action).toBe('block');
    expect(decide('ip', claimed(20, 8, 1000), P).action).toBe('block');
    expect(decide('ip', claimed(20, 4, 1000), P).action).toBe('warn');
    expect(decide('tenant_unregistered', claimed(30, 9, 0, 'warned'), P).action).toBe('none');
    expect(decide('tenant_unregistered', claimed(30, 10, 0, 'warned'), P).action).toBe('restrict');
  });
});

describe('the policy file', () => {
  it('reads claimedCap, and forwardedCap, its older name, under it', () => {
    expect(policyFromJson({ claimedCap: { perSubject: 7 } }).claimedCap).toEqual({
      ...P.claimedCap,
      perSubject: 7,
    });
    expect(policyFromJson({ forwardedCap: { perReporter: 2 } }).claimedCap.perReporter).toBe(2);
    expect(() => policyFromJson({ claimedCap: { perTenant: 1 } })).toThrow(/claimedCap/);
  });
});
