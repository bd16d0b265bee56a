import type { FastifyPluginAsync } from 'fastify';
import { ReputeError } from '../errors.ts';
import { canonicalIp } from '../net/ip-address.ts';
import { addVolume, type VolumeSample } from '../reputation/apply-volume.ts';
import type { Runtime } from '../runtime.ts';
import { type Authenticator, requireRole } from './auth.ts';

export const MAX_SAMPLES = 50_000;
const MAX_COUNT = 1_000_000_000;
/** Clocks drift; a sample from further in the future is a mistake. */
const FUTURE_SKEW_MS = 5 * 60_000;

export interface Rejected {
  index: number;
  code: string;
  message: string;
}

const isCount = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_COUNT;

/** Validates one sample; a bad one is rejected with its index and reason, the good ones are kept. */
export function readSample(raw: unknown, index: number, now: Date): VolumeSample | Rejected {
  const reject = (code: string, message: string): Rejected => ({ index, code, message });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return reject('volume.not_an_object', 'A sample is an object.');
  const s = raw as Record<string, unknown>;
  const ip = s.ip === undefined || s.ip === null ? null : canonicalIp(String(s.ip));
  if (s.ip !== undefined && s.ip !== null && !ip)
    return reject('volume.bad_ip', `"${String(s.ip).slice(0, 64)}" is not an IP address.`);
  const tenant =
    typeof s.tenant === 'string' && s.tenant.length > 0 && s.tenant.length <= 200 ? s.tenant : null;
  if (s.tenant !== undefined && s.tenant !== null && !tenant)
    return reject('volume.bad_tenant', 'tenant is a non-empty string.');
  if (!ip && !tenant) return reject('volume.no_subject', 'Give ip, tenant or both.');
  if (!isCount(s.count)) return reject('volume.bad_count', `count is a whole number from 0 to ${MAX_COUNT}.`);
  const unregistered = s.unregisteredCount ?? 0;
  if (!isCount(unregistered) || unregistered > s.count) {
    return reject(
      'volume.bad_unregistered_count',
      'unregisteredCount is a whole number no larger than count.',
    );
  }
  const at = typeof s.at === 'string' || typeof s.at === 'number' ? new Date(s.at) : null;
  if (!at || Number.isNaN(at.getTime())) return reject('volume.bad_time', 'at is an ISO 8601 time.');
  if (at.getTime() > now.getTime() + FUTURE_SKEW_MS)
    return reject('volume.future_time', 'at is in the future.');
  return { ip, tenant, count: s.count, unregisteredCount: unregistered, at };
}

export const volumeRoutes: FastifyPluginAsync<{ rt: Runtime; authenticate: Authenticator }> = async (
  app,
  { rt, authenticate },
) => {
  app.post('/v1/volume', { onRequest: requireRole(authenticate, ['service']) }, async (req) => {
    if (!Array.isArray(req.body)) throw new ReputeError('request.invalid', 'Send a JSON array of samples.');
    if (req.body.length > MAX_SAMPLES) {
      throw new ReputeError('request.invalid', `At most ${MAX_SAMPLES} samples a call; split the batch.`);
    }
    const now = new Date();
    const accepted: VolumeSample[] = [];
    const rejected: Rejected[] = [];
    req.body.forEach((raw, i) => {
      const r = readSample(raw, i, now);
      if ('code' in r) rejected.push(r);
      else accepted.push(r);
    });
    let events = 0;
    if (accepted.length > 0) {
      try {
        events = (await addVolume(rt.database.sql, accepted, rt.policy, rt.config.publicUrl, now)).length;
      } catch (err) {
        throw new ReputeError('storage.unavailable', 'Score storage is unavailable; try again shortly.', err);
      }
      if (events > 0)
        await rt.queues.events.add('publish', { upTo: Number.MAX_SAFE_INTEGER }).catch(() => {});
    }
    return { accepted: accepted.length, rejected, events };
  });
};
