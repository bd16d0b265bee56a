import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ReputeError } from '../errors.ts';
import { retryInbound } from '../intake/retry-inbound.ts';
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
import type { Role } from '../tokens.ts';
import { CAN_ACT, CAN_READ, tokenAuthenticator } from './auth.ts';
import type { Viewer } from './pages/layout.ts';
import { inboundPage, ipPage, overviewPage, signInPage, tenantPage } from './pages/review-pages.ts';
import type { ReportItem } from './pages/review-tables.ts';
import { countReports, listReports, reportsOfInbound } from './report-queries.ts';
import {
  auditFor,
  dailyHistory,
  eventsFor,
  inboundMessage,
  overview,
  RAW_SHOWN_MAX,
} from './review-queries.ts';
import { currentOwner, newCsrfSecret, type Session, type SessionStore, sameSecret } from './sessions.ts';
import { ipFacts, tenantFacts } from './subject-queries.ts';

export const SESSION_COOKIE = 'repute_session';
const SIGN_IN_COOKIE = 'repute_sign_in';
const FORM_LIMIT = 16 * 1024;
const LIST_LIMIT = 50;
/** Reports of a subject are counted up to this; a hot IP's millions are "10,000+". */
const REPORT_COUNT_CAP = 10_000;

/** `?before=` of a page of reports: a report id, or the newest page. */
const beforeParam = (raw: unknown): number | undefined => {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) {
    throw new ReputeError('request.invalid', 'before= is a report id.');
  }
  return Number(raw);
};

const paging = (total: number, before: number | undefined, next: unknown) => ({
  total,
  cap: REPORT_COUNT_CAP,
  before: before ?? null,
  next: typeof next === 'number' ? next : null,
});

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in trust-team member on a review page. */
    reviewer?: { viewer: Viewer; role: Role; sessionId: string; session: Session };
  }
  interface FastifyContextConfig {
    /** A review route that needs no session (the sign-in form). */
    publicPage?: boolean;
  }
}

/** What an action's redirect says on the page it lands on. */
const DONE: Record<string, string> = {
  'ip.blocked': 'IP blocked. The note is in the audit log; the block reaches the MTAs within a minute.',
  'ip.unblocked': 'IP unblocked. The note is in the audit log.',
  'tenant.restricted_unregistered':
    'Tenant restricted to its registered domains. The note is in the audit log.',
  'tenant.unrestricted': 'Restriction lifted. The note and the checks are in the audit log.',
  'inbound.retry': 'Message queued for re-processing.',
};

const str = (v: unknown): string =>
  typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';

/** Only a path of the review desk itself: no open redirect through `next`. */
const safeNext = (next: unknown): string => {
  const s = str(next);
  return /^\/review(\/[A-Za-z0-9._~:%@/?=&+-]*)?$/.test(s) && !s.startsWith('//') ? s : '/review';
};

/**
 * The review desk (PUBLIC_URL/review): sign in with an API token of role viewer, analyst
 * or admin; the pages read, and analysts act through forms. Every form carries the
 * session's CSRF token; the session cookie is HttpOnly and SameSite=Strict.
 */
