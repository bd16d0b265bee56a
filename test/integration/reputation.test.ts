import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTenantHeader } from '../../src/attribution/tenant-header.ts';
import { loadConfig } from '../../src/config.ts';
import { buildServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/log.ts';
import { addSendingIp, addTenant } from '../../src/platform/directory.ts';
import { liftIpBlock, recentDelists } from '../../src/reputation/restrictions.ts';
import { openRuntime } from '../../src/runtime.ts';
import { buildArf } from '../support/build-arf.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/test-env.ts';

const KEY = 'test-tenant-header-key';

describe('reputation at every volume, and restrictions that reach the MTAs', () => {
  let env: TestEnv;
  let partner: string;
  let service: string;
  let viewer: string;
  let n = 0;

  beforeAll(async () => {
    env = await createTestEnv({ TENANT_HEADER_KEY: `old-key,${KEY}` });
    partner = await env.token('partner');
    service = await env.token('service');
    viewer = await env.token('viewer');
    const db = env.rt.database.db;
    await addTenant(db, { id: 'bigpool', name: 'Big Pool', domains: ['bigpool.example'] });
    await addSendingIp(db, '198.51.100.10', { pool: 'shared' });
    await addTenant(db, { id: 'smallco', name: 'Small Co', domains: ['smallco.example'] });
    await addSendingIp(db, '198.51.100.20', { tenantId: 'smallco' });
    await addTenant(db, { id: 'victim', name: 'Victim', domains: ['victim.example'] });
    await addTenant(db, { id: 'relisted', name: 'Relisted', domains: ['relisted.example'] });
    await addSendingIp(db, '198.51.100.30', { tenantId: 'relisted' });
    env.startWorkers();
  });
  afterAll(async () => env?.close());

  const call = async (method: 'GET' | 'POST', url: string, token: string, payload?: unknown) => {
    const res = await env.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const postReport = async (o: Partial<Parameters<typeof buildArf>[0]>) => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: buildArf({ id: `${++n}-${randomBytes(3).toString('hex')}`, ...o }),
      headers: { authorization: `Bearer ${partner}`, 'content-type': 'message/rfc822' },
    });
    expect(res.statusCode).toBe(202);
    return res.json().id as number;
  };
  const settled = (ids: number[]) => env.settledAll(ids);
  const eventsFor = async (subject: string) =>
    (
      (await call('GET', '/v1/events?after=0&limit=1000', viewer)).body.items as Array<{
        type: string;
        subject: string;
      }>
    )
      .filter((e) => e.subject === subject)
      .map((e) => e.type);
  const now = () => new Date().toISOString();

  it('takes a batch of volume samples, keeping the good ones and naming the bad ones by index', async () => {
    const res = await call('POST', '/v1/volume', service, [
      { ip: '198.51.100.10', count: 500_000, at: now() },
      { ip: 'not-an-ip', count: 5, at: now() },
      { tenant: 'bigpool', count: 500_000, unregisteredCount: 10, at: now() },
      { ip: '198.51.100.10', count: -1, at: now() },
      { count: 3, at: now() },
      { ip: '198.51.100.10', count: 500_000, at: '2999-01-01T00:00:00Z' },
      { ip: '198.51.100.10', count: 500_000, at: now() },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(3);
    expect(res.body.rejected.map((r: { index: number; code: string }) => [r.index, r.code])).toEqual([
      [1, 'volume.bad_ip'],
      [3, 'volume.bad_count'],
      [4, 'volume.no_subject'],
      [5, 'volume.future_time'],
    ]);
    const ip = await call('GET', '/v1/ips/198.51.100.10', viewer);
    expect(ip.body.score.volume).toBeGreaterThan(999_000);
    expect((await call('POST', '/v1/volume', service, { not: 'an array' })).status).toBe(400);
    expect((await call('POST', '/v1/volume', viewer, [])).status).toBe(403);
  });

  it('keeps a high-volume shared IP with a few complaints clean', async () => {
    const ids = [];
    for (let i = 0; i < 60; i++)
      ids.push(await postReport({ sourceIp: '198.51.100.10', mailFrom: 'news@bigpool.example' }));
    await settled(ids);
    expect(await eventsFor('198.51.100.10')).toEqual([]);
    const ip = (await call('GET', '/v1/ips/198.51.100.10', viewer)).body.score;
    expect(ip).toMatchObject({ status: 'ok' });
    expect(ip.rate).toBeCloseTo(0.00006, 5);
    expect(ip.upperBound).toBeLessThan(0.001);
  });

  it('blocks a low-volume dedicated IP with a high rate once, and /v1/check and the top list show it', async () => {
    await call('POST', '/v1/volume', service, [
      { ip: '198.51.100.20', tenant: 'smallco', count: 2000, at: now() },
    ]);
    const ids = [];
    for (let i = 0; i < 12; i++)
      ids.push(await postReport({ sourceIp: '198.51.100.20', mailFrom: 'hi@smallco.example' }));
    await settled(ids);
    expect(await eventsFor('198.51.100.20')).toEqual(['ip.warned', 'ip.blocked']);
    const check = await waitFor(async () => {
      const r = await call('GET', '/v1/check?ip=198.51.100.20', service);
      return r.body.allow === false ? r.body : null;
    });
    expect(check.code).toBe('5.7.606');
    const top = (await call('GET', '/v1/scores?type=ip&order=rate&limit=5', viewer)).body.items;
    expect(top[0]).toMatchObject({ subject: '198.51.100.20', status: 'blocked', reports: 12 });
    expect(top[0].lowerBound).toBeGreaterThan(0.003);
  });

  it('reads the Redis copy of the restrictions with no Postgres round trip', async () => {
    const { checkFactsFromCache } = await import('../../src/reputation/check-sending.ts');
    const facts = await checkFactsFromCache(env.rt.redis, env.config.redisPrefix, { ip: '198.51.100.20' });
    expect(facts).toEqual({ ipBlocked: true, tenantRestricted: false, domainRegistered: false });
  });

  it('keeps answering /v1/check with Postgres and then Redis unreachable', async () => {
    const pg = new URL(env.config.databaseUrl);
    const redis = new URL(env.config.redisUrl);
    const pgProxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    const redisProxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    const viaPg = new URL(env.config.databaseUrl);
    viaPg.port = String(pgProxy.port);
    const viaRedis = new URL(env.config.redisUrl);
    viaRedis.port = String(redisProxy.port);
    const rt = openRuntime(
      loadConfig({
        DATABASE_URL: viaPg.toString(),
        REDIS_URL: viaRedis.toString(),
        REDIS_PREFIX: env.config.redisPrefix,
        PUBLIC_URL: env.config.publicUrl,
      }),
      createLogger('silent'),
    );
    const app = await buildServer(rt);
    const check = (url: string) => app.inject({ url, headers: { authorization: `Bearer ${service}` } });
    try {
      // Until the process holds its own copy, answers come from Redis (or Postgres).
      await waitFor(async () => {
        expect((await check('/v1/check?ip=198.51.100.20')).json().code).toBe('5.7.606');
        return (await rt.metrics.registry.getSingleMetricAsString('repute_check_answers_total')).includes(
          'source="memory"',
        );
      });
      pgProxy.cut();
      const blocked = await check('/v1/check?ip=198.51.100.20');
      expect(blocked.statusCode).toBe(200);
      expect(blocked.json().code).toBe('5.7.606');
      expect((await check('/v1/check?ip=198.51.100.10')).json().allow).toBe(true);
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
      redisProxy.cut();
      expect((await check('/v1/check?ip=198.51.100.20')).json().code).toBe('5.7.606');
      expect((await check('/v1/check?ip=198.51.100.10')).json().allow).toBe(true);
    } finally {
      await app.close();
      await rt.close();
      await pgProxy.close();
      await redisProxy.close();
    }
  });

  it('re-blocks a delisted IP that crosses the line again, and counts the delists', async () => {
    const burst = async () => {
      const ids = [];
      for (let i = 0; i < 50; i++)
        ids.push(await postReport({ sourceIp: '198.51.100.30', mailFrom: 'x@relisted.example' }));
      await settled(ids);
    };
    await burst();
    await liftIpBlock(
      env.rt.database.sql,
      '198.51.100.30',
      { actor: 'delist-portal', note: 'sender asked' },
      'delist',
    );
    await env.rt.queues.events.add('publish', { upTo: Number.MAX_SAFE_INTEGER });
    await waitFor(async () => (await call('GET', '/v1/check?ip=198.51.100.30', service)).body.allow === true);
    expect(await recentDelists(env.rt.database.sql, '198.51.100.30')).toBe(1);
    await burst();
    expect(await eventsFor('198.51.100.30')).toEqual([
      'ip.warned',
      'ip.blocked',
      'ip.delisted',
      'ip.warned',
      'ip.blocked',
    ]);
    await waitFor(
      async () => (await call('GET', '/v1/check?ip=198.51.100.30', service)).body.allow === false,
    );
  });

  it('trusts a signed tenant header and records a forged, lifted or stale one without trusting it', async () => {
    const t = Math.floor(Date.now() / 1000);
    const stamped = (sign: (messageId: string) => string) => {
      const id = `th-${++n}`;
      return postReport({
        id,
        mailFrom: 'a@elsewhere.example',
        sourceIp: '192.0.2.50',
        originalHeaders: [`X-Repute-Tenant: ${sign(`<offer-${id}@elsewhere.example>`)}`],
      });
    };
    const ids = [
      await stamped((m) => signTenantHeader('victim', t, m, KEY)),
      await stamped((m) => signTenantHeader('victim', t, m, 'old-key')),
      await stamped((m) => signTenantHeader('victim', t, m, 'a-spammers-guess')),
      await stamped((m) => signTenantHeader('victim', t - 90 * 86_400, m, KEY)),
      await stamped(() => 'victim'),
      // A true signature, lifted from another message.
      await stamped(() => signTenantHeader('victim', t, '<a-real-one@victim.example>', KEY)),
    ];
    await settled(ids);
    const items = (await call('GET', '/v1/reports?limit=50', viewer)).body.items as Array<
      Record<string, unknown>
    >;
    const byId = (id: number) => items.find((r) => r.inboundId === id);
    expect(byId(ids[0]!)).toMatchObject({
      tenant: 'victim',
      attributionMethod: 'tenant_header',
      tenantHeaderStatus: 'valid',
      evidenceLevel: 'verified',
    });
    expect(byId(ids[1]!)).toMatchObject({ tenant: 'victim', tenantHeaderStatus: 'valid' });
    expect(byId(ids[2]!)).toMatchObject({
      tenant: null,
      attributionMethod: 'none',
      tenantHeaderStatus: 'bad_signature',
    });
    expect(byId(ids[3]!)).toMatchObject({ tenant: null, tenantHeaderStatus: 'stale' });
    expect(byId(ids[4]!)).toMatchObject({ tenant: null, tenantHeaderStatus: 'unsigned' });
    expect(byId(ids[5]!)).toMatchObject({ tenant: null, tenantHeaderStatus: 'bad_signature' });
  });
});
