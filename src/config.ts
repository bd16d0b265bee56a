import { z } from 'zod';
import { ReputeError } from './errors.ts';

/** Environment → typed Config, validated once. Nothing else in Repute reads process.env. */
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const schema = z.object({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/repute'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:{}.-]+$/, 'letters, digits and _ : { } . - only')
    .default('repute'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  MAX_REPORT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  TENANT_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'a header field name')
    .default('X-Repute-Tenant'),
  PUBLIC_URL: z.string().url().default('http://localhost:8080'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(16),
  /** Number of worker processes `repute work` / `repute start` fork (0 = run in this process). */
  WORKER_PROCESSES: z.coerce.number().int().min(0).max(64).default(0),
  RUN_MIGRATIONS: bool.default(true),
});

export type Config = {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  port: number;
  host: string;
  maxReportBytes: number;
  tenantHeader: string;
  publicUrl: string;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  workerConcurrency: number;
  workerProcesses: number;
  runMigrations: boolean;
};

/** Builds the config from an environment; throws `config.invalid` naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ReputeError('config.invalid', `Bad environment: ${problems}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    port: e.PORT,
    host: e.HOST,
    maxReportBytes: e.MAX_REPORT_BYTES,
    tenantHeader: e.TENANT_HEADER.toLowerCase(),
    publicUrl: e.PUBLIC_URL.replace(/\/+$/, ''),
    logLevel: e.LOG_LEVEL,
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerProcesses: e.WORKER_PROCESSES,
    runMigrations: e.RUN_MIGRATIONS,
  };
}
