import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { Sql } from '../db/client.ts';
import { ReputeError } from '../errors.ts';

/** A URL as it may be shown: the password replaced. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable)';
  }
}

const REFUSED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** What went wrong reaching Postgres, as one line naming DATABASE_URL and what to do. */
export function describePostgresFailure(err: unknown, databaseUrl: string): ReputeError {
  const e = err as { code?: string; message?: string };
  const where = `DATABASE_URL=${shownUrl(databaseUrl)}`;
  const reason = e.message ?? String(err);
  if (e.code === '3D000') {
    const u = new URL(databaseUrl);
    const name = decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username) || 'postgres';
    const user = u.username ? ` -U ${decodeURIComponent(u.username)}` : '';
    return new ReputeError(
      'database.missing',
      `${reason} (${where}): create it with \`createdb -h ${u.hostname} -p ${u.port || 5432}${user} ${name}\`, or point DATABASE_URL at another`,
    );
  }
  if (e.code === '28P01' || e.code === '28000') {
    return new ReputeError(
      'database.refused',
      `Postgres refused the login (${where}): ${reason}; fix the user or password in DATABASE_URL`,
    );
  }
  if ((e.code && REFUSED.has(e.code)) || e.code === 'CONNECT_TIMEOUT') {
    return new ReputeError(
      'database.unreachable',
      `cannot reach Postgres at ${where} (${reason}): start it, or set DATABASE_URL`,
    );
  }
  return new ReputeError('database.unavailable', `Postgres at ${where} failed: ${reason}`);
}

/** Postgres answers a query, or a ReputeError saying why not. */
export async function reachPostgres(sql: Sql, databaseUrl: string): Promise<void> {
  try {
    await sql`select 1`;
  } catch (err) {
    throw describePostgresFailure(err, databaseUrl);
  }
}

/**
 * Redis is ready, or a ReputeError naming REDIS_URL: the first connection error, or
 * none within the timeout (a host that drops packets).
 */
export function reachRedis(redis: Redis, config: Pick<Config, 'redisUrl'>, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  const where = `REDIS_URL=${shownUrl(config.redisUrl)}`;
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      if (!err) return resolve();
      const auth = /NOAUTH|WRONGPASS|NOPERM/.test(err.message);
      reject(
        auth
          ? new ReputeError(
              'redis.refused',
              `Redis refused the login (${where}): ${err.message}; fix the password in REDIS_URL`,
            )
          : new ReputeError(
              'redis.unreachable',
              `cannot reach Redis at ${where} (${err.message}): start it, or set REDIS_URL`,
            ),
      );
    };
    const onReady = () => done();
    const onError = (err: Error) => done(err);
    const timer = setTimeout(() => done(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs);
    redis.on('ready', onReady);
    redis.on('error', onError);
  });
}
