import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The tenant header the platform stamps on outbound mail, signed so that nobody can pin
 * mail on a tenant, and bound to the one message it was stamped on so that a header
 * captured from real mail cannot be replayed on other reports:
 *
 *   X-Repute-Tenant: <tenant>; t=<unix seconds>; m=<messageIdHash>; s=<hex HMAC-SHA256(key, "<tenant>.<t>.<m>")>
 *
 * where m is the first 16 hex digits of the SHA-256 of the message's Message-ID without
 * its angle brackets. Several keys verify (rotation: add the new key first, sign with it,
 * drop the old one after the maximum age). The form without m= (version 1) can be replayed;
 * it verifies only with `acceptV1` (TENANT_HEADER_ACCEPT_V1), for one release, and even
 * then a report it names is not verified evidence.
 */
export type TenantHeaderStatus = 'valid' | 'valid_v1' | 'unsigned' | 'bad_signature' | 'stale' | 'malformed';

export interface TenantHeaderPolicy {
  /** Header field name, lower-cased. */
  name: string;
  keys: string[];
  maxAgeDays: number;
  /** Version 1 headers (no m=) still verify: a transition setting. */
  acceptV1?: boolean;
}

export interface TenantHeaderVerdict {
  tenant: string | null;
  status: TenantHeaderStatus;
  /**
   * Whether the signature speaks for the tenant. An unsigned header on a platform without
   * keys is trusted only when other evidence shows the platform sent the mail (attribution
   * decides that); everything else here that is not `valid`/`valid_v1` is never trusted.
   */
  signed: boolean;
}

/** Reports come in days after the mail went out; a header from more than a day ahead is not ours. */
const FUTURE_SKEW_SECONDS = 86_400;
const TENANT = /^[A-Za-z0-9._-]{1,200}$/;

/** The m= of a message: what binds a tenant header to the Message-ID it was stamped with. */
export function messageIdHash(messageId: string): string {
  const bare = messageId.trim().replace(/^<|>$/g, '').trim();
  return createHash('sha256').update(bare, 'utf8').digest('hex').slice(0, 16);
}

const mac = (key: string, text: string) => createHmac('sha256', key).update(text).digest();

/** The header value the platform stamps on a message (what its MTA runs, and the tests). */
export function signTenantHeader(
  tenant: string,
  unixSeconds: number,
  messageId: string,
  key: string,
): string {
  const m = messageIdHash(messageId);
  return `${tenant}; t=${unixSeconds}; m=${m}; s=${mac(key, `${tenant}.${unixSeconds}.${m}`).toString('hex')}`;
}

/** The version 1 form, without the message binding: only for platforms still moving off it. */
export function signTenantHeaderV1(tenant: string, unixSeconds: number, key: string): string {
  return `${tenant}; t=${unixSeconds}; s=${mac(key, `${tenant}.${unixSeconds}`).toString('hex')}`;
}

export function verifyTenantHeader(
  value: string,
  policy: TenantHeaderPolicy,
  now: Date,
  messageId: string | undefined,
): TenantHeaderVerdict {
  const [head, ...params] = value.split(';').map((p) => p.trim());
  const tenant = head && TENANT.test(head) ? head : null;
  if (!tenant) return { tenant: null, status: 'malformed', signed: false };
  const fields = new Map<string, string>();
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq > 0) fields.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
  }
  const t = fields.get('t');
  const s = fields.get('s');
  const m = fields.get('m');
  if (policy.keys.length === 0 || (!t && !s)) return { tenant, status: 'unsigned', signed: false };
  if (!t || !/^\d{1,12}$/.test(t) || !s || !/^[0-9a-f]{64}$/i.test(s)) {
    return { tenant, status: 'malformed', signed: false };
  }
  if (m !== undefined && !/^[0-9a-f]{16}$/i.test(m)) return { tenant, status: 'malformed', signed: false };
  if (m === undefined && !policy.acceptV1) return { tenant, status: 'bad_signature', signed: false };

  const given = Buffer.from(s.toLowerCase(), 'hex');
  const text = m === undefined ? `${tenant}.${t}` : `${tenant}.${t}.${m.toLowerCase()}`;
  if (!policy.keys.some((key) => timingSafeEqual(mac(key, text), given))) {
    return { tenant, status: 'bad_signature', signed: false };
  }
  // A true signature over another message's Message-ID: the header was lifted from that message.
  if (m !== undefined && (messageId === undefined || messageIdHash(messageId) !== m.toLowerCase())) {
    return { tenant, status: 'bad_signature', signed: false };
  }
  const age = now.getTime() / 1000 - Number(t);
  if (age > policy.maxAgeDays * 86_400 || age < -FUTURE_SKEW_SECONDS) {
    return { tenant, status: 'stale', signed: false };
  }
  return { tenant, status: m === undefined ? 'valid_v1' : 'valid', signed: true };
}
