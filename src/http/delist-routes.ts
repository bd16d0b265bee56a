import type { FastifyPluginAsync } from 'fastify';
import { confirmDelist, createDelistRequest, inspectDelistLink } from '../delist/delist-requests.ts';
import { windowLimiter } from '../delist/rate-limit.ts';
import { foldEmail, parseDelistForm } from '../delist/validate.ts';
import type { Mailer } from '../notices/mailer.ts';
import type { Runtime } from '../runtime.ts';
import {
  confirmResultPage,
  delistFormPage,
  delistMailText,
  delistSentPage,
  linkPage,
} from './pages/delist-pages.ts';

const FORM_LIMIT = 16 * 1024;

/**
 * The delist portal (PUBLIC_URL/delist): a form → a mailed one-time link → a page with
 * the IP's status and a "Delist IP" button → the block lifted as `delist-portal`.
 * The confirming POST carries the link's token, which no other site knows: that is
 * what makes it safe against cross-site requests, without a session.
 */
export const delistRoutes: FastifyPluginAsync<{ rt: Runtime; mailer: Mailer }> = async (
  app,
  { rt, mailer },
) => {
  const sql = rt.database.sql;
  const limiter = windowLimiter(rt.redis, rt.config.redisPrefix, rt.config.delist.windowMinutes * 60);
  const limits = rt.config.delist;
  // The event is in the outbox already; this only wakes the publisher now rather than at its next sweep.
  const wake = (eventId: number) =>
    rt.queues.events.add('publish', { upTo: eventId }).then(
      () => {},
      (err) => rt.log.warn({ err }, 'could not wake the events worker; the outbox sweep will publish'),
    );

  app.get<{ Querystring: { ip?: string } }>('/delist', async (req, reply) => {
    const ip = typeof req.query.ip === 'string' ? req.query.ip.slice(0, 64) : '';
    return reply.type('text/html; charset=utf-8').send(delistFormPage({ ip }));
  });

  app.post<{ Body: Record<string, unknown> }>('/delist', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = parseDelistForm(body);
    if (!form.ok) {
      await limiter.hit([{ kind: 'client', value: req.ip, max: limits.maxPerClient }]);
      const values = {
        email: typeof body.email === 'string' ? body.email.slice(0, 254) : '',
        ip: typeof body.ip === 'string' ? body.ip.slice(0, 64) : '',
      };
      return reply.status(400).type('text/html; charset=utf-8').send(delistFormPage(values, form.errors));
    }
    const { email, ip } = form.value;
    // No limit per IP alone: strangers asking for an IP must not lock its owner out. Per
    // e-mail address (case and +tags folded, so one mailbox is one address), per client,
    // and per IP and address together.
    const mailbox = foldEmail(email);
    await limiter.hit([
      { kind: 'client', value: req.ip, max: limits.maxPerClient },
      { kind: 'email', value: mailbox, max: limits.maxPerEmail },
      { kind: 'ip_email', value: `${ip} ${mailbox}`, max: limits.maxPerIpAndEmail },
    ]);
    // Listed or not, the same work and the same answer: the portal is no oracle for the list.
    const request = await createDelistRequest(sql, { ip, email, clientAddress: req.ip });
    const link = `${rt.config.publicUrl}/delist/confirm?token=${request.token}`;
    await mailer.send({
      to: email,
      subject: `Confirm the delisting of ${ip}`,
      text: delistMailText({ ip, link }),
    });
    req.log.info({ delistRequest: request.id, ip }, 'delist link mailed');
    return reply.type('text/html; charset=utf-8').send(delistSentPage(email, ip));
  });

  app.get<{ Querystring: { token?: string } }>('/delist/confirm', async (req, reply) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const link = await inspectDelistLink(sql, token);
    const status = link.state === 'invalid' ? 404 : link.state === 'open' ? 200 : 410;
    return reply.status(status).type('text/html; charset=utf-8').send(linkPage(link, token));
  });

  app.post<{ Body: Record<string, unknown> }>(
    '/delist/confirm',
    { bodyLimit: FORM_LIMIT },
    async (req, reply) => {
      const token = typeof req.body?.token === 'string' ? req.body.token : '';
      const result = await confirmDelist(sql, token);
      if ('outcome' in result) {
        if (result.outcome === 'delisted') {
          req.log.info({ ip: result.ip, eventId: result.eventId }, 'ip delisted through the portal');
          await wake(result.eventId);
        }
        const status = result.outcome === 'refused' ? 429 : result.outcome === 'support' ? 409 : 200;
        return reply.status(status).type('text/html; charset=utf-8').send(confirmResultPage(result, token));
      }
      const status = result.state === 'invalid' ? 404 : 410;
      return reply.status(status).type('text/html; charset=utf-8').send(confirmResultPage(result, token));
    },
  );
};
