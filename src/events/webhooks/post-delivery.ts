import type { ClaimedDelivery } from './claim-deliveries.ts';
import { webhookBody } from './payload.ts';
import { signWebhook } from './sign.ts';

export interface AttemptOutcome {
  delivered: boolean;
  /** The receiver's HTTP status; null when there was no response. */
  status: number | null;
  error: string | null;
}

const MAX_ERROR = 500;
const SNIPPET_BYTES = 300;

const bounded = (s: string) => (s.length > MAX_ERROR ? `${s.slice(0, MAX_ERROR - 1)}…` : s);

/** The start of a response body, for the record; the rest is not read. */
async function bodySnippet(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8').replace(/\s+/g, ' ').trim();
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no response within ${timeoutMs} ms`;
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message} (${cause})` : e.message;
}

/**
 * One attempt: POST the event as JSON, signed. Only a 2xx counts; redirects are not
 * followed (the URL was validated, where it points to was not).
 */
export async function postDelivery(
  d: ClaimedDelivery,
  timeoutMs: number,
  now: Date,
): Promise<AttemptOutcome> {
  const body = webhookBody(d.event);
  const timestamp = Math.floor(now.getTime() / 1000);
  try {
    const res = await fetch(d.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Repute-Webhooks/1',
        'x-repute-event': d.event.type,
        'x-repute-delivery': String(d.id),
        'x-repute-timestamp': String(timestamp),
        'x-repute-signature': signWebhook(d.secret, timestamp, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const snippet = await bodySnippet(res).catch(() => '');
    if (res.status >= 200 && res.status < 300) return { delivered: true, status: res.status, error: null };
    return {
      delivered: false,
      status: res.status,
      error: bounded(`HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`),
    };
  } catch (err) {
    return { delivered: false, status: null, error: bounded(describe(err, timeoutMs)) };
  }
}
