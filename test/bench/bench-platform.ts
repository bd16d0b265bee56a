import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { loadConfig } from '../../src/config.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/log.ts';
import { addSendingIp, addTenant } from '../../src/platform/directory.ts';
import { openRuntime, type Runtime } from '../../src/runtime.ts';
import { deleteRedisPrefix } from '../support/redis-prefix.ts';
import { resolveServices } from '../support/services.ts';

export interface BenchPlatform {
  /** The environment for `repute` processes: this database, a Redis prefix of its own, `port`. */
  env: Record<string, string | undefined>;
  port: number;
  rt: Runtime;
  /** Closes the runtime and drops the database. */
  close(): Promise<void>;
}

/**
 * A database of its own, migrated, with 20 tenants (`tenantN`, `tenantN.example`), each
 * with a dedicated IP 198.51.100.(N+1): what the benchmarks post reports about.
 */
export async function benchPlatform(extraEnv: Record<string, string | undefined>): Promise<BenchPlatform> {
  const services = await resolveServices();
  const dbName = `repute_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(services.postgresUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  const dbUrl = new URL(services.postgresUrl);
  dbUrl.pathname = `/${dbName}`;
  const port = 18000 + Math.floor(Math.random() * 2000);
  const env = {
    ...process.env,
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: services.redisUrl,
    REDIS_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const rt = openRuntime(loadConfig(env), createLogger('warn'));
  await runMigrations(rt.database);
  for (let t = 0; t < 20; t++) {
    await addTenant(rt.database.db, {
      id: `tenant${t}`,
      name: `Tenant ${t}`,
      domains: [`tenant${t}.example`],
    });
    await addSendingIp(rt.database.db, `198.51.100.${t + 1}`, { tenantId: `tenant${t}` });
  }
  return {
    env,
    port,
    rt,
    close: async () => {
      await deleteRedisPrefix(rt.redis, rt.config.redisPrefix).catch(() => {});
      await rt.close();
      await admin.unsafe(`drop database if exists ${dbName} with (force)`);
      await admin.end();
      await services.stop();
    },
  };
}
