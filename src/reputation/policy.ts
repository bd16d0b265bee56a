/**
 * The reputation policy: weights, decay and the lines that warn, block and
 * restrict. Pure: every function is a function of its arguments (time included).
 * Defaults are the DESIGN's. Rates are judged on evidence, not noise: a subject is
 * blocked when the LOWER bound of its complaint rate's Wilson interval is over the
 * line, and a warning clears only when the UPPER bound is back under it.
 */

export type FeedbackWeightKey = 'abuse' | 'fraud' | 'virus' | 'other' | 'not-spam' | 'auth-failure';

export interface Policy {
  weights: Record<FeedbackWeightKey, number>;
  /** Half-life of complaint weight and of delivered volume. */
  halfLifeHours: number;
  /** Below this decayed volume a rate means nothing and the count rules apply. */
  minVolumeForRate: number;
  /** Two-sided confidence of the Wilson interval the rate rules read (0.95: z ≈ 1.96). */
  confidence: number;
  ip: {
    warnRate: number;
    warnComplaints: number;
    blockRate: number;
    /** With a rate: the fewest complaints that can block. */
    blockMinComplaints: number;
    /** Without a usable volume: complaints that block. */
    blockComplaints: number;
  };
  /**
   * Claimed evidence (a stranger's word: forwards, mailed ARF nobody signed) is cheap to forge:
   * what one reporter address, and one envelope-sender domain, may add to one subject within the
   * window, and what all claimed evidence together may add to it, so rotating reporters buys
   * nothing. Claimed weight can warn; it never blocks or restricts.
   */
  claimedCap: { perReporter: number; perReporterDomain: number; perSubject: number; windowHours: number };
  tenantUnregistered: {
    warnRate: number;
    warnComplaints: number;
    restrictRate: number;
    restrictMinComplaints: number;
    restrictComplaints: number;
  };
}

export const DEFAULT_POLICY: Policy = {
  weights: { abuse: 1, fraud: 3, virus: 3, other: 0.5, 'not-spam': -1, 'auth-failure': 0 },
  halfLifeHours: 24,
  minVolumeForRate: 1000,
  confidence: 0.95,
  ip: { warnRate: 0.001, warnComplaints: 20, blockRate: 0.003, blockMinComplaints: 5, blockComplaints: 50 },
  // 20 a day lets claimed evidence alone reach the IP warn line, never more.
  claimedCap: { perReporter: 5, perReporterDomain: 5, perSubject: 20, windowHours: 24 },
  // The DESIGN sets the restrict line; the warn line at half of it gives a tenant's
  // admins a chance to act before their users see 5.7.750.
  tenantUnregistered: {
    warnRate: 0.0015,
    warnComplaints: 5,
    restrictRate: 0.003,
    restrictMinComplaints: 5,
    restrictComplaints: 10,
  },
};

export type SubjectType = 'ip' | 'tenant' | 'tenant_unregistered';
export type SubjectStatus = 'ok' | 'warned' | 'blocked' | 'restricted';

export interface SubjectState {
  /** All complaint weight: what warns. */
  complaints: number;
  /** The part from verified or partner evidence: what blocks and restricts. */
  trustedComplaints: number;
  volume: number;
  status: SubjectStatus;
}

export type Decision =
  | { action: 'none' }
  /** A warning whose cause is gone: back to ok, so the next crossing warns again. */
  | { action: 'clear'; reason: 'rate' | 'count'; rate: number | null }
  | { action: 'warn' | 'block' | 'restrict'; reason: 'rate' | 'count'; rate: number | null };

/** Weight a value keeps over `elapsedMs`: exponential decay with the policy's half-life. */
export function decayFactor(elapsedMs: number, halfLifeHours: number): number {
  if (elapsedMs <= 0) return 1;
  return 0.5 ** (elapsedMs / (halfLifeHours * 3_600_000));
}

export function decayedWeight(value: number, since: Date, now: Date, halfLifeHours: number): number {
  return value * decayFactor(now.getTime() - since.getTime(), halfLifeHours);
}

export function complaintWeight(policy: Policy, feedbackType: string): number {
  return policy.weights[feedbackType as FeedbackWeightKey] ?? policy.weights.other;
}

/** Complaint rate (point estimate) when the volume is enough to speak of one, else null. */
export function complaintRate(state: { complaints: number; volume: number }, policy: Policy): number | null {
  return state.volume >= policy.minVolumeForRate ? Math.min(1, state.complaints / state.volume) : null;
}

