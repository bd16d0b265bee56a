import { type ParseArgsConfig, parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { runMigrations } from '../db/migrate.ts';
import { isReputeError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { addDomain, addSendingIp, addTenant } from '../platform/directory.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { createToken, listTokens, ROLES, type Role, revokeToken } from '../tokens.ts';
import { exportDnsblZone, printWebhookAdded, printWebhookRemoved, printWebhooks } from './event-commands.ts';
import {
  printDkimKeyAdded,
  printDkimKeyRemoved,
  printDkimKeys,
  printPartnerAdded,
  printPartnerRemoved,
  printPartners,
} from './evidence-commands.ts';
import { importReports } from './import-reports.ts';
import { runServices } from './run-services.ts';
import { printTopScores } from './scores-top.ts';
import { USAGE } from './usage.ts';

class UsageError extends Error {}

type Handler = (rt: Runtime, args: string[]) => Promise<number | 'running'>;

const parse = (
  args: string[],
  options: ParseArgsConfig['options'],
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } => {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true }) as never;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
};

const COMMANDS: Record<string, Handler> = {
  migrate: async (rt) => {
    await runMigrations(rt.database);
    console.log('migrations applied');
    return 0;
  },
  'tenant add': async (rt, args) => {
    const { values, positionals } = parse(args, {
      name: { type: 'string' },
      domain: { type: 'string', multiple: true },
      contact: { type: 'string' },
    });
    const [id] = positionals;
    if (!id || positionals.length > 1 || typeof values.name !== 'string')
      throw new UsageError('tenant add ID --name NAME');
    await addTenant(rt.database.db, {
      id,
      name: values.name,
      domains: values.domain as string[] | undefined,
      contactEmail: values.contact as string | undefined,
    });
    console.log(`tenant ${id} added`);
    return 0;
  },
  'domain add': async (rt, args) => {
    const { positionals } = parse(args, {});
    const [tenant, domain] = positionals;
    if (!tenant || !domain || positionals.length > 2) throw new UsageError('domain add TENANT DOMAIN');
    await addDomain(rt.database.db, tenant, domain);
    console.log(`${domain} registered to ${tenant}`);
    return 0;
  },
  'ip add': async (rt, args) => {
    const { values, positionals } = parse(args, {
      tenant: { type: 'string' },
      shared: { type: 'boolean' },
      pool: { type: 'string' },
    });
    const [ip] = positionals;
    const tenant = values.tenant as string | undefined;
    if (!ip || positionals.length > 1 || Boolean(tenant) === Boolean(values.shared)) {
      throw new UsageError('ip add IP (--tenant ID | --shared [--pool NAME])');
    }
    const added = await addSendingIp(rt.database.db, ip, {
      tenantId: tenant,
      pool: values.pool as string | undefined,
    });
    console.log(`${added} added ${tenant ? `for tenant ${tenant}` : 'to the shared pool'}`);
    return 0;
  },
  'token create': async (rt, args) => {
    const { values, positionals } = parse(args, { role: { type: 'string' }, name: { type: 'string' } });
    const role = values.role as Role | undefined;
    if (positionals.length || !role || !ROLES.includes(role) || typeof values.name !== 'string') {
      throw new UsageError(`token create --role (${ROLES.join('|')}) --name NAME`);
    }
    console.log(await createToken(rt.database.sql, role, values.name));
    return 0;
  },
  'token list': async (rt, args) => {
    if (parse(args, {}).positionals.length) throw new UsageError('token list');
    for (const t of await listTokens(rt.database.sql)) {
      const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active';
      console.log(`${t.id}\t${t.role}\t${t.name}\tcreated ${t.createdAt.toISOString()}\t${state}`);
    }
    return 0;
  },
  'token revoke': async (rt, args) => {
    const [id, ...rest] = parse(args, {}).positionals;
    if (!id || rest.length || !/^\d+$/.test(id))
      throw new UsageError('token revoke ID   (the id from token list)');
    if (!(await revokeToken(rt.database.sql, Number(id)))) {
      process.stderr.write(`repute: no active token with id ${id}\n`);
      return 1;
    }
    console.log(`token ${id} revoked`);
    return 0;
  },
  'dkim add': async (rt, args) => {
    const { positionals } = parse(args, {});
    const [domain, selector, file] = positionals;
    if (!domain || !selector || !file || positionals.length > 3)
      throw new UsageError('dkim add DOMAIN SELECTOR PUBLIC_KEY_FILE');
    await printDkimKeyAdded(rt, domain, selector, file);
    return 0;
  },
  'dkim list': async (rt, args) => {
    if (parse(args, {}).positionals.length) throw new UsageError('dkim list');
    await printDkimKeys(rt);
    return 0;
  },
  'dkim remove': async (rt, args) => {
    const { positionals } = parse(args, {});
    const [domain, selector] = positionals;
    if (!domain || !selector || positionals.length > 2) throw new UsageError('dkim remove DOMAIN SELECTOR');
    return printDkimKeyRemoved(rt, domain, selector);
  },
  'partner add': async (rt, args) => {
    const { values, positionals } = parse(args, { domain: { type: 'string', multiple: true } });
    const [name] = positionals;
    const domains = (values.domain as string[] | undefined) ?? [];
    if (!name || positionals.length > 1 || domains.length === 0)
      throw new UsageError('partner add NAME --domain D [--domain D]...');
    await printPartnerAdded(rt, name, domains);
    return 0;
  },
  'partner list': async (rt, args) => {
    if (parse(args, {}).positionals.length) throw new UsageError('partner list');
    await printPartners(rt);
    return 0;
  },
  'partner remove': async (rt, args) => {
    const { positionals } = parse(args, {});
    if (positionals.length !== 1) throw new UsageError('partner remove NAME');
    return printPartnerRemoved(rt, positionals[0]!);
  },
  import: async (rt, args) => {
    const { values, positionals } = parse(args, { reporter: { type: 'string' } });
    const [path] = positionals;
    if (!path || positionals.length > 1) throw new UsageError('import PATH [--reporter NAME]');
    await importReports(rt, path, (values.reporter as string | undefined) ?? null);
    return 0;
  },
  'scores top': async (rt, args) => {
    const { values, positionals } = parse(args, {
      ips: { type: 'boolean' },
      tenants: { type: 'boolean' },
      limit: { type: 'string' },
      order: { type: 'string' },
    });
    const limit = Number(values.limit ?? 20);
    const order = (values.order ?? 'complaints') as string;
    if (
      positionals.length ||
      (values.ips && values.tenants) ||
      !Number.isInteger(limit) ||
      limit < 1 ||
      limit > 1000 ||
      !['complaints', 'rate'].includes(order)
    ) {
      throw new UsageError('scores top [--ips|--tenants] [--limit N] [--order complaints|rate]');
    }
    await printTopScores(rt, {
      type: values.tenants ? 'tenant' : 'ip',
      order: order as 'complaints' | 'rate',
      limit,
    });
    return 0;
  },
  'webhook add': async (rt, args) => {
    const { values, positionals } = parse(args, { secret: { type: 'string' }, events: { type: 'string' } });
    const [url] = positionals;
    if (!url || positionals.length > 1)
      throw new UsageError('webhook add URL [--secret S] [--events ip.blocked,...]');
    const events =
      typeof values.events === 'string' ? values.events.split(',').map((e) => e.trim()) : undefined;
    await printWebhookAdded(rt, { url, secret: values.secret as string | undefined, events });
    return 0;
  },
  'webhook list': async (rt, args) => {
    if (parse(args, {}).positionals.length) throw new UsageError('webhook list');
    await printWebhooks(rt);
    return 0;
  },
  'webhook remove': async (rt, args) => {
    const { positionals } = parse(args, {});
    const id = Number(positionals[0]);
    if (positionals.length !== 1 || !Number.isSafeInteger(id) || id < 1)
      throw new UsageError('webhook remove ID');
    await printWebhookRemoved(rt, id);
    return 0;
  },
  'dnsbl export': async (rt, args) => {
    const { values, positionals } = parse(args, { out: { type: 'string' }, format: { type: 'string' } });
    const format = values.format as string | undefined;
    if (positionals.length || (format !== undefined && !['combined', 'ip4set', 'ip6trie'].includes(format))) {
      throw new UsageError('dnsbl export [--out FILE] [--format combined|ip4set|ip6trie]');
    }
    await exportDnsblZone(rt, { out: values.out as string | undefined, format: format as never });
    return 0;
  },
  serve: async (rt, args) => {
    parse(args, {});
    await runServices(rt, { http: true, workers: false });
    return 'running';
  },
  work: async (rt, args) => {
    parse(args, {});
    await runServices(rt, { http: false, workers: true });
    return 'running';
  },
  imap: async (rt, args) => {
    parse(args, {});
    await runServices(rt, { http: false, workers: false, mailbox: true });
    return 'running';
  },
  start: async (rt, args) => {
    parse(args, {});
    if (rt.config.runMigrations) await runMigrations(rt.database);
    await runServices(rt, { http: true, workers: true, mailbox: rt.config.imap.url !== null });
    return 'running';
  },
};

/** Runs one command; returns the exit code (long-running commands resolve when stopped). */
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write(USAGE);
    return argv.length === 0 ? 1 : 0;
  }
  const two = `${argv[0]} ${argv[1] ?? ''}`;
  const [name, rest] = COMMANDS[two] ? [two, argv.slice(2)] : [argv[0]!, argv.slice(1)];
  const handler = COMMANDS[name];
  if (!handler) {
    process.stderr.write(`repute: unknown command "${argv.join(' ')}"\n\n${USAGE}`);
    return 2;
  }
  let rt: Runtime | undefined;
  try {
    const config = loadConfig();
    const quiet = !['serve', 'work', 'imap', 'start'].includes(name);
    rt = openRuntime(config, createLogger(quiet ? 'warn' : config.logLevel));
    const result = await handler(rt, rest);
    if (result === 'running') return await new Promise<number>(() => {});
    return result;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`repute: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    const message = isReputeError(err) ? `${err.code}: ${err.message}` : (err as Error).message;
    process.stderr.write(`repute: ${message}\n`);
    return 1;
  } finally {
    // Long-running commands only get here when they failed to start: close, or the process hangs.
    if (rt) await rt.close();
  }
}
