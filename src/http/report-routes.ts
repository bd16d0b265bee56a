import type { FastifyPluginAsync } from 'fastify';
import { ReputeError } from '../errors.ts';
import { canonicalIp } from '../net/ip-address.ts';
import type { Runtime } from '../runtime.ts';
import { type Authenticator, CAN_READ, requireRole } from './auth.ts';
import { listReports } from './report-queries.ts';

const RAW_TYPES = /^(message\/rfc822|multipart\/report|application\/octet-stream)\s*(;|$)/i;

export const reportRoutes: FastifyPluginAsync<{ rt: Runtime; authenticate: Authenticator }> = async (
  app,
  { rt, authenticate },
) => {
  // The body is the raw message, kept byte for byte: parsing happens in the workers.
  app.addContentTypeParser(
    RAW_TYPES,
    { parseAs: 'buffer', bodyLimit: rt.config.maxReportBytes },
    (_req, body, done) => done(null, body),
  );

  app.post('/v1/reports', { onRequest: requireRole(authenticate, ['partner']) }, async (req, reply) => {
    if (!Buffer.isBuffer(req.body)) {
      throw new ReputeError(
        'report.unsupported_type',
        'Send the raw message as message/rfc822, multipart/report or application/octet-stream.',
      );
    }
    if (req.body.length === 0) throw new ReputeError('report.empty', 'The request body is empty.');
    // With Redis known to be down, say so before storing anything.
    if (rt.redis.status !== 'ready') {
      throw new ReputeError('queue.unavailable', 'The report queue is unavailable; try again shortly.');
    }
    const accepted = await rt.intake.accept({
      raw: req.body,
      channel: 'webhook',
      reporter: req.principal?.name ?? null,
    });
    rt.metrics.intake.inc({ channel: 'webhook', outcome: accepted.duplicate ? 'duplicate' : 'accepted' });
    req.log.info({ inboundId: accepted.id, duplicate: accepted.duplicate }, 'report accepted');
    return reply.status(202).send(accepted);
  });

  app.get<{
    Querystring: { ip?: string; tenant?: string; status?: string; limit?: number; before?: number };
  }>(
    '/v1/reports',
    {
      onRequest: requireRole(authenticate, CAN_READ),
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ip: { type: 'string', maxLength: 64 },
            tenant: { type: 'string', maxLength: 200 },
            status: {
              type: 'string',
              enum: ['scored', 'unattributed', 'evidence', 'failed', 'ignored', 'queued'],
            },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            before: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
    async (req) => {
      const { ip, tenant, status, limit = 50, before } = req.query;
      const canonical = ip === undefined ? undefined : canonicalIp(ip);
      if (canonical === null) throw new ReputeError('request.invalid', `"${ip}" is not an IP address.`);
      return listReports(rt.database.sql, { ip: canonical, tenant, status, limit, before });
    },
  );
};
