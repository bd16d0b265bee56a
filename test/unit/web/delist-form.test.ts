import { describe, expect, it } from 'vitest';
import { parseDelistForm, validEmail } from '../../../src/delist/validate.ts';

describe('the delist form', () => {
  it('accepts one address and one IPv4 or IPv6 address, canonicalised', () => {
    expect(parseDelistForm({ email: ' Postmaster@Example.COM ', ip: ' 203.0.113.9 ' })).toEqual({
      ok: true,
      value: { email: 'Postmaster@example.com', ip: '203.0.113.9' },
    });
    expect(parseDelistForm({ email: 'a@example.com', ip: '2001:DB8:0:0::25' })).toMatchObject({
      ok: true,
      value: { ip: '2001:db8::25' },
    });
    expect(parseDelistForm({ email: 'a@example.com', ip: '[2001:db8::1]' })).toMatchObject({ ok: true });
  });

  it('says what is wrong with each field', () => {
    const r = parseDelistForm({ email: 'nobody', ip: '300.1.1.1' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.email).toContain('is not an e-mail address');
    expect(r.errors.ip).toContain('is not an IP address');
    const more = parseDelistForm({ email: 'a@example.com', ip: '203.0.113.9 203.0.113.10' });
    expect(!more.ok && more.errors.ip).toBe('Enter one IP address per request.');
    const range = parseDelistForm({ email: 'a@example.com', ip: '203.0.113.0/24' });
    expect(range.ok).toBe(false);
    const missing = parseDelistForm({});
    expect(!missing.ok && Object.keys(missing.errors).sort()).toEqual(['email', 'ip']);
  });

  it('refuses addresses that are not addresses', () => {
    for (const bad of [
      'a@b',
      '@example.com',
      'a..b@example.com',
      'a@exa mple.com',
      'a@-x.com',
      `${'x'.repeat(65)}@example.com`,
      'a@example.com\r\nBcc: x@y.z',
    ]) {
      expect(validEmail(bad), bad).toBeNull();
    }
    expect(validEmail("o'brien+delist@mail.example.co.uk")).toBe("o'brien+delist@mail.example.co.uk");
  });
});
