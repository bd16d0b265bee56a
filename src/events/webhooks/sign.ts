import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The webhook signature: HMAC-SHA256 with the webhook's secret over "<timestamp>.<body>",
 * sent as `X-Repute-Signature: sha256=<hex>`. The timestamp is inside the MAC so a
 * captured request cannot be replayed later with a fresh `X-Repute-Timestamp`.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `sha256=${mac}`;
}

/**
 * What a subscriber does on receipt (here for tests and as the reference): recompute,
 * compare in constant time, and refuse timestamps older than `toleranceSeconds`.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  now: Date,
  toleranceSeconds = 300,
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || !headers.signature) return false;
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
