import { readFileSync } from 'node:fs';
import { loadConfig } from '../config.ts';
import { runMigrations } from '../db/migrate.ts';
import { isReputeError } from '../errors.ts';
import { createLogger } from '../log.ts';
import { addDomain, addSendingIp, addTenant } from '../platform/directory.ts';
import { openRuntime, type Runtime } from '../runtime.ts';
import { createToken, listTokens, ROLES, type Role, revokeToken } from '../tokens.ts';
import { readArgs, requiredOption, UsageError, wholeNumber } from './arguments.ts';
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
import { reachPostgres, reachRedis } from './reach-services.ts';
import { runServices } from './run-services.ts';
import { printTopScores } from './scores-top.ts';
import { USAGE } from './usage.ts';

/**
 * Exit statuses, the same for every command: 0 done (or stopped cleanly), 1 it failed
 * (bad environment, a service unreachable, a refusal, a stop cut off), 2 the command
 * line is wrong (the message says what, the usage follows).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

interface Command<A> {
  /** As `repute --help` writes it, without the `repute `. */
  usage: string;
  /** Checked before it runs (every command needs Postgres). */
  needsRedis?: boolean;
  /** Runs until stopped, logging at LOG_LEVEL (the others only warn). */
  longRunning?: boolean;
  /** Reads the command line; throws UsageError before anything is connected. */
  args(argv: string[]): A;
  run(rt: Runtime, args: A): Promise<number>;
}
const command = <A>(c: Command<A>): Command<unknown> => c as Command<unknown>;
const noArgs = (argv: string[]) => void readArgs(argv, {});
/** Status 0 once it has run. */
const done = async (work: Promise<unknown>): Promise<number> => {
  await work;
  return EXIT.ok;
};
/** A command without arguments that prints a list. */
const listing = (usage: string, print: (rt: Runtime) => Promise<void>) =>
  command({ usage, args: noArgs, run: (rt) => done(print(rt)) });