export const reviewRoutes: FastifyPluginAsync<{ rt: Runtime; sessions: SessionStore }> = async (
  app,
  { rt, sessions },
) => {
  const sql = rt.database.sql;
  const authenticate = tokenAuthenticator(sql);
  const secure = rt.config.publicUrl.startsWith('https:');
  const cookieBase = { path: '/review', httpOnly: true, sameSite: 'strict' as const, secure, signed: true };
  const readable = new Set<Role>(CAN_READ);
  const acting = new Set<Role>(CAN_ACT);

  const html = (reply: FastifyReply, body: string, status = 200) =>
    reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);

  const signedValue = (req: FastifyRequest, name: string): string | null => {
    const raw = req.cookies[name];
    if (!raw) return null;
    const u = req.unsignCookie(raw);
    return u.valid && u.value ? u.value : null;
  };

  app.addHook('preHandler', async (req, reply) => {
    if (req.routeOptions.config.publicPage) return;
    const sessionId = signedValue(req, SESSION_COOKIE);
    const session = sessionId ? await sessions.get(sessionId) : null;
    const owner = session ? await currentOwner(sql, session.tokenId) : null;
    if (!sessionId || !session || !owner || !readable.has(owner.role)) {
      if (sessionId && session) await sessions.destroy(sessionId);
      if (req.method === 'GET') {
        return reply.redirect(`/review/sign-in?next=${encodeURIComponent(safeNext(req.url))}`, 303);
      }
      throw new ReputeError('auth.missing_token', 'Your session has ended; sign in again.');
    }
    req.reviewer = {
      viewer: { name: owner.name, role: owner.role, csrf: session.csrf },
      role: owner.role,
      sessionId,
      session,
    };
    if (req.method === 'POST') {
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (!sameSecret(body._csrf, session.csrf)) {
        throw new ReputeError(
          'auth.csrf',
          'This form has expired or did not come from the review desk; reload the page and try again.',
        );
      }
    }
  });

  const mustAct = (req: FastifyRequest) => {
    if (!req.reviewer || !acting.has(req.reviewer.role)) {
      throw new ReputeError(
        'auth.forbidden',
        `A ${req.reviewer?.role ?? 'signed-out'} user cannot act; ask an analyst.`,
      );
    }
    return `user:${req.reviewer.viewer.name}`;
  };
  const canAct = (req: FastifyRequest) => Boolean(req.reviewer && acting.has(req.reviewer.role));
  const noticeOf = (req: FastifyRequest) =>
    DONE[str((req.query as Record<string, unknown>)?.done)] || undefined;

  // --- signing in and out

  app.get<{ Querystring: { next?: string } }>(
    '/review/sign-in',
    { config: { publicPage: true } },
    async (req, reply) => {
      const csrf = newCsrfSecret();
      reply.setCookie(SIGN_IN_COOKIE, csrf, { ...cookieBase, path: '/review/sign-in', maxAge: 3600 });
      return html(reply, signInPage({ csrf, next: safeNext(req.query.next) }));
    },
  );

  app.post<{ Body: Record<string, unknown> }>(
    '/review/sign-in',
    { config: { publicPage: true }, bodyLimit: FORM_LIMIT },
    async (req, reply) => {
      const body = req.body ?? {};
      const next = safeNext(body.next);
      // Login CSRF: the form's token must match the cookie set with the form (double submit).
      const expected = signedValue(req, SIGN_IN_COOKIE);
      const again = (error: string, status: number) => {
        const csrf = newCsrfSecret();
        reply.setCookie(SIGN_IN_COOKIE, csrf, { ...cookieBase, path: '/review/sign-in', maxAge: 3600 });
        return html(reply, signInPage({ csrf, next, error }), status);
      };
      if (!expected || !sameSecret(body._csrf, expected)) {
        return again('The sign-in form expired; please try again.', 403);
      }
      const token = str(body.token).trim();
      const owner = token ? await authenticate(token) : null;
      if (!owner) return again('That token is not valid.', 401);
      if (!readable.has(owner.role)) {
        return again(
          `A ${owner.role} token cannot sign in to the review desk; use a viewer, analyst or admin token.`,
          403,
        );
      }
      const { id } = await sessions.create(owner);
      reply.clearCookie(SIGN_IN_COOKIE, { ...cookieBase, path: '/review/sign-in' });
      reply.setCookie(SESSION_COOKIE, id, { ...cookieBase, maxAge: sessions.ttlSeconds });
      req.log.info({ tokenId: owner.id, role: owner.role }, 'review sign-in');
      return reply.redirect(next, 303);
    },
  );

  app.post('/review/sign-out', { bodyLimit: FORM_LIMIT }, async (req, reply) => {
    if (req.reviewer) await sessions.destroy(req.reviewer.sessionId);
    reply.clearCookie(SESSION_COOKIE, cookieBase);
    return reply.redirect('/review/sign-in', 303);
  });

  // --- reading

  app.get('/review', async (req, reply) =>
    html(reply, overviewPage(await overview(rt), req.reviewer!.viewer, canAct(req), noticeOf(req))),
  );

  app.get<{ Querystring: { q?: string } }>('/review/find', async (req, reply) => {
    const q = str(req.query.q).trim();
    const ip = canonicalIp(q);
    if (ip) return reply.redirect(`/review/ips/${encodeURIComponent(ip)}`, 303);
    if (!q) return reply.redirect('/review', 303);
    return reply.redirect(`/review/tenants/${encodeURIComponent(q.toLowerCase())}`, 303);
  });

  const ipParam = (raw: string) => {
    const ip = canonicalIp(raw);
    if (!ip) throw new ReputeError('request.invalid', `"${raw.slice(0, 64)}" is not an IP address.`);
    return ip;
  };

  app.get<{ Params: { ip: string }; Querystring: { before?: string } }>(
    '/review/ips/:ip',
    async (req, reply) => {
      const ip = ipParam(req.params.ip);
      const before = beforeParam(req.query.before);
      const now = new Date();
      const [facts, history, reports, total, events, audit, delists] = await Promise.all([
        ipFacts(sql, ip, rt.policy, now),
        dailyHistory(sql, 'ip', ip),
        listReports(sql, { ip, limit: LIST_LIMIT, before }),
        countReports(sql, { ip }, REPORT_COUNT_CAP),
        eventsFor(sql, 'ip', ip, LIST_LIMIT),
        auditFor(sql, 'ip', ip),
        sql<{ id: number; email: string; status: string; createdAt: Date; usedAt: Date | null }[]>`
        select id, email, status, created_at as "createdAt", used_at as "usedAt"
          from delist_requests where ip = ${ip}::inet order by id desc limit 10`,
      ]);
      if (!facts.platform && !facts.score.updatedAt && reports.items.length === 0) {
        throw new ReputeError('ip.unknown', `${ip} is not a sending IP of the platform and has no score.`);
      }
      const data = {
        ...facts,
        history,
        reports: reports.items as unknown as ReportItem[],
        reportPaging: paging(total, before, reports.next),
        events,
        audit,
        delists,
      };
      return html(reply, ipPage(data, req.reviewer!.viewer, canAct(req), noticeOf(req)));
    },
  );

  app.get<{ Params: { id: string }; Querystring: { before?: string } }>(
    '/review/tenants/:id',
    async (req, reply) => {
      const id = req.params.id;
      const before = beforeParam(req.query.before);
      const facts = await tenantFacts(sql, id, rt.policy, new Date());
      if (!facts) throw new ReputeError('tenant.unknown', `There is no tenant "${id.slice(0, 64)}".`);
      const [history, reports, total, events, audit, notices] = await Promise.all([
        dailyHistory(sql, 'tenant', id),
        listReports(sql, { tenant: id, limit: LIST_LIMIT, before }),
        countReports(sql, { tenant: id }, REPORT_COUNT_CAP),
        eventsFor(sql, 'tenant', id, LIST_LIMIT),
        auditFor(sql, 'tenant', id),
        sql<
          {
            eventId: number;
            status: string;
            recipient: string | null;
            sentAt: Date | null;
            lastError: string | null;
          }[]
        >`
        select event_id as "eventId", status, recipient, sent_at as "sentAt", last_error as "lastError"
          from tenant_notices where tenant_id = ${id} order by event_id desc limit 20`,
      ]);
      const data = {
        ...facts,
        history,
        reports: reports.items as unknown as ReportItem[],
        reportPaging: paging(total, before, reports.next),
        events,
        audit,
        notices,
      };
      return html(reply, tenantPage(data, req.reviewer!.viewer, canAct(req), noticeOf(req)));
    },
  );

  const inboundId = (raw: string) => {
    if (!/^\d{1,15}$/.test(raw)) throw new ReputeError('request.invalid', 'A message id is a number.');
    return Number(raw);
  };

  app.get<{ Params: { id: string } }>('/review/inbound/:id', async (req, reply) => {
    const id = inboundId(req.params.id);
    const m = await inboundMessage(sql, id);
    if (!m) throw new ReputeError('inbound.unknown', `There is no inbound message ${id}.`);
    const reports = await reportsOfInbound(sql, id);
    return html(
      reply,
      inboundPage(m, reports as unknown as ReportItem[], req.reviewer!.viewer, canAct(req), noticeOf(req)),
    );
  });

  // The raw bytes as text: attacker-controlled, so never HTML (text/plain, nosniff, sandboxed).
  app.get<{ Params: { id: string } }>('/review/inbound/:id/raw', async (req, reply) => {
    const id = inboundId(req.params.id);
    const m = await inboundMessage(sql, id);
    if (!m) throw new ReputeError('inbound.unknown', `There is no inbound message ${id}.`);
    return reply
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'; sandbox; frame-ancestors 'none'")
      .type('text/plain; charset=utf-8')
      .send(
        m.raw.toString('utf8') +
          (m.truncated ? `\n\n[truncated: first ${RAW_SHOWN_MAX} of ${m.size} bytes shown]\n` : ''),
      );
  });

  // --- acting (analyst and admin)

  const wake = (r: ActionResult) =>
    rt.queues.events.add('publish', { upTo: r.eventId }).then(
      () => r,
      (err) => {
        rt.log.warn({ err }, 'could not wake the events worker; the outbox sweep will publish');
        return r;
      },
    );
  const note = (req: FastifyRequest) => str((req.body as Record<string, unknown>)?.note).trim();
  const back = (reply: FastifyReply, path: string, done: string) =>
    reply.redirect(`${path}?done=${encodeURIComponent(done)}`, 303);
  const form = { bodyLimit: FORM_LIMIT };

  app.post<{ Params: { ip: string } }>('/review/ips/:ip/block', form, async (req, reply) => {
    const actor = mustAct(req);
    const ip = ipParam(req.params.ip);
    const r = await wake(await blockIp(sql, ip, { actor, note: note(req) }, rt.config.publicUrl));
    return back(reply, `/review/ips/${encodeURIComponent(ip)}`, r.type);
  });
  app.post<{ Params: { ip: string } }>('/review/ips/:ip/unblock', form, async (req, reply) => {
    const actor = mustAct(req);
    const ip = ipParam(req.params.ip);
    const r = await wake(await liftIpBlock(sql, ip, { actor, note: note(req) }, 'unblock'));
    return back(reply, `/review/ips/${encodeURIComponent(ip)}`, r.type);
  });
  app.post<{ Params: { id: string } }>('/review/tenants/:id/restrict', form, async (req, reply) => {
    const actor = mustAct(req);
    const r = await wake(await restrictTenant(sql, req.params.id, { actor, note: note(req) }));
    return back(reply, `/review/tenants/${encodeURIComponent(req.params.id)}`, r.type);
  });
  app.post<{ Params: { id: string } }>('/review/tenants/:id/unrestrict', form, async (req, reply) => {
    const actor = mustAct(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const checks = Object.fromEntries(
      UNRESTRICT_CHECKS.map((c) => [c, str(body[c]) !== '']),
    ) as UnrestrictChecks;
    const r = await wake(await unrestrictTenant(sql, req.params.id, { actor, note: note(req), checks }));
    return back(reply, `/review/tenants/${encodeURIComponent(req.params.id)}`, r.type);
  });
  app.post<{ Params: { id: string } }>('/review/inbound/:id/retry', form, async (req, reply) => {
    const actor = mustAct(req);
    const id = inboundId(req.params.id);
    await retryInbound({ sql, queues: rt.queues }, id, actor);
    return back(reply, `/review/inbound/${id}`, 'inbound.retry');
  });
};
