import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ReputeError } from './errors.ts';

/** Environment → typed Config, validated once. Nothing else in Repute reads process.env. */
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const schema = z.object({
  DATABASE_URL: z
    .string()
    .regex(
      /^postgres(ql)?:\/\/[^/?#]+/i,
      'must be a postgres:// URL, e.g. postgres://postgres@127.0.0.1:5432/repute',
    )
    .default('postgres://postgres@127.0.0.1:5432/repute'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/[^/?#]*/i, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379')
    .default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:{}.-]+$/, 'letters, digits and _ : { } . - only')
    .default('{repute}'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  /** A request (headers and body) must arrive within this; slow clients do not hold sockets for ever. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /**
   * A connection silent for this long is closed, mid-request or between requests (keep-alive).
   * Longer than the 60 s idle timeout of the usual load balancers, so they never reuse a
   * connection the server is closing.
   */
  HTTP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(72_000),
  MAX_REPORT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  TENANT_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'a header field name')
    .default('X-Repute-Tenant'),
  /** Where people reach this server (NDR texts, delist links, cookies); unset = http://localhost:PORT. */
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(200),
  /**
   * Worker processes `repute work` / `repute start` fork (0 = the workers run in this process).
   * Unset: `start` forks one, so parsing never runs on the event loop that serves HTTP; `work` forks none.
   */
  WORKER_PROCESSES: z.coerce.number().int().min(0).max(64).optional(),
  /** How long a stop (SIGTERM, SIGINT, SIGHUP) may take before the process exits anyway, with status 1. */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(8),
  /**
   * Stop when the parent process goes away. npm and npx run a command through `sh -c`,
   * which dies on SIGTERM without passing it on: so on by default under npm.
   */
  STOP_WITH_PARENT: bool.optional(),
  /** Set by npm for the commands it runs (`npx repute start`, `npm start`). */
  npm_command: z.string().optional(),
  RUN_MIGRATIONS: bool.default(true),
  /**
   * Proxies whose X-Forwarded-For is believed (comma-separated addresses or CIDRs, or
   * `true` for any): the client address the delist limits count. Off by default, so a
   * client cannot pick its own address with a header.
   */
  TRUST_PROXY: z.string().default('false'),
  /** Keys for the signed tenant header, comma-separated: the first signs, all verify (rotation). */
  TENANT_HEADER_KEY: z.string().optional(),
  TENANT_HEADER_MAX_AGE_DAYS: z.coerce.number().min(1).max(365).default(30),
  /** Version 1 tenant headers (no m=, so replayable) still verify: for one release, while a platform moves to v2. */
  TENANT_HEADER_ACCEPT_V1: bool.default(false),
  /** A JSON file of the platform's DKIM public keys, beside those `repute dkim add` keeps in Postgres. */
  PLATFORM_DKIM_KEYS: z.string().optional(),
  /** Name servers for partners' DKIM keys (`host` or `host:port`, comma-separated); unset = the system's. */
  DKIM_DNS_SERVERS: z
    .string()
    .regex(/^[^,\s]+(,[^,\s]+)*$/, 'addresses, comma-separated')
    .optional(),
  DKIM_DNS_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(3000),
  /** A JSON file overriding parts of the reputation policy; validated at start. */
  POLICY_FILE: z.string().optional(),
  /** The abuse mailbox: imaps://user:pass@host:993/INBOX (imap:// only on loopback); unset = no poller. */
  IMAP_URL: z
    .string()
    .regex(/^imaps?:\/\//i, 'an imaps:// (or loopback imap://) URL')
    .optional(),
  /** OAuth2 access token (XOAUTH2), for Microsoft 365 and Gmail mailboxes; replaces the URL's password. */
  IMAP_ACCESS_TOKEN: z.string().optional(),
  /**
   * Seconds between polls when the server has no IDLE; also how often failed messages are moved
   * aside. At most 25 minutes: servers may log out a client silent for 30 (RFC 3501 section 5.4).
   */
  IMAP_POLL_SECONDS: z.coerce.number().int().min(1).max(1500).default(60),
  /** UIDs fetched per batch, so a full mailbox is never read into memory at once. */
  IMAP_BATCH: z.coerce.number().int().min(1).max(1000).default(100),
  IMAP_PROCESSED_FOLDER: z.string().min(1).default('Processed'),
  IMAP_FAILED_FOLDER: z.string().min(1).default('Failed'),
  /** Allow imap:// (no TLS) to a host that is not loopback. */
  IMAP_ALLOW_PLAIN: bool.default(false),
  /** Outgoing mail (delist links, tenant notices): smtp://host:25 or smtps://user:pass@host:465; unset = not sent, logged. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//i, 'an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Repute <repute@localhost>'),
  /** Signs review-desk session cookies and CSRF tokens; unset = a random one per process (sign in again after a restart). */
  SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  SESSION_HOURS: z.coerce.number().int().min(1).max(720).default(8),
  /** Delist form: submissions per window per client address, per e-mail address, and per IP and e-mail address together. */
  DELIST_RATE_WINDOW_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
  DELIST_MAX_PER_CLIENT: z.coerce.number().int().min(1).default(10),
  DELIST_MAX_PER_EMAIL: z.coerce.number().int().min(1).default(5),
  DELIST_MAX_PER_IP_EMAIL: z.coerce.number().int().min(1).default(3),
  /** Webhook deliveries: per-attempt timeout, attempts before giving up, exponential backoff base and cap. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).default(10_000),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(10).default(3_600_000),
  /** Where the rbldnsd zone of blocked IPs is rewritten on every block change; unset = not written. */
  DNSBL_ZONE_FILE: z.string().optional(),
  /** combined (ip4set + ip6trie, served as zone:combined:FILE), or one family alone. */
  DNSBL_ZONE_FORMAT: z.enum(['combined', 'ip4set', 'ip6trie']).default('combined'),
  /** The zone's name servers, comma-separated; with DNSBL_HOSTMASTER they make its $NS and $SOA. */
  DNSBL_NAMESERVERS: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(,[A-Za-z0-9.-]+)*$/, 'host names, comma-separated')
    .optional(),
  DNSBL_HOSTMASTER: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'a DNS name, e.g. hostmaster.example.com')
    .optional(),
  /** TTL of the zone's answers: short, so a delisting reaches resolvers soon. */
  DNSBL_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
});

