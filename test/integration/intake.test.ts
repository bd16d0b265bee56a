import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusPath } from '../support/corpus.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/test-env.ts';

const arf = readFileSync(corpusPath('rfc5965-example.eml'));

describe('POST /v1/reports', () => {
  let env: TestEnv;
  let partner: string;
  beforeAll(async () => {
    env = await createTestEnv({ MAX_REPORT_BYTES: '65536' });
    partner = await env.token('partner');
  });
  afterAll(async () => env?.close());

  const post = (body: Buffer | string, headers: Record<string, string> = {}) =>
    env.app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: body,
      headers: { authorization: `Bearer ${partner}`, 'content-type': 'message/rfc822', ...headers },
    });

  it('stores the raw bytes, queues one job and answers 202 with the id', async () => {
    const res = await post(arf);
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toEqual({ id: expect.any(Number), duplicate: false });
    // The enqueued mark is written after the answer (it only spares a re-enqueue at start).
    const row = await waitFor(async () => {
      const [r] = await env.rt.database.sql<
        { raw: Buffer; channel: string; status: string; enqueued: boolean }[]
      >`
        select raw, channel, status, enqueued from inbound_messages where id = ${body.id}`;
      return r?.enqueued ? r : null;
    });
    expect(row.raw.equals(arf)).toBe(true);
    expect(row).toMatchObject({ channel: 'webhook', status: 'queued', enqueued: true });
    const job = await env.rt.queues.reports.getJob(`m${body.id}`);
    expect(job?.data).toEqual({ inboundId: body.id });
  });

  it('answers the same id with duplicate: true for the same bytes, and adds no job', async () => {
    const first = (await post(`${arf.toString()}\n`)).json();
    const before = await env.rt.queues.reports.getJobCounts('wait', 'active', 'delayed');
    const again = await post(`${arf.toString()}\n`);
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual({ id: first.id, duplicate: true });
    expect(await env.rt.queues.reports.getJobCounts('wait', 'active', 'delayed')).toEqual(before);
  });

  it('takes multipart/report and application/octet-stream bodies too', async () => {
    for (const [i, type] of [
      'multipart/report; report-type=feedback-report; boundary="x"',
      'application/octet-stream',
    ].entries()) {
      const res = await post(`${arf.toString()}\n${i}x`, { 'content-type': type });
      expect(res.statusCode).toBe(202);
    }
  });

  it('refuses a missing or wrong token with 401 and a stable code', async () => {
    const none = await env.app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: arf,
      headers: { 'content-type': 'message/rfc822' },
    });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('auth.missing_token');
    const bad = await post(arf, { authorization: 'Bearer nope' });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('auth.bad_token');
  });

  it('refuses a token of another role with 403', async () => {
    const viewer = await env.token('viewer');
    const res = await post(arf, { authorization: `Bearer ${viewer}` });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('auth.forbidden');
  });

  it('answers 413 for a message over MAX_REPORT_BYTES and stores nothing', async () => {
    const { count: before } = (
      await env.rt.database.sql`select count(*)::int as count from inbound_messages`
    )[0] as { count: number };
    const res = await post(Buffer.alloc(70_000, 'a'));
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('report.too_large');
    const { count: after } = (
      await env.rt.database.sql`select count(*)::int as count from inbound_messages`
    )[0] as { count: number };
    expect(after).toBe(before);
  });

  it('answers 415 for other content types', async () => {
    for (const type of ['application/json', 'text/plain']) {
      const res = await post(type === 'application/json' ? '{"a":1}' : 'hello', { 'content-type': type });
      expect(res.statusCode).toBe(415);
      expect(res.json().error.code).toBe('report.unsupported_type');
    }
  });

  it('answers 400 for an empty body', async () => {
    const res = await post(Buffer.alloc(0));
    expect(res.statusCode).toBe(400);
  });
});

describe('POST /v1/reports with a service down', () => {
  it('answers 503 with Retry-After and stores nothing when Redis is unreachable', async () => {
    const env = await createTestEnv({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const partner = await env.token('partner');
      const res = await env.app.inject({
        method: 'POST',
        url: '/v1/reports',
        payload: arf,
        headers: { authorization: `Bearer ${partner}`, 'content-type': 'message/rfc822' },
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('30');
      expect(res.json().error.code).toBe('queue.unavailable');
      const [row] = await env.rt.database.sql<
        { count: number }[]
      >`select count(*)::int as count from inbound_messages`;
      expect(row?.count).toBe(0);
      const ready = await env.app.inject({ url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().checks).toEqual({ postgres: true, redis: false });
    } finally {
      await env.close();
    }
  });

  it('answers 503 with Retry-After when Postgres is unreachable', async () => {
    const env = await createTestEnv();
    const partner = await env.token('partner');
    // Point a second runtime at a closed port: the token check itself cannot reach storage.
    const { openRuntime } = await import('../../src/runtime.ts');
    const { buildServer } = await import('../../src/http/server.ts');
    const { loadConfig } = await import('../../src/config.ts');
    const { createLogger } = await import('../../src/log.ts');
    const down = openRuntime(
      loadConfig({ ...env.processEnv, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }),
      createLogger('silent'),
    );
    const app = await buildServer(down);
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/reports',
        payload: arf,
        headers: { authorization: `Bearer ${partner}`, 'content-type': 'message/rfc822' },
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('30');
      expect(res.json().error.code).toBe('storage.unavailable');
    } finally {
      await app.close();
      await down.close();
      await env.close();
    }
  });
});
