import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ReputeError } from '../errors.ts';
import { DEFAULT_POLICY, type Policy } from './policy.ts';

const rate = z.number().min(0).max(1);
const count = z.number().min(0);

/** Every field optional: a policy file says only what it changes. Unknown keys are errors (a typo must not pass silently). */
const overrides = z
  .object({
    weights: z
      .object({
        abuse: z.number(),
        fraud: z.number(),
        virus: z.number(),
        other: z.number(),
        'not-spam': z.number(),
        'auth-failure': z.number(),
      })
      .partial()
      .strict(),
    halfLifeHours: z
      .number()
      .positive()
      .max(24 * 365),
    minVolumeForRate: count,
    confidence: z.number().gt(0.5).lt(1),
    ip: z
      .object({
        warnRate: rate,
        warnComplaints: count,
        blockRate: rate,
        blockMinComplaints: count,
        blockComplaints: count,
      })
      .partial()
      .strict(),
    claimedCap: z
      .object({
        perReporter: count,
        perReporterDomain: count,
        perSubject: count,
        windowHours: z.number().positive(),
      })
      .partial()
      .strict(),
    /** The name of claimedCap before evidence levels (it capped forwards only); still read. */
    forwardedCap: z
      .object({ perReporter: count, perReporterDomain: count, windowHours: z.number().positive() })
      .partial()
      .strict(),
    tenantUnregistered: z
      .object({
        warnRate: rate,
        warnComplaints: count,
        restrictRate: rate,
        restrictMinComplaints: count,
        restrictComplaints: count,
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

/** The defaults with a JSON document's overrides on top; throws `config.invalid` naming every bad field. */
export function policyFromJson(json: unknown): Policy {
  const parsed = overrides.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
      .join('; ');
    throw new ReputeError('config.invalid', `Bad policy: ${problems}`);
  }
  const o = parsed.data;
  const policy: Policy = {
    weights: { ...DEFAULT_POLICY.weights, ...o.weights },
    halfLifeHours: o.halfLifeHours ?? DEFAULT_POLICY.halfLifeHours,
    minVolumeForRate: o.minVolumeForRate ?? DEFAULT_POLICY.minVolumeForRate,
    confidence: o.confidence ?? DEFAULT_POLICY.confidence,
    ip: { ...DEFAULT_POLICY.ip, ...o.ip },
    claimedCap: { ...DEFAULT_POLICY.claimedCap, ...o.forwardedCap, ...o.claimedCap },
    tenantUnregistered: { ...DEFAULT_POLICY.tenantUnregistered, ...o.tenantUnregistered },
  };
  if (policy.ip.warnRate > policy.ip.blockRate) {
    throw new ReputeError('config.invalid', 'Bad policy: ip.warnRate is above ip.blockRate.');
  }
  return policy;
}

export function loadPolicy(path: string | null): Policy {
  if (!path) return DEFAULT_POLICY;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ReputeError('config.invalid', `POLICY_FILE ${path}: ${(err as Error).message}`);
  }
  return policyFromJson(json);
}
