import type { FastifyPluginAsync } from 'fastify';
import { ReputeError } from '../errors.ts';
import { canonicalIp } from '../net/ip-address.ts';
import {
  answerCheck,
  type CheckAnswer,
  checkFactsFromCache,
  checkFactsFromDatabase,
} from '../reputation/check-sending.ts';
import { CheckSnapshot } from '../reputation/check-snapshot.ts';
import type { Runtime } from '../runtime.ts';
import { type Authenticator, requireRole } from './auth.ts';

/** `from` may be an address or a bare domain. */
function fromDomain(from: string | undefined): string | undefined {
  if (!from) return undefined;
  const at = from.lastIndexOf('@');
  const domain = (at >= 0 ? from.slice(at + 1) : from).trim().toLowerCase().replace(/>$/, '');
  if (!/^[a-z0-9.-]{1,253}$/.test(domain)) {
    throw new ReputeError('request.invalid', `"${from}" is not an address or domain.`);
  }
  return domain;
}

export const checkRoutes: FastifyPluginAsync<{ rt: Runtime; authenticate: Authenticator }> = async (
  app,
  { rt, authenticate },
) => {
  // The check cache in this process's memory, refreshed when the events worker rebuilds it.
  const snapshot = new CheckSnapshot(rt.redis, rt.config.redisPrefix);
  snapshot.start();
  app.addHook('onClose', async () => snapshot.stop());

  app.get<{ Querystring: { ip?: string; tenant?: string; from?: string } }>(
    '/v1/check',
    {
      onRequest: requireRole(authenticate, ['service']),
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ip: { type: 'string', maxLength: 64 },
            tenant: { type: 'string', maxLength: 200 },
            from: { type: 'string', maxLength: 320 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              allow: { type: 'boolean' },
              code: { type: ['string', 'null'] },
              ndr: { type: ['string', 'null'] },
            },
          },
        },
      },
    },
    async (req) => {
      const { ip, tenant, from } = req.query;
      const canonical = ip === undefined ? undefined : canonicalIp(ip);
      if (canonical === null) throw new ReputeError('request.invalid', `"${ip}" is not an IP address.`);
      if (!canonical && !tenant) throw new ReputeError('request.invalid', 'Give at least ip or tenant.');
      const q = { ip: canonical, tenant, fromDomain: fromDomain(from) };
      // The Redis copy first: the check must keep answering with Postgres down.
      const timer = rt.metrics.checkSeconds.startTimer();
      const answered = (answer: CheckAnswer, source: 'memory' | 'cache' | 'database') => {
        timer();
        rt.metrics.checks.inc({ code: answer.code ?? 'allow', source });
        return answer;
      };
      const held = snapshot.facts(q);
      if (held) return answered(answerCheck(q, held, rt.config.publicUrl), 'memory');
      const cached = await checkFactsFromCache(rt.redis, rt.config.redisPrefix, q).catch(() => null);
      if (cached) return answered(answerCheck(q, cached, rt.config.publicUrl), 'cache');
      try {
        return answered(
          answerCheck(q, await checkFactsFromDatabase(rt.database.sql, q), rt.config.publicUrl),
          'database',
        );
      } catch (err) {
        throw new ReputeError(
          'storage.unavailable',
          'Restriction store is unavailable; try again shortly.',
          err,
        );
      }
    },
  );
};