const COMMANDS: Record<string, Command<unknown>> = {
  migrate: command({
    usage: 'migrate',
    args: noArgs,
    run: async (rt) => {
      const { applied, total } = await runMigrations(rt.database);
      console.log(
        applied
          ? `${applied} migrations applied (${total} in all)`
          : `database up to date (${total} migrations)`,
      );
      return EXIT.ok;
    },
  }),
  'tenant add': command({
    usage: 'tenant add ID --name NAME [--domain D]... [--contact EMAIL]',
    args: (argv) => {
      const { values, positionals } = readArgs(
        argv,
        { name: { type: 'string' }, domain: { type: 'string', multiple: true }, contact: { type: 'string' } },
        ['ID'],
      );
      return {
        id: positionals[0]!,
        name: requiredOption(values, 'name'),
        domains: values.domain as string[] | undefined,
        contactEmail: values.contact as string | undefined,
      };
    },
    run: async (rt, tenant) => {
      await addTenant(rt.database.db, tenant);
      console.log(`tenant ${tenant.id} added`);
      return EXIT.ok;
    },
  }),
  'domain add': command({
    usage: 'domain add TENANT DOMAIN',
    args: (argv) => readArgs(argv, {}, ['TENANT', 'DOMAIN']).positionals as [string, string],
    run: async (rt, [tenant, domain]) => {
      await addDomain(rt.database.db, tenant, domain);
      console.log(`${domain} registered to ${tenant}`);
      return EXIT.ok;
    },
  }),
  'ip add': command({
    usage: 'ip add IP (--tenant ID | --shared [--pool NAME])',
    args: (argv) => {
      const { values, positionals } = readArgs(
        argv,
        { tenant: { type: 'string' }, shared: { type: 'boolean' }, pool: { type: 'string' } },
        ['IP'],
      );
      const tenant = values.tenant as string | undefined;
      if (tenant && values.shared) throw new UsageError('--tenant and --shared: give one, not both');
      if (!tenant && !values.shared)
        throw new UsageError('--tenant ID (a dedicated IP) or --shared is missing');
      return { ip: positionals[0]!, tenant, pool: values.pool as string | undefined };
    },
    run: async (rt, { ip, tenant, pool }) => {
      const added = await addSendingIp(rt.database.db, ip, { tenantId: tenant, pool });
      console.log(`${added} added ${tenant ? `for tenant ${tenant}` : 'to the shared pool'}`);
      return EXIT.ok;
    },
  }),
  'token create': command({
    usage: `token create --role (${ROLES.join('|')}) --name NAME`,
    args: (argv) => {
      const { values } = readArgs(argv, { role: { type: 'string' }, name: { type: 'string' } });
      const role = requiredOption(values, 'role', `--role (${ROLES.join('|')})`);
      if (!ROLES.includes(role as Role))
        throw new UsageError(`--role "${role}" is not one of ${ROLES.join(', ')}`);
      return { role: role as Role, name: requiredOption(values, 'name') };
    },
    run: async (rt, { role, name }) => {
      console.log(await createToken(rt.database.sql, role, name));
      return EXIT.ok;
    },
  }),
  'token list': command({
    usage: 'token list',
    args: noArgs,
    run: async (rt) => {
      for (const t of await listTokens(rt.database.sql)) {
        const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active';
        console.log(`${t.id}\t${t.role}\t${t.name}\tcreated ${t.createdAt.toISOString()}\t${state}`);
      }
      return EXIT.ok;
    },
  }),
  'token revoke': command({
    usage: 'token revoke ID   (the id from token list)',
    args: (argv) => wholeNumber(readArgs(argv, {}, ['ID']).positionals[0]!, 'ID (from token list)'),
    run: async (rt, id) => {
      if (!(await revokeToken(rt.database.sql, id))) {
        process.stderr.write(`repute: no active token with id ${id}\n`);
        return EXIT.failed;
      }
      console.log(`token ${id} revoked`);
      return EXIT.ok;
    },
  }),
  'dkim add': command({
    usage: 'dkim add DOMAIN SELECTOR PUBLIC_KEY_FILE',
    args: (argv) =>
      readArgs(argv, {}, ['DOMAIN', 'SELECTOR', 'PUBLIC_KEY_FILE']).positionals as [string, string, string],
    run: (rt, [domain, selector, file]) => done(printDkimKeyAdded(rt, domain, selector, file)),
  }),
  'dkim list': listing('dkim list', printDkimKeys),
  'dkim remove': command({
    usage: 'dkim remove DOMAIN SELECTOR',
    args: (argv) => readArgs(argv, {}, ['DOMAIN', 'SELECTOR']).positionals as [string, string],
    run: (rt, [domain, selector]) => printDkimKeyRemoved(rt, domain, selector),
  }),
  'partner add': command({
    usage: 'partner add NAME --domain D [--domain D]...',
    args: (argv) => {
      const { values, positionals } = readArgs(argv, { domain: { type: 'string', multiple: true } }, [
        'NAME',
      ]);
      const domains = (values.domain as string[] | undefined) ?? [];
      if (domains.length === 0)
        throw new UsageError('--domain D is missing (the domain that signs its reports)');
      return { name: positionals[0]!, domains };
    },
    run: (rt, { name, domains }) => done(printPartnerAdded(rt, name, domains)),
  }),
  'partner list': listing('partner list', printPartners),
  'partner remove': command({
    usage: 'partner remove NAME',
    args: (argv) => readArgs(argv, {}, ['NAME']).positionals[0]!,
    run: (rt, name) => printPartnerRemoved(rt, name),
  }),
  import: command({
    usage: 'import PATH [--reporter NAME]',
    needsRedis: true,
    args: (argv) => {
      const { values, positionals } = readArgs(argv, { reporter: { type: 'string' } }, ['PATH']);
      return { path: positionals[0]!, reporter: (values.reporter as string | undefined) ?? null };
    },
    run: (rt, { path, reporter }) => done(importReports(rt, path, reporter)),
  }),
  'scores top': command({
    usage: 'scores top [--ips|--tenants] [--limit N] [--order complaints|rate]',
    args: (argv) => {
      const { values } = readArgs(argv, {
        ips: { type: 'boolean' },
        tenants: { type: 'boolean' },
        limit: { type: 'string' },
        order: { type: 'string' },
      });
      if (values.ips && values.tenants) throw new UsageError('--ips and --tenants: give one, not both');
      const order = (values.order ?? 'complaints') as string;
      if (order !== 'complaints' && order !== 'rate') {
        throw new UsageError(`--order "${order}" is not one of complaints, rate`);
      }
      const limit = values.limit === undefined ? 20 : wholeNumber(values.limit as string, '--limit', 1000);
      return { type: values.tenants ? ('tenant' as const) : ('ip' as const), order, limit } as const;
    },
    run: (rt, opts) => done(printTopScores(rt, opts)),
  }),
  'webhook add': command({
    usage: 'webhook add URL [--secret S] [--events ip.blocked,...]',
    args: (argv) => {
      const { values, positionals } = readArgs(
        argv,
        { secret: { type: 'string' }, events: { type: 'string' } },
        ['URL'],
      );
      const events =
        typeof values.events === 'string' ? values.events.split(',').map((e) => e.trim()) : undefined;
      return { url: positionals[0]!, secret: values.secret as string | undefined, events };
    },
    run: (rt, input) => done(printWebhookAdded(rt, input)),
  }),
  'webhook list': listing('webhook list', printWebhooks),
  'webhook remove': command({
    usage: 'webhook remove ID',
    args: (argv) => wholeNumber(readArgs(argv, {}, ['ID']).positionals[0]!, 'ID (from webhook list)'),
    run: (rt, id) => done(printWebhookRemoved(rt, id)),
  }),
  'dnsbl export': command({
    usage: 'dnsbl export [--out FILE] [--format combined|ip4set|ip6trie]',
    args: (argv) => {
      const { values } = readArgs(argv, { out: { type: 'string' }, format: { type: 'string' } });
      const format = values.format as string | undefined;
      if (format !== undefined && !['combined', 'ip4set', 'ip6trie'].includes(format)) {
        throw new UsageError(`--format "${format}" is not one of combined, ip4set, ip6trie`);
      }
      return { out: values.out as string | undefined, format: format as never };
    },
    run: (rt, opts) => done(exportDnsblZone(rt, opts)),
  }),
  serve: command({
    usage: 'serve',
    needsRedis: true,
    longRunning: true,
    args: noArgs,
    run: (rt) => runServices(rt, { http: true, workers: false }),
  }),
  work: command({
    usage: 'work',
    needsRedis: true,
    longRunning: true,
    args: noArgs,
    // Its event loop serves nothing: the workers run in it unless WORKER_PROCESSES says to fork.
    run: (rt) =>
      runServices(rt, { http: false, workers: true, workerProcesses: rt.config.workerProcesses ?? 0 }),
  }),
  imap: command({
    usage: 'imap',
    needsRedis: true,
    longRunning: true,
    args: noArgs,
    run: (rt) => runServices(rt, { http: false, workers: false, mailbox: true }),
  }),
  start: command({
    usage: 'start',
    needsRedis: true,
    longRunning: true,
    args: noArgs,
    run: async (rt) => {
      if (rt.config.runMigrations) {
        const { applied, total } = await runMigrations(rt.database);
        rt.log.info(
          { applied, total },
          applied
            ? `database migrated: ${applied} migrations applied`
            : 'database up to date: no migrations to apply',
        );
      } else {
        rt.log.info('migrations not run (RUN_MIGRATIONS=false)');
      }
      // One worker process by default: parsing stays off the event loop that answers /v1/check.
      return runServices(rt, {
        http: true,
        workers: true,
        mailbox: rt.config.imap.url !== null,
        workerProcesses: rt.config.workerProcesses ?? 1,
      });
    },
  }),
};