export type Config = {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  port: number;
  host: string;
  maxReportBytes: number;
  http: { requestTimeoutMs: number; idleTimeoutMs: number };
  tenantHeader: string;
  tenantHeaderKeys: string[];
  tenantHeaderMaxAgeDays: number;
  tenantHeaderAcceptV1: boolean;
  dkim: { platformKeysFile: string | null; dnsServers: string[]; dnsTimeoutMs: number };
  policyFile: string | null;
  publicUrl: string;
  /** PUBLIC_URL was not set: publicUrl follows the port actually listened on. */
  publicUrlIsDefault: boolean;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  workerConcurrency: number;
  /** null: the command's default (`start` 1, `work` 0). */
  workerProcesses: number | null;
  shutdownTimeoutMs: number;
  stopWithParent: boolean;
  runMigrations: boolean;
  trustProxy: boolean | string[];
  imap: {
    url: string | null;
    accessToken: string | null;
    pollSeconds: number;
    batch: number;
    processedFolder: string;
    failedFolder: string;
    allowPlain: boolean;
  };
  mail: { smtpUrl: string | null; from: string };
  review: { sessionSecret: string; sessionHours: number };
  delist: { windowMinutes: number; maxPerClient: number; maxPerEmail: number; maxPerIpAndEmail: number };
  webhooks: { timeoutMs: number; maxAttempts: number; retryBaseMs: number; retryMaxMs: number };
  dnsbl: {
    zoneFile: string | null;
    format: 'combined' | 'ip4set' | 'ip6trie';
    nameservers: string[];
    hostmaster: string | null;
    ttlSeconds: number;
  };
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
    http: { requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS, idleTimeoutMs: e.HTTP_IDLE_TIMEOUT_MS },
    tenantHeader: e.TENANT_HEADER.toLowerCase(),
    tenantHeaderKeys: (e.TENANT_HEADER_KEY ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    tenantHeaderMaxAgeDays: e.TENANT_HEADER_MAX_AGE_DAYS,
    tenantHeaderAcceptV1: e.TENANT_HEADER_ACCEPT_V1,
    dkim: {
      platformKeysFile: e.PLATFORM_DKIM_KEYS ?? null,
      dnsServers: e.DKIM_DNS_SERVERS?.split(',') ?? [],
      dnsTimeoutMs: e.DKIM_DNS_TIMEOUT_MS,
    },
    policyFile: e.POLICY_FILE ?? null,
    publicUrl: (e.PUBLIC_URL ?? defaultPublicUrl(e.HOST, e.PORT)).replace(/\/+$/, ''),
    publicUrlIsDefault: e.PUBLIC_URL === undefined,
    logLevel: e.LOG_LEVEL,
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerProcesses: e.WORKER_PROCESSES ?? null,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    stopWithParent: e.STOP_WITH_PARENT ?? e.npm_command !== undefined,
    runMigrations: e.RUN_MIGRATIONS,
    trustProxy:
      e.TRUST_PROXY === 'true'
        ? true
        : e.TRUST_PROXY === 'false' || e.TRUST_PROXY === ''
          ? false
          : e.TRUST_PROXY.split(',')
              .map((s) => s.trim())
              .filter(Boolean),
    imap: {
      url: e.IMAP_URL ?? null,
      accessToken: e.IMAP_ACCESS_TOKEN ?? null,
      pollSeconds: e.IMAP_POLL_SECONDS,
      batch: e.IMAP_BATCH,
      processedFolder: e.IMAP_PROCESSED_FOLDER,
      failedFolder: e.IMAP_FAILED_FOLDER,
      allowPlain: e.IMAP_ALLOW_PLAIN,
    },
    mail: { smtpUrl: e.SMTP_URL ?? null, from: e.MAIL_FROM },
    review: {
      sessionSecret: e.SESSION_SECRET ?? randomBytes(32).toString('base64url'),
      sessionHours: e.SESSION_HOURS,
    },
    delist: {
      windowMinutes: e.DELIST_RATE_WINDOW_MINUTES,
      maxPerClient: e.DELIST_MAX_PER_CLIENT,
      maxPerEmail: e.DELIST_MAX_PER_EMAIL,
      maxPerIpAndEmail: e.DELIST_MAX_PER_IP_EMAIL,
    },
    webhooks: {
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: Math.max(e.WEBHOOK_RETRY_MAX_MS, e.WEBHOOK_RETRY_BASE_MS),
    },
    dnsbl: {
      zoneFile: e.DNSBL_ZONE_FILE ?? null,
      format: e.DNSBL_ZONE_FORMAT,
      nameservers: e.DNSBL_NAMESERVERS?.split(',') ?? [],
      hostmaster: e.DNSBL_HOSTMASTER ?? null,
      ttlSeconds: e.DNSBL_TTL_SECONDS,
    },
  };
}

/**
 * Where a browser on this machine reaches a server listening on host:port: localhost
 * for the loopback and wildcard addresses, else the address itself.
 */
export function defaultPublicUrl(host: string, port: number): string {
  const local = ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', ''].includes(host);
  const name = local ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/** The signed tenant header's settings, as attribution wants them. */
export const tenantHeaderPolicy = (c: Config) => ({
  name: c.tenantHeader,
  keys: c.tenantHeaderKeys,
  maxAgeDays: c.tenantHeaderMaxAgeDays,
  acceptV1: c.tenantHeaderAcceptV1,
});
