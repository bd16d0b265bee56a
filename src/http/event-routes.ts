import type { FastifyPluginAsync } from 'fastify';
import type { Runtime } from '../runtime.ts';
import { type Authenticator, CAN_READ, requireRole } from './auth.ts';

/** Restriction events in order, paged by cursor: `next` is the `after` of the following page. */
export const eventRoutes: FastifyPluginAsync<{ rt: Runtime; authenticate: Authenticator }> = async (
  app,
  { rt, authenticate },
) => {
  app.get<{ Querystring: { after?: number; limit?: number } }>(
    '/v1/events',
    {
      onRequest: requireRole(authenticate, CAN_READ),
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'integer', minimum: 0, default: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
      },
    },
    async (req) => {
      const { after = 0, limit = 100 } = req.query;
      const items = await rt.database.sql<{ id: number }[]>`
        select id, type, subject_type as "subjectType", subject, actor, note, ndr, metrics,
               report_id as "reportId", created_at as "createdAt"
          from restriction_events where id > ${after} order by id limit ${limit}`;
      return { items, next: items.at(-1)?.id ?? after };
    },
  );
};
