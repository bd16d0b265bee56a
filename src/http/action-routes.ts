import type { FastifyPluginAsync } from 'fastify';
import { ReputeError } from '../errors.ts';
import { canonicalIp } from '../net/ip-address.ts';
import {
  type ActionResult,
  blockIp,
  liftIpBlock,
  restrictTenant,
  UNRESTRICT_CHECKS,
  type UnrestrictChecks,
  unrestrictTenant,
} from '../reputation/restrictions.ts';
import type { Runtime } from '../runtime.ts';
import { type Authenticator, CAN_ACT, requireRole } from './auth.ts';

const noteBody = {
  type: 'object',
  required: ['note'],
  additionalProperties: false,
  properties: {
    note: { type: 'string', minLength: 3, maxLength: 2000 },
    checks: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(UNRESTRICT_CHECKS.map((c) => [c, { type: 'boolean' }])),
    },
  },
} as const;

/** The trust team's actions: each writes the audit log and emits its event as the policy would. */
export const actionRoutes: FastifyPluginAsync<{ rt: Runtime; authenticate: Authenticator }> = async (
  app,
  { rt, authenticate },
) => {
  const onRequest = requireRole(authenticate, CAN_ACT);
  const actor = (req: { principal?: { name: string } }) => `user:${req.principal?.name ?? 'unknown'}`;
  const ipParam = (raw: string) => {
    const ip = canonicalIp(raw);
    if (!ip) throw new ReputeError('request.invalid', `"${raw}" is not an IP address.`);
    return ip;
  };
  const done = async (result: ActionResult) => {
    await rt.queues.events.add('publish', { upTo: result.eventId }).catch(() => {});
    return result;
  };
  type Body = { note: string; checks?: Partial<UnrestrictChecks> };
  const opts = { onRequest, schema: { body: noteBody } };

  app.post<{ Params: { ip: string }; Body: Body }>('/v1/ips/:ip/block', opts, async (req) =>
    done(
      await blockIp(
        rt.database.sql,
        ipParam(req.params.ip),
        { actor: actor(req), note: req.body.note },
        rt.config.publicUrl,
      ),
    ),
  );
  app.post<{ Params: { ip: string }; Body: Body }>('/v1/ips/:ip/unblock', opts, async (req) =>
    done(
      await liftIpBlock(
        rt.database.sql,
        ipParam(req.params.ip),
        { actor: actor(req), note: req.body.note },
        'unblock',
      ),
    ),
  );
  app.post<{ Params: { id: string }; Body: Body }>('/v1/tenants/:id/restrict', opts, async (req) =>
    done(await restrictTenant(rt.database.sql, req.params.id, { actor: actor(req), note: req.body.note })),
  );
  app.post<{ Params: { id: string }; Body: Body }>('/v1/tenants/:id/unrestrict', opts, async (req) => {
    const checks = Object.fromEntries(
      UNRESTRICT_CHECKS.map((c) => [c, req.body.checks?.[c] === true]),
    ) as UnrestrictChecks;
    return done(
      await unrestrictTenant(rt.database.sql, req.params.id, {
        actor: actor(req),
        note: req.body.note,
        checks,
      }),
    );
  });
};