const version = (): string =>
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;

/** The commands starting with a word (`token` → token create, token list, token revoke). */
const group = (word: string) => Object.keys(COMMANDS).filter((name) => name.startsWith(`${word} `));

function usageFailure(name: string, message: string): number {
  process.stderr.write(
    `repute ${name}: ${message}\nUsage: repute ${COMMANDS[name]!.usage}\n(repute --help lists every command)\n`,
  );
  return EXIT.usage;
}

/** Runs one command; returns the exit status (long-running commands resolve when stopped). */
export async function main(argv: string[]): Promise<number> {
  const [first = '', second = ''] = argv;
  if (['help', '--help', '-h'].includes(first)) {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (['--version', '-V', 'version'].includes(first)) {
    console.log(`repute ${version()}`);
    return EXIT.ok;
  }
  if (argv.length === 0) {
    process.stderr.write(`repute: a command is missing\n\n${USAGE}`);
    return EXIT.usage;
  }
  const two = `${first} ${second}`;
  const [name, rest] = COMMANDS[two] ? [two, argv.slice(2)] : [first, argv.slice(1)];
  const cmd = COMMANDS[name];
  if (!cmd) {
    const subcommands = group(first);
    if (subcommands.length) {
      const what = second ? `"${second}" is not a ${first} command` : 'what to do is missing';
      const lines = subcommands.map((s) => `  repute ${COMMANDS[s]!.usage}`).join('\n');
      process.stderr.write(`repute ${first}: ${what}\nUsage:\n${lines}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`repute: unknown command "${argv.join(' ')}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`Usage: repute ${cmd.usage}`);
    return EXIT.ok;
  }

  let rt: Runtime | undefined;
  try {
    const args = cmd.args(rest);
    const config = loadConfig();
    rt = openRuntime(config, createLogger(cmd.longRunning ? config.logLevel : 'warn'));
    await reachPostgres(rt.database.sql, config.databaseUrl);
    if (cmd.needsRedis) await reachRedis(rt.redis, config);
    return await cmd.run(rt, args);
  } catch (err) {
    if (err instanceof UsageError) return usageFailure(name, err.message);
    const message = isReputeError(err) ? `${err.code}: ${err.message}` : (err as Error).message;
    process.stderr.write(`repute: ${message}\n`);
    return EXIT.failed;
  } finally {
    if (rt) await rt.close();
  }
}
