import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../../src/events/retry-policy.ts';
import { webhookBody } from '../../../src/events/webhooks/payload.ts';
import { validEventFilter, validWebhookUrl } from '../../../src/events/webhooks/registry.ts';
import { signWebhook, verifyWebhookSignature } from '../../../src/events/webhooks/sign.ts';

const SECRET = 'whsec_0123456789abcdef';
const BODY = '{"id":1,"type":"ip.blocked"}';

describe('webhook signatures', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>", hex, prefixed sha256=', () => {
    // Computed independently: printf '%s' '1700000000.<body>' | openssl dgst -sha256 -hmac <secret>
    expect(signWebhook(SECRET, 1_700_000_000, BODY)).toBe(
      'sha256=3f97869c087bd76cdab77d1ad34cc41e100003fab7e06a9a754b839660251355',
    );
  });

  it('verifies a fresh signature and refuses a changed body, another secret or a stale timestamp', () => {
    const now = new Date(1_700_000_100_000);
    const headers = { timestamp: '1700000000', signature: signWebhook(SECRET, 1_700_000_000, BODY) };
    expect(verifyWebhookSignature(SECRET, headers, BODY, now)).toBe(true);
    expect(verifyWebhookSignature(SECRET, headers, BODY.replace('1', '2'), now)).toBe(false);
    expect(verifyWebhookSignature('whsec_another-secret-00', headers, BODY, now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, headers, BODY, new Date(1_700_001_000_000))).toBe(false);
    expect(verifyWebhookSignature(SECRET, { ...headers, timestamp: '1700000001' }, BODY, now)).toBe(false);
    expect(verifyWebhookSignature(SECRET, { timestamp: undefined, signature: undefined }, BODY, now)).toBe(
      false,
    );
  });

  it('sends the event fields and nothing else', () => {
    const body = webhookBody({
      id: 7,
      type: 'ip.blocked',
      subjectType: 'ip',
      subject: '203.0.113.9',
      actor: 'policy',
      note: null,
      ndr: '550 5.7.606 ...',
      metrics: { complaints: 50 },
      reportId: 3,
      createdAt: new Date('2025-01-02T03:04:05Z'),
    });
    expect(JSON.parse(body)).toEqual({
      id: 7,
      type: 'ip.blocked',
      subjectType: 'ip',
      subject: '203.0.113.9',
      actor: 'policy',
      note: null,
      ndr: '550 5.7.606 ...',
      metrics: { complaints: 50 },
      reportId: 3,
      createdAt: '2025-01-02T03:04:05.000Z',
    });
  });
});

describe('webhook retries', () => {
  const policy = { maxAttempts: 8, baseMs: 10_000, maxMs: 3_600_000 };

  it('doubles the wait after each failed attempt, up to the cap', () => {
    const noJitter = () => 0;
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, policy, noJitter))).toEqual([
      10_000, 20_000, 40_000, 80_000,
    ]);
    expect(retryDelayMs(20, policy, noJitter)).toBe(3_600_000);
  });

  it('adds at most 20 % jitter', () => {
    expect(retryDelayMs(1, policy, () => 0.999)).toBeLessThanOrEqual(12_000);
    expect(retryDelayMs(1, policy, () => 0.5)).toBe(11_000);
  });
});

describe('webhook registration', () => {
  it('takes http and https URLs only, without credentials', () => {
    expect(validWebhookUrl('https://hooks.example/repute')).toBe('https://hooks.example/repute');
    expect(validWebhookUrl('http://127.0.0.1:9000/x?y=1')).toBe('http://127.0.0.1:9000/x?y=1');
    expect(() => validWebhookUrl('ftp://hooks.example/')).toThrow(/http/);
    expect(() => validWebhookUrl('file:///etc/passwd')).toThrow(/http/);
    expect(() => validWebhookUrl('https://user:pw@hooks.example/')).toThrow(/credentials/);
    expect(() => validWebhookUrl('hooks.example')).toThrow(/not a URL/);
  });

  it('knows the event types', () => {
    expect(validEventFilter(['ip.blocked', 'ip.delisted', 'ip.blocked'])).toEqual([
      'ip.blocked',
      'ip.delisted',
    ]);
    expect(() => validEventFilter(['ip.banned'])).toThrow(/ip\.banned/);
  });
});
