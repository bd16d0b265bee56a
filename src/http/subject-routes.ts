import type { FastifyPluginAsync } from 'fastify';
import { ReputeError } from '../errors.ts';
import { canonicalIp } from '../net/ip-address.ts';
import { type ScoreOrder, topScores } from '../reputation/read-scores.ts';
import type { Runtime } from '../runtime.ts';
import { type Authenticator, CAN_READ, requireRole } from './auth.ts';
import { eventsFor } from './review-queries.ts';
import { ipFacts, tenantFacts } from './subject-queries.ts';

const RECENT_EVENTS = 20;

export const subjectRoutes: FastifyPluginAsync<{ rt: Runtime; authenticate: Authenticator }> = async (
  app,
  { rt, authenticate },
) => {
  const sql = rt.database.sql;
  const onRequest = requireRole(authenticate, CAN_READ);

  app.get<{ Params: { ip: string } }>('/v1/ips/:ip', { onRequest }, async (req) => {
    const ip = canonicalIp(req.params.ip);
    if (!ip) throw new ReputeError('request.invalid', `"${req.params.ip}" is not an IP address.`);
    const facts = await ipFacts(sql, ip, rt.policy, new Date());
    if (!facts.platform && !facts.score.updatedAt) {
      throw new ReputeError('ip.unknown', `${ip} is not a sending IP of the platform and has no score.`);
    }
    return { ...facts, events: await eventsFor(sql, 'ip', ip, RECENT_EVENTS) };
  });

  app.get<{ Params: { id: string } }>('/v1/tenants/:id', { onRequest }, async (req) => {
    const id = req.params.id;
    const facts = await tenantFacts(sql, id, rt.policy, new Date());
    if (!facts) throw new ReputeError('tenant.unknown', `There is no tenant "${id.slice(0, 64)}".`);
    return { ...facts, events: await eventsFor(sql, 'tenant', id, RECENT_EVENTS) };
  });

  app.get<{
    Querystring: { type?: 'ip' | 'tenant' | 'tenant_unregistered'; order?: ScoreOrder; limit?: number };
  }>(
    '/v1/scores',
    {
      onRequest,
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            type: { type: 'string', enum: ['ip', 'tenant', 'tenant_unregistered'], default: 'ip' },
            order: { type: 'string', enum: ['complaints', 'rate'], default: 'complaints' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 20 },
          },
        },
      },
    },
    async (req) => {
      const { type = 'ip', order = 'complaints', limit = 20 } = req.query;
      return { items: await topScores(sql, type, order, limit, rt.policy, new Date()) };
    },
  );
};
