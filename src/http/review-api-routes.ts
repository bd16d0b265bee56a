import type { FastifyPluginAsync } from 'fastify';
import { ReputeError } from '../errors.ts';
import { retryInbound } from '../intake/retry-inbound.ts';
import { canonicalIp } from '../net/ip-address.ts';
import type { Runtime } from '../runtime.ts';
import { type Authenticator, CAN_ACT, CAN_READ, requireRole } from './auth.ts';
import { auditFor, dailyHistory, inboundMessage, overview, RAW_SHOWN_MAX } from './review-queries.ts';

const idParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1 } },
} as const;

/** The JSON behind the review desk, for scripts and the CLI: the same reads as the pages. */
export const reviewApiRoutes: FastifyPluginAsync<{ rt: Runtime; authenticate: Authenticator }> = async (
  app,
  { rt, authenticate },
) => {
  const sql = rt.database.sql;
  const read = requireRole(authenticate, CAN_READ);
  const act = requireRole(authenticate, CAN_ACT);

  app.get('/v1/overview', { onRequest: read }, async () => overview(rt));

  app.get<{ Params: { ip: string } }>('/v1/ips/:ip/history', { onRequest: read }, async (req) => {
    const ip = canonicalIp(req.params.ip);
    if (!ip) throw new ReputeError('request.invalid', `"${req.params.ip}" is not an IP address.`);
    return { ip, days: await dailyHistory(sql, 'ip', ip) };
  });

  app.get<{ Params: { id: string } }>('/v1/tenants/:id/history', { onRequest: read }, async (req) => {
    const [t] = await sql`select id from tenants where id = ${req.params.id}`;
    if (!t) throw new ReputeError('tenant.unknown', `There is no tenant "${req.params.id}".`);
    return { tenant: req.params.id, days: await dailyHistory(sql, 'tenant', req.params.id) };
  });

  app.get<{ Querystring: { subjectType: string; subject: string; limit?: number } }>(
    '/v1/audit',
    {
      onRequest: read,
      schema: {
        querystring: {
          type: 'object',
          required: ['subjectType', 'subject'],
          additionalProperties: false,
          properties: {
            subjectType: { type: 'string', enum: ['ip', 'tenant', 'inbound'] },
            subject: { type: 'string', minLength: 1, maxLength: 200 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          },
        },
      },
    },
    async (req) => {
      const subject =
        req.query.subjectType === 'ip'
          ? (canonicalIp(req.query.subject) ?? req.query.subject)
          : req.query.subject;
      return { items: await auditFor(sql, req.query.subjectType, subject, req.query.limit ?? 50) };
    },
  );

  app.get<{ Params: { id: number } }>(
    '/v1/inbound/:id',
    { onRequest: read, schema: { params: idParam } },
    async (req) => {
      const m = await inboundMessage(sql, req.params.id);
      if (!m) throw new ReputeError('inbound.unknown', `There is no inbound message ${req.params.id}.`);
      const { raw: _raw, ...meta } = m;
      return meta;
    },
  );

  app.get<{ Params: { id: number } }>(
    '/v1/inbound/:id/raw',
    { onRequest: read, schema: { params: idParam } },
    async (req, reply) => {
      const m = await inboundMessage(sql, req.params.id);
      if (!m) throw new ReputeError('inbound.unknown', `There is no inbound message ${req.params.id}.`);
      if (m.truncated) reply.header('x-repute-truncated', `${RAW_SHOWN_MAX}/${m.size}`);
      return reply.type('message/rfc822').send(m.raw);
    },
  );

  app.post<{ Params: { id: number } }>(
    '/v1/inbound/:id/retry',
    { onRequest: act, schema: { params: idParam } },
    async (req) =>
      retryInbound({ sql, queues: rt.queues }, req.params.id, `user:${req.principal?.name ?? 'unknown'}`),
  );
};
