import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../src/config.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { buildServer } from '../../src/http/server.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { createToken, type Role } from '../../src/tokens.ts';
import { startEventWorker } from '../../workers/event-worker.ts';
import { startReportWorker } from '../../workers/report-worker.ts';
import { deleteRedisPrefix } from './redis-prefix.ts';

/** A database of its own, migrated, for one test file; dropped at the end. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = inject('postgresUrl');
  const name = `repute_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export interface TestEnv {
  rt: Runtime;
  config: Config;
  /** A fastify instance for inject() calls (no socket). */
  app: FastifyInstance;
  /** What a `repute` child process needs to share this file's database and Redis prefix. */
  processEnv: Record<string, string>;
  token(role: Role): Promise<string>;
  startWorkers(): () => Promise<void>;
  /** Waits until the workers are done with a message; its final status. */
  settled(id: number): Promise<string>;
  /** Waits until the workers are done with all these messages. */
  settledAll(ids: number[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Everything one test file needs: its own database and Redis prefix, a runtime, an
 * HTTP app, and real BullMQ workers on demand.
 */
export async function createTestEnv(
  env: Record<string, string> = {},
  options: { log?: Logger } = {},
): Promise<TestEnv> {
  const database = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: inject('redisUrl'),
    REDIS_PREFIX: `test-${randomBytes(6).toString('hex')}`,
    PUBLIC_URL: 'https://repute.test',
    WORKER_CONCURRENCY: '4',
    ...env,
  });
  const rt = openRuntime(config, options.log ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
  await runMigrations(rt.database);
  const app = await buildServer(rt);
  await app.ready();
  const workerStops: Array<() => Promise<void>> = [];
  return {
    rt,
    config,
    app,
    processEnv: {
      DATABASE_URL: config.databaseUrl,
      REDIS_URL: config.redisUrl,
      REDIS_PREFIX: config.redisPrefix,
    },
    token: (role) => createToken(rt.database.sql, role, `test-${role}`),
    settled: (id) =>
      waitFor(
        async () => {
          const [row] = await rt.database.sql<{ status: string }[]>`
            select status from inbound_messages where id = ${id}`;
          return row && row.status !== 'queued' ? row.status : null;
        },
        { what: `message ${id} processed` },
      ),
    settledAll: async (ids) => {
      await waitFor(
        async () => {
          const [row] = await rt.database.sql<{ n: number }[]>`
            select count(*)::int as n from inbound_messages where id = any(${ids}::bigint[]) and status = 'queued'`;
          return row?.n === 0;
        },
        { what: `${ids.length} messages processed` },
      );
    },
    startWorkers: () => {
      const reports = startReportWorker(rt);
      const events = startEventWorker(rt);
      const stop = async () => {
        await Promise.all([reports.close(), events.close()]);
      };
      workerStops.push(stop);
      return stop;
    },
    close: async () => {
      for (const s of workerStops) await s().catch(() => {});
      await app.close();
      await deleteRedisPrefix(rt.redis, config.redisPrefix).catch(() => {});
      await rt.close();
      await database.drop();
    },
  };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  { timeoutMs = 15_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
