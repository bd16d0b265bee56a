import { canonicalIp } from '../net/ip-address.ts';

export interface DelistInput {
  email: string;
  ip: string;
}

export type DelistFormResult =
  | { ok: true; value: DelistInput }
  | { ok: false; errors: Partial<Record<keyof DelistInput, string>> };

// A pragmatic address check (RFC 5321 lengths, one @, a dotted domain): the
// confirmation mail is the real test of an address.
const LOCAL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/;
const DOMAIN = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

export function validEmail(raw: string): string | null {
  const s = raw.trim();
  if (s.length > 254) return null;
  const at = s.lastIndexOf('@');
  if (at <= 0) return null;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1).toLowerCase();
  if (!LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return null;
  if (!DOMAIN.test(domain)) return null;
  return `${local}@${domain}`;
}

/**
 * One mailbox, however it is spelt: `Owner+delist@Example.COM` and `owner@example.com` reach
 * the same person, so they share one rate limit.
 */
export function foldEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at).toLowerCase();
  const plus = local.indexOf('+');
  return `${plus > 0 ? local.slice(0, plus) : local}@${email.slice(at + 1).toLowerCase()}`;
}

/** The delist form: one e-mail address and one IP (v4 or v6), with messages a sender can act on. */
export function parseDelistForm(body: Record<string, unknown>): DelistFormResult {
  const rawEmail = typeof body.email === 'string' ? body.email : '';
  const rawIp = typeof body.ip === 'string' ? body.ip : '';
  const errors: Partial<Record<keyof DelistInput, string>> = {};
  const email = validEmail(rawEmail);
  if (!rawEmail.trim()) errors.email = 'Enter the e-mail address we should send the confirmation link to.';
  else if (!email)
    errors.email = `"${rawEmail.trim().slice(0, 100)}" is not an e-mail address, such as postmaster@example.com.`;
  const ip = canonicalIp(rawIp.trim());
  if (!rawIp.trim())
    errors.ip = 'Enter the IP address from the bounce message (550 5.7.606 … [203.0.113.9]).';
  else if (/[\s,;]/.test(rawIp.trim())) errors.ip = 'Enter one IP address per request.';
  else if (!ip || rawIp.includes('/'))
    errors.ip = `"${rawIp.trim().slice(0, 100)}" is not an IP address. Use an IPv4 address like 203.0.113.9 or an IPv6 address like 2001:db8::25.`;
  if (email && ip && Object.keys(errors).length === 0) return { ok: true, value: { email, ip } };
  return { ok: false, errors };
}
