import type { TestProject } from 'vitest/node';
import { resolveServices } from './services.ts';

/**
 * Finds Postgres and Redis once for the whole run: DATABASE_URL / REDIS_URL when set,
 * else the local services when they answer, else containers (testcontainers).
 */
export default async function setup(project: TestProject) {
  const services = await resolveServices();
  project.provide('postgresUrl', services.postgresUrl);
  project.provide('redisUrl', services.redisUrl);
  return services.stop;
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    redisUrl: string;
  }
}
