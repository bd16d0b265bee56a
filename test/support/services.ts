import { createConnection } from 'node:net';

export interface Services {
  postgresUrl: string;
  redisUrl: string;
  stop: () => Promise<void>;
}

function answers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function resolveServices(): Promise<Services> {
  const stops: Array<() => Promise<unknown>> = [];
  let postgresUrl = process.env.DATABASE_URL;
  let redisUrl = process.env.REDIS_URL;
  if (!postgresUrl && (await answers('127.0.0.1', 5432)))
    postgresUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
  if (!redisUrl && (await answers('127.0.0.1', 6379))) redisUrl = 'redis://127.0.0.1:6379';
  if (!postgresUrl || !redisUrl) {
    // Only on a machine with Docker and without local services.
    const { GenericContainer, Wait } = await import('testcontainers');
    if (!postgresUrl) {
      const pg = await new GenericContainer('postgres:16-alpine')
        .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
        .withExposedPorts(5432)
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
        .start();
      stops.push(() => pg.stop());
      postgresUrl = `postgres://postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/postgres`;
    }
    if (!redisUrl) {
      const redis = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
      stops.push(() => redis.stop());
      redisUrl = `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`;
    }
  }
  return {
    postgresUrl,
    redisUrl,
    stop: async () => {
      for (const s of stops) await s();
    },
  };
}
