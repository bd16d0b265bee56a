import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../support/review-session.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/test-env.ts';

/** What a hostile or clumsy client does to the HTTP server, and what the server does back. */
describe('the HTTP server at its edges', () => {
  let env: TestEnv;
  let port: number;
  const logged: Array<{ level: number; msg: string; code?: string }> = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n')) if (line) logged.push(JSON.parse(line));
        done();
      },
    });
    env = await createTestEnv({ HTTP_IDLE_TIMEOUT_MS: '300' }, { log: pino({ level: 'info' }, sink) });
    await env.app.listen({ port: 0, host: '127.0.0.1' });
    port = (env.app.server.address() as { port: number }).port;
  });
  afterAll(async () => env?.close());

  const open = async (): Promise<Socket> => {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    return socket;
  };
  const closed = (socket: Socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()));

  it('answers 400, not 500, to numbers out of any range', async () => {
    const viewer = { authorization: `Bearer ${await env.token('viewer')}` };
    for (const url of [
      '/v1/reports?before=1e30',
      '/v1/reports?limit=1e309',
      '/v1/reports?before=99999999999999999999',
      '/v1/reports?status=failed&before=1e30',
      '/v1/events?after=1e30',
      '/v1/events?after=1e309',
      '/v1/scores?limit=1e309',
      '/v1/inbound/99999999999999999999',
      '/v1/audit?subjectType=ip&subject=192.0.2.1&limit=1e309',
    ]) {
      const res = await env.app.inject({ url, headers: viewer });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.code, url).toBe('request.invalid');
    }
    expect(logged.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('closes a connection that goes silent half-way through a request', async () => {
    const socket = await open();
    socket.write('GET /healthz HTTP/1.1\r\nHost: repute.test\r\n');
    await waitFor(async () => socket.destroyed || socket.readableEnded, {
      timeoutMs: 10_000,
      what: 'the server to close a silent connection',
    });
    socket.destroy();
    // Also a stalled upload: headers, a little of the body, then nothing; and a client that
    // keeps a connection open after its answer.
    const token = await env.token('partner');
    const upload = await open();
    const done = closed(upload);
    upload.write(
      `POST /v1/reports HTTP/1.1\r\nHost: repute.test\r\nAuthorization: Bearer ${token}\r\n` +
        'Content-Type: message/rfc822\r\nContent-Length: 100000\r\n\r\nFrom: x\r\n',
    );
    await done;
    const idle = await open();
    const answered = new Promise((resolve) => idle.once('data', resolve));
    const shut = closed(idle);
    idle.write('GET /healthz HTTP/1.1\r\nHost: repute.test\r\n\r\n');
    await answered;
    await shut;
  });

  it('takes a client hanging up mid-upload as that, not as an internal error', async () => {
    const token = await env.token('partner');
    const socket = await open();
    socket.write(
      `POST /v1/reports HTTP/1.1\r\nHost: repute.test\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: message/rfc822\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(5000)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    await waitFor(async () => logged.some((l) => l.msg === 'client closed the connection mid-request'), {
      what: 'the hang-up logged',
    });
    expect(logged.filter((l) => l.level >= 50)).toEqual([]);
    expect(logged.some((l) => l.code === 'internal')).toBe(false);
  });

  it('keeps every page out of frames and the delist pages out of caches', async () => {
    const pages = [
      '/delist',
      '/delist?ip=192.0.2.1',
      '/delist/confirm?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '/delist/nowhere',
      '/review/sign-in',
      '/review/nowhere',
    ];
    for (const url of pages) {
      const res = await env.app.inject({ url });
      expect(res.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options'], url).toBe('DENY');
    }
    for (const url of pages.filter((u) => u.startsWith('/delist'))) {
      expect((await env.app.inject({ url })).headers['cache-control'], url).toBe('no-store');
    }
    const posted = await env.app.inject({
      method: 'POST',
      url: '/delist',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=owner%40example.com&ip=192.0.2.1',
    });
    expect(posted.headers['cache-control']).toBe('no-store');
    const reviewer = await signIn(env.app, await env.token('viewer'));
    const [row] = await env.rt.database.sql<{ id: number }[]>`
      insert into inbound_messages (sha256, raw, size, channel) values (${Buffer.alloc(32, 7)}, ${Buffer.from('x')}, 1, 'webhook')
      returning id`;
    for (const url of ['/review', `/review/inbound/${row!.id}`, `/review/inbound/${row!.id}/raw`]) {
      const res = await reviewer.get(url);
      expect(res.status, url).toBe(200);
      expect(String(res.headers['content-security-policy']), url).toContain("frame-ancestors 'none'");
    }
  });
});
