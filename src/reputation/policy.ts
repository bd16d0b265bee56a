/**
 * The reputation policy: weights, decay and the lines that warn, block and
 * restrict. Pure: every function is a function of its arguments (time included).
 * Defaults are the DESIGN's.
 */

export type FeedbackWeightKey = 'abuse' | 'fraud' | 'virus' | 'other' | 'not-spam' | 'auth-failure';

export interface Policy {
  weights: Record<FeedbackWeightKey, number>;
  /** Half-life of complaint weight and of delivered volume. */
  halfLifeHours: number;
  /** Below this decayed volume a rate means nothing and the count rules apply. */
  minVolumeForRate: number;
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
   * Recipient-forwarded complaints can be forged cheaply: what one reporter address,
   * and one reporting domain, may add to one subject within the window.
   */
  forwardedCap: { perReporter: number; perReporterDomain: number; windowHours: number };
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
  ip: { warnRate: 0.001, warnComplaints: 20, blockRate: 0.003, blockMinComplaints: 5, blockComplaints: 50 },
  forwardedCap: { perReporter: 5, perReporterDomain: 5, windowHours: 24 },
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
  complaints: number;
  volume: number;
  status: SubjectStatus;
}

export type Decision =
  | { action: 'none' }
  | { action: 'warn' | 'block' | 'restrict'; reason: 'rate' | 'count'; rate: number | null };

/** Weight a value loses over `elapsedMs`: exponential decay with the policy's half-life. */
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

/** Complaint rate when the volume is enough to speak of one, else null. */
export function complaintRate(state: SubjectState, policy: Policy): number | null {
  return state.volume >= policy.minVolumeForRate ? state.complaints / state.volume : null;
}

/**
 * What the policy does to a subject in its new state. Warnings are once per crossing:
 * a subject already warned (or worse) is not warned again; a blocked or restricted
 * subject stays so until people lift it.
 */
export function decide(subjectType: SubjectType, state: SubjectState, policy: Policy): Decision {
  if (subjectType === 'tenant') return { action: 'none' };
  if (state.status === 'blocked' || state.status === 'restricted') return { action: 'none' };
  const rate = complaintRate(state, policy);
  const lines =
    subjectType === 'ip'
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
  // Compared at the precision people read them: 50 reports in a burst have decayed to
  // 49.9997 by the last one, and that is 50 complaints to anyone looking.
  const c = Math.round(state.complaints * 100) / 100;
  if (rate !== null) {
    if (rate >= lines.actRate && c >= lines.actMin) return { action: lines.act, reason: 'rate', rate };
  } else if (c >= lines.actCount) {
    return { action: lines.act, reason: 'count', rate };
  }
  // Unregistered-domain mail is restricted on count alone too, volume or not (DESIGN).
  if (subjectType === 'tenant_unregistered' && c >= lines.actCount) {
    return { action: lines.act, reason: 'count', rate };
  }
  if (state.status === 'warned') return { action: 'none' };
  if (rate !== null ? rate >= lines.warnRate : c >= lines.warnCount) {
    return { action: 'warn', reason: rate !== null ? 'rate' : 'count', rate };
  }
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
    default:
      return current;
  }
}
