import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { isReputeError, ReputeError } from '../errors.ts';
import { createMailer } from '../notices/mailer.ts';
import type { Runtime } from '../runtime.ts';
import { clientWentAway } from './client-went-away.ts';
import { delistRoutes } from './delist-routes.ts';
import { RETRY_AFTER_SECONDS, statusForCode } from './error-codes.ts';
import { html } from './html.ts';
import { apiDocsPage, type OpenApiDoc } from './pages/api-docs-page.ts';
import { messagePage } from './pages/delist-pages.ts';
import { errorPage } from './pages/review-pages.ts';
import { STYLESHEET } from './pages/style.ts';
import { reviewRoutes } from './review-routes.ts';
import { sessionStore } from './sessions.ts';

const TITLES: Record<number, string> = {
  400: 'Please check what you entered',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Nothing to do',
  413: 'Too large',
  429: 'Too many requests',
  503: 'Please try again shortly',
};

/**
 * The web pages: the delist portal and the review desk. Forms are posted as
 * application/x-www-form-urlencoded and everything works without JavaScript; the
 * Content-Security-Policy allows no script at all, so an escaping slip cannot run one.
 * Errors render as pages, from the same code → status table as the JSON API.
 */
export const webRoutes: FastifyPluginAsync<{ rt: Runtime }> = async (app, { rt }) => {
  await app.register(fastifyFormbody);
  await app.register(fastifyCookie, { secret: rt.config.review.sessionSecret });
  const mailer = createMailer(rt.config.mail, rt.log.child({ component: 'mail' }));
  app.addHook('onClose', async () => mailer.close());
  const sessions = sessionStore(rt.redis, rt.config.redisPrefix, rt.config.review.sessionHours * 3600);

  app.addHook('onRequest', async (req) => {
    // A browser says where a request came from; a form posted from another site is refused
    // before anything else (SameSite cookies and CSRF tokens are the main defence).
    if (
      req.method === 'POST' &&
      req.headers['sec-fetch-site'] === 'cross-site' &&
      req.url.startsWith('/review')
    ) {
      throw new ReputeError('auth.csrf', 'Forms of the review desk can only be sent from the review desk.');
    }
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header(
      'content-security-policy',
      reply.getHeader('content-security-policy') ??
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    // Pages show a delist link's state, a reviewer's data: never kept by a browser or a proxy.
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    // The confirm link carries its token in the query: never let it leak in a Referer.
    reply.header('referrer-policy', 'no-referrer');
    return payload;
  });

  app.setErrorHandler((e, req, reply) => {
    const err = e as FastifyError;
    let code = 'internal';
    let message = 'Something went wrong on our side; it has been logged. Please try again.';
    if (isReputeError(e)) {
      code = e.code;
      message = e.message;
    } else if (clientWentAway(err, req)) {
      req.log.info({ url: req.url.slice(0, 200) }, 'client closed the connection mid-request');
      return reply.status(statusForCode('request.aborted')).send('');
    } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      code = 'request.invalid';
      message = 'The form is too large.';
    } else if (typeof err.code === 'string' && err.code.startsWith('FST_ERR_CTP')) {
      code = 'request.invalid';
      message = 'Send the form as a web form.';
    }
    const status = statusForCode(code);
    if (status >= 500) req.log.error({ err, code }, 'page failed');
    const detail = isReputeError(e) ? (e.detail as { retryAfter?: number } | undefined) : undefined;
    const retry = detail?.retryAfter ?? RETRY_AFTER_SECONDS[code];
    if (retry) reply.header('retry-after', String(retry));
    const title = TITLES[status] ?? 'Something went wrong';
    let body: string;
    if (req.url.startsWith('/review')) {
      const signIn = code === 'auth.missing_token' ? '/review/sign-in' : undefined;
      body = errorPage(title, message, req.reviewer?.viewer ?? null, signIn);
    } else {
      body = messagePage(title, html`${message} <a href="/delist">Back to the form</a>`, 'bad');
    }
    return reply
      .status(status)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(body);
  });

  app.get('/docs', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(apiDocsPage(app.swagger() as unknown as OpenApiDoc)),
  );
  app.get('/assets/repute.css', async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(STYLESHEET),
  );
  await app.register(delistRoutes, { rt, mailer });
  await app.register(reviewRoutes, { rt, sessions });
};
