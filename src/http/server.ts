import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import { isReputeError, ReputeError } from '../errors.ts';
import type { Runtime } from '../runtime.ts';
import { actionRoutes } from './action-routes.ts';
import { tokenAuthenticator } from './auth.ts';
import { checkRoutes } from './check-routes.ts';
import { clientWentAway } from './client-went-away.ts';
import { RETRY_AFTER_SECONDS, statusForCode } from './error-codes.ts';
import { eventRoutes } from './event-routes.ts';
import { healthRoutes } from './health-routes.ts';
import { homeRoutes } from './home-routes.ts';
import { html } from './html.ts';
import { metricsRoutes } from './metrics-routes.ts';
import { registerOpenApi } from './openapi.ts';
import { messagePage } from './pages/delist-pages.ts';
import { errorPage } from './pages/review-pages.ts';
import { reportRoutes } from './report-routes.ts';
import { reviewApiRoutes } from './review-api-routes.ts';
import { subjectRoutes } from './subject-routes.ts';
import { volumeRoutes } from './volume-routes.ts';
import { webRoutes } from './web-routes.ts';

/** Fastify's own error codes, mapped onto ours so every error has one shape. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'report.too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'report.unsupported_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request.invalid',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'request.invalid',
  FST_ERR_VALIDATION: 'request.invalid',
};

export async function buildServer(rt: Runtime): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: rt.log.child({ component: 'http' }) as FastifyBaseLogger,
    // One line per request is noise at MTA-check rates; the routes log what matters.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: rt.config.maxReportBytes,
    trustProxy: rt.config.trustProxy,
    // Slow clients (a slowloris, a stalled upload) must not hold sockets for ever: the whole
    // request within requestTimeout (Node checks every 30 s), and no silence over idleTimeout,
    // in a request or between two.
    requestTimeout: rt.config.http.requestTimeoutMs,
    connectionTimeout: rt.config.http.idleTimeoutMs,
    keepAliveTimeout: rt.config.http.idleTimeoutMs,
  });
  const authenticate = tokenAuthenticator(rt.database.sql);

  app.setErrorHandler((e, req, reply) => {
    const err = e as FastifyError;
    let code: string;
    let message: string;
    if (isReputeError(e)) {
      code = e.code;
      message = e.message;
    } else if (clientWentAway(err, req)) {
      // The client hung up mid-request: nothing to answer, nothing of ours broke.
      req.log.info({ url: req.url.slice(0, 200) }, 'client closed the connection mid-request');
      return reply.status(statusForCode('request.aborted')).send({
        error: { code: 'request.aborted', message: 'The request was cut off before it was complete.' },
      });
    } else if (typeof err.code === 'string' && FASTIFY_CODES[err.code]) {
      code = FASTIFY_CODES[err.code]!;
      message =
        code === 'report.too_large'
          ? `The message is larger than ${rt.config.maxReportBytes} bytes.`
          : code === 'report.unsupported_type'
            ? 'Send the raw message as message/rfc822, multipart/report or application/octet-stream.'
            : err.message;
    } else {
      code = 'internal';
      message = 'Something went wrong on our side; it has been logged.';
    }
    const status = statusForCode(code);
    // A 503 is an outage the caller is told to ride out, not a bug.
    if (status === 503)
      req.log.warn({ code, err: (err as Error).message }, 'request refused: dependency down');
    else if (status >= 500) req.log.error({ err, code }, 'request failed');
    const retry = RETRY_AFTER_SECONDS[code];
    if (retry) reply.header('retry-after', String(retry));
    return reply.status(status).send({ error: { code, message } });
  });
  // JSON schemas coerce `?before=1e30` to a number that passes `type: integer` (and `1e309`
  // to Infinity, which passes `maximum` too); no id, cursor or limit is beyond 2^53.
  app.addHook('preHandler', async (req) => {
    for (const [where, values] of [
      ['querystring', req.query],
      ['params', req.params],
    ] as const) {
      if (typeof values !== 'object' || values === null) continue;
      for (const [name, value] of Object.entries(values)) {
        if (
          typeof value === 'number' &&
          (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER)
        ) {
          throw new ReputeError('request.invalid', `${where}/${name} is out of range.`);
        }
      }
    }
  });
  app.setNotFoundHandler((req, reply) => {
    // People reach the pages from links and bookmarks: they get a page, the API gets JSON.
    if (/^\/(review|delist)(\/|$|\?)/.test(req.url)) {
      const page = req.url.startsWith('/review')
        ? errorPage('Not found', 'There is no such page of the review desk.', null, '/review')
        : messagePage(
            'Not found',
            html`There is no such page. <a href="/delist">Back to the form</a>`,
            'bad',
          );
      return reply
        .status(404)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header(
          'content-security-policy',
          "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        .header('x-frame-options', 'DENY')
        .header('x-content-type-options', 'nosniff')
        .send(page);
    }
    return reply.status(404).send({
      error: { code: 'request.not_found', message: `No route ${req.method} ${req.url.slice(0, 200)}.` },
    });
  });

  await registerOpenApi(app, rt.config.publicUrl);
  await app.register(healthRoutes, { rt });
  await app.register(homeRoutes);
  await app.register(metricsRoutes, { rt });
  await app.register(reportRoutes, { rt, authenticate });
  await app.register(checkRoutes, { rt, authenticate });
  await app.register(subjectRoutes, { rt, authenticate });
  await app.register(eventRoutes, { rt, authenticate });
  await app.register(actionRoutes, { rt, authenticate });
  await app.register(volumeRoutes, { rt, authenticate });
  await app.register(reviewApiRoutes, { rt, authenticate });
  await app.register(webRoutes, { rt });
  return app;
}
