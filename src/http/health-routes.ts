import type { FastifyPluginAsync } from 'fastify';
import type { Runtime } from '../runtime.ts';

/** Liveness says the process answers; readiness says Postgres and Redis do too. */
export const healthRoutes: FastifyPluginAsync<{ rt: Runtime }> = async (app, { rt }) => {
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const timeout = <T>(p: Promise<T>) =>
      Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000))]);
    const [pg, redis] = await Promise.allSettled([
      timeout(rt.database.sql`select 1`),
      timeout(rt.redis.status === 'ready' ? rt.redis.ping() : Promise.reject(new Error(rt.redis.status))),
    ]);
    const checks = { postgres: pg.status === 'fulfilled', redis: redis.status === 'fulfilled' };
    const ok = checks.postgres && checks.redis;
    return reply.status(ok ? 200 : 503).send({ ok, checks });
  });
};