/**
 * The standard normal quantile (Acklam's rational approximation, relative error
 * below 1.2e-9): turns a confidence into the z of a two-sided interval.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError('p must be in (0, 1)');
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  const poly = (k: number[], x: number) => k.reduce((acc, v) => acc * x + v, 0);
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

export const zForConfidence = (confidence: number): number => normalQuantile(1 - (1 - confidence) / 2);

/**
 * Wilson score interval for `complaints` out of `volume` (both may be decayed, hence
 * non-integer). Well-behaved at small counts and rates near 0, unlike the normal one.
 */
export function wilsonInterval(
  complaints: number,
  volume: number,
  z: number,
): { lower: number; upper: number } {
  if (volume <= 0) return { lower: 0, upper: 1 };
  const p = Math.min(1, Math.max(0, complaints / volume));
  const z2 = z * z;
  const centre = p + z2 / (2 * volume);
  const spread = z * Math.sqrt((p * (1 - p)) / volume + z2 / (4 * volume * volume));
  const denom = 1 + z2 / volume;
  return { lower: Math.max(0, (centre - spread) / denom), upper: Math.min(1, (centre + spread) / denom) };
}

export interface RateView {
  rate: number | null;
  lower: number | null;
  upper: number | null;
}

/** Rate and its bounds as people see them; nulls when the volume is under the minimum. */
export function rateView(state: { complaints: number; volume: number }, policy: Policy): RateView {
  const rate = complaintRate(state, policy);
  if (rate === null) return { rate: null, lower: null, upper: null };
  const { lower, upper } = wilsonInterval(state.complaints, state.volume, zForConfidence(policy.confidence));
  return { rate, lower, upper };
}

function linesFor(subjectType: SubjectType, policy: Policy) {
  return subjectType === 'ip'
    ? {
        act: 'block' as const,
        actRate: policy.ip.blockRate,
        actMin: policy.ip.blockMinComplaints,
        actCount: policy.ip.blockComplaints,
        warnRate: policy.ip.warnRate,
        warnCount: policy.ip.warnComplaints,
      }
    : {
        act: 'restrict' as const,
        actRate: policy.tenantUnregistered.restrictRate,
        actMin: policy.tenantUnregistered.restrictMinComplaints,
        actCount: policy.tenantUnregistered.restrictComplaints,
        warnRate: policy.tenantUnregistered.warnRate,
        warnCount: policy.tenantUnregistered.warnComplaints,
      };
}

// Compared at the precision people read them: 50 reports in a burst have decayed to
// 49.9997 by the last one, and that is 50 complaints to anyone looking.
const asRead = (complaints: number) => Math.round(complaints * 100) / 100;

/**
 * What the policy does to a subject in its new state. Blocks and restrictions are decided
 * on trusted evidence alone (verified or partner): a stranger's word can warn, never block.
 * Warnings are once per crossing: a subject already warned is not warned again, and is
 * cleared when its evidence is gone; a blocked or restricted subject stays so until people
 * lift it.
 */
export function decide(subjectType: SubjectType, state: SubjectState, policy: Policy): Decision {
  if (subjectType === 'tenant') return { action: 'none' };
  if (state.status === 'blocked' || state.status === 'restricted') return { action: 'none' };
  const lines = linesFor(subjectType, policy);
  const { rate, lower, upper } = rateView(state, policy);
  const c = asRead(state.complaints);

  const trusted = { complaints: state.trustedComplaints, volume: state.volume };
  const t = asRead(trusted.complaints);
  const trustedRate = rateView(trusted, policy);
  if (trustedRate.lower !== null && trustedRate.lower >= lines.actRate && t >= lines.actMin) {
    return { action: lines.act, reason: 'rate', rate: trustedRate.rate };
  }
  if (trustedRate.rate === null && t >= lines.actCount) {
    return { action: lines.act, reason: 'count', rate: trustedRate.rate };
  }
  // Unregistered-domain mail is restricted on count alone too, volume or not (DESIGN).
  if (subjectType === 'tenant_unregistered' && t >= lines.actCount) {
    return { action: lines.act, reason: 'count', rate: trustedRate.rate };
  }

  const overWarn = lower !== null ? lower >= lines.warnRate : c >= lines.warnCount;
  if (state.status === 'warned') {
    const clear = upper !== null ? upper < lines.warnRate : c < lines.warnCount / 2;
    return clear ? { action: 'clear', reason: rate !== null ? 'rate' : 'count', rate } : { action: 'none' };
  }
  if (overWarn) return { action: 'warn', reason: rate !== null ? 'rate' : 'count', rate };
  return { action: 'none' };
}

export function statusAfter(decision: Decision, current: SubjectStatus): SubjectStatus {
  switch (decision.action) {
    case 'block':
      return 'blocked';
    case 'restrict':
      return 'restricted';
    case 'warn':
      return 'warned';
    case 'clear':
      return 'ok';
    default:
      return current;
  }
}
