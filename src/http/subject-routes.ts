import type { FastifyPluginAsync } from 'fastify';
import { ReputeError } from '../errors.ts';
import { canonicalIp } from '../net/ip-address.ts';
import { readScores, type ScoreOrder, topScores } from '../reputation/read-scores.ts';
import type { Runtime } from '../runtime.ts';
import { type Authenticator, CAN_READ, requireRole } from './auth.ts';

const RECENT_EVENTS = 20;

export const subjectRoutes: FastifyPluginAsync<{ rt: Runtime; authenticate: Authenticator }> = async (
  app,
  { rt, authenticate },
) => {
  const sql = rt.database.sql;
  const onRequest = requireRole(authenticate, CAN_READ);

  const recentEvents = (subjectType: string, subject: string) => sql`
    select id, type, actor, note, ndr, metrics, created_at as "createdAt"
      from restriction_events where subject_type = ${subjectType} and subject = ${subject}
     order by id desc limit ${RECENT_EVENTS}`;

  app.get<{ Params: { ip: string } }>('/v1/ips/:ip', { onRequest }, async (req) => {
    const ip = canonicalIp(req.params.ip);
    if (!ip) throw new ReputeError('request.invalid', `"${req.params.ip}" is not an IP address.`);
    const [owner] = await sql<{ tenant: string | null; pool: string | null }[]>`
      select tenant_id as tenant, pool from sending_ips where ip = ${ip}::inet`;
    const [score] = await readScores(sql, [{ subjectType: 'ip', subject: ip }], rt.policy, new Date());
    if (!owner && !score?.updatedAt) {
      throw new ReputeError('ip.unknown', `${ip} is not a sending IP of the platform and has no score.`);
    }
    return {
      ip,
      platform: Boolean(owner),
      tenant: owner?.tenant ?? null,
      pool: owner?.pool ?? null,
      score,
      events: await recentEvents('ip', ip),
    };
  });

  app.get<{ Params: { id: string } }>('/v1/tenants/:id', { onRequest }, async (req) => {
    const id = req.params.id;
    const [tenant] = await sql<{ id: string; name: string; status: string; contactEmail: string | null }[]>`
      select id, name, status, contact_email as "contactEmail" from tenants where id = ${id}`;
    if (!tenant) throw new ReputeError('tenant.unknown', `There is no tenant "${id}".`);
    const [domains, ips, [overall, unregistered], events] = await Promise.all([
      sql<{ domain: string }[]>`select domain from accepted_domains where tenant_id = ${id} order by domain`,
      sql<{ ip: string }[]>`select host(ip) as ip from sending_ips where tenant_id = ${id} order by ip`,
      readScores(
        sql,
        [
          { subjectType: 'tenant', subject: id },
          { subjectType: 'tenant_unregistered', subject: id },
        ],
        rt.policy,
        new Date(),
      ),
      recentEvents('tenant', id),
    ]);
    return {
      ...tenant,
      domains: domains.map((d) => d.domain),
      ips: ips.map((i) => i.ip),
      score: overall,
      unregisteredScore: unregistered,
      events,
    };
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
