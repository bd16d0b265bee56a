import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { addSendingIp, addTenant } from '../../src/platform/directory.ts';
import { buildArf } from '../support/build-arf.ts';
import { createTestEnv } from '../support/test-env.ts';

describe('the test set-up', () => {
  it('leaves nothing of a test file in Redis: queues, check cache and counters go with it', async () => {
    const env = await createTestEnv();
    const prefix = env.config.redisPrefix;
    await addTenant(env.rt.database.db, { id: 'acme', name: 'Acme', domains: ['acme.example'] });
    await addSendingIp(env.rt.database.db, '198.51.100.8', { tenantId: 'acme' });
    env.startWorkers();
    const partner = await env.token('partner');
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: buildArf({ id: 'cleanup', sourceIp: '198.51.100.8', mailFrom: 'a@acme.example' }),
      headers: { authorization: `Bearer ${partner}`, 'content-type': 'message/rfc822' },
    });
    await env.settled(res.json().id);
    await env.app.inject({
      method: 'POST',
      url: '/delist',
      payload: 'email=a%40acme.example&ip=198.51.100.8',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const redis = new Redis(inject('redisUrl'), { lazyConnect: true });
    try {
      expect((await redis.keys(`${prefix}:*`)).length).toBeGreaterThan(0);
      await env.close();
      expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
