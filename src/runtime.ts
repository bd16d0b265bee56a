import type { Redis } from 'ioredis';
import type { Config } from './config.ts';
import { connectDatabase, type Database } from './db/client.ts';
import { type ProofSources, proofSourcesLoader, readPlatformKeyFile } from './evidence/proof-sources.ts';
import { createIntake, type Intake } from './intake/accept-message.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { openQueues, producerConnection, type Queues } from './queues.ts';
import type { Policy } from './reputation/policy.ts';
import { loadPolicy } from './reputation/policy-file.ts';

/** The long-lived things a process shares: one pool, one producer connection, the queues. */
export interface Runtime {
  config: Config;
  log: Logger;
  database: Database;
  redis: Redis;
  queues: Queues;
  /** Store-then-enqueue, batched across concurrent callers. */
  intake: Intake;
  metrics: Metrics;
  policy: Policy;
  /** The platform's DKIM keys and the partners' domains, re-read from Postgres every few seconds. */
  proofSources: () => Promise<ProofSources>;
  close(): Promise<void>;
}

export function openRuntime(config: Config, log: Logger = createLogger(config.logLevel)): Runtime {
  // Before any connection: a bad policy file stops the process at once.
  const policy = loadPolicy(config.policyFile);
  const platformKeys = readPlatformKeyFile(config.dkim.platformKeysFile);
  // Batching keeps the connections needed few: reads, a transaction or two, intake.
  const database = connectDatabase(config.databaseUrl, { max: 10 });
  const redis = producerConnection(config.redisUrl);
  // ioredis reports every failed reconnect; one line per outage state is enough. Before
  // Redis was first ready there is no outage to report: the commands that need Redis
  // check it at start (src/cli/reach-services.ts) and say so in one line.
  let redisUp = false;
  let redisDown = false;
  redis.on('error', (err) => {
    if (redisUp && !redisDown) log.warn({ err: err.message }, 'redis unavailable');
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisUp && redisDown) log.info('redis available again');
    redisUp = true;
    redisDown = false;
  });
  const queues = openQueues(redis, config.redisPrefix);
  let closing: Promise<void> | undefined;
  return {
    config,
    log,
    database,
    redis,
    queues,
    intake: createIntake({ sql: database.sql, queues, log }),
    metrics: createMetrics(queues),
    policy,
    proofSources: proofSourcesLoader(database.sql, platformKeys, {
      servers: config.dkim.dnsServers,
      timeoutMs: config.dkim.dnsTimeoutMs,
    }),
    close: () => {
      closing ??= (async () => {
        await queues.close();
        redis.disconnect();
        await database.close();
      })();
      return closing;
    },
  };
}
