import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The tenant header the platform stamps on outbound mail, signed so a spammer cannot
 * pin their mail on another tenant:
 *
 *   X-Repute-Tenant: <tenant>; t=<unix seconds>; s=<hex HMAC-SHA256(key, "<tenant>.<t>")>
 *
 * Several keys verify (rotation: add the new key first, sign with it, drop the old
 * one after the maximum age). With no key configured the bare tenant id is trusted,
 * as on a platform that has not started signing.
 */
export type TenantHeaderStatus = 'valid' | 'unsigned' | 'bad_signature' | 'stale' | 'malformed';

export interface TenantHeaderPolicy {
  /** Header field name, lower-cased. */
  name: string;
  keys: string[];
  maxAgeDays: number;
}

export interface TenantHeaderVerdict {
  tenant: string | null;
  status: TenantHeaderStatus;
  /** Whether attribution may use `tenant`. */
  trusted: boolean;
}

/** Reports come in days after the mail went out; a header from more than a day ahead is not ours. */
const FUTURE_SKEW_SECONDS = 86_400;
const TENANT = /^[A-Za-z0-9._-]{1,200}$/;

export function signTenantHeader(tenant: string, unixSeconds: number, key: string): string {
  const s = createHmac('sha256', key).update(`${tenant}.${unixSeconds}`).digest('hex');
  return `${tenant}; t=${unixSeconds}; s=${s}`;
}

export function verifyTenantHeader(
  value: string,
  policy: TenantHeaderPolicy,
  now: Date,
): TenantHeaderVerdict {
  const [head, ...params] = value.split(';').map((p) => p.trim());
  const tenant = head && TENANT.test(head) ? head : null;
  if (!tenant) return { tenant: null, status: 'malformed', trusted: false };
  if (policy.keys.length === 0) return { tenant, status: 'unsigned', trusted: true };
  const fields = new Map<string, string>();
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq > 0) fields.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
  }
  const t = fields.get('t');
  const s = fields.get('s');
  if (!t && !s) return { tenant, status: 'unsigned', trusted: false };
  if (!t || !/^\d{1,12}$/.test(t) || !s || !/^[0-9a-f]{64}$/i.test(s)) {
    return { tenant, status: 'malformed', trusted: false };
  }
  const given = Buffer.from(s.toLowerCase(), 'hex');
  const signed = policy.keys.some((key) =>
    timingSafeEqual(createHmac('sha256', key).update(`${tenant}.${t}`).digest(), given),
  );
  if (!signed) return { tenant, status: 'bad_signature', trusted: false };
  const age = now.getTime() / 1000 - Number(t);
  if (age > policy.maxAgeDays * 86_400 || age < -FUTURE_SKEW_SECONDS) {
    return { tenant, status: 'stale', trusted: false };
  }
  return { tenant, status: 'valid', trusted: true };
}
