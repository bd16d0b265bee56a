import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import { type TestEnv, waitFor } from './test-env.ts';

/**
 * A throw-away Dovecot for the mailbox tests: its own config, users and maildirs in a
 * temp dir, listening on a free loopback port without TLS. Installs the Debian package
 * (through install-dovecot.sh, as .ci/run does) when `dovecot` is missing.
 */
/** One mail account on the test server. */
export interface MailUser {
  user: string;
  password: string;
  /** The IMAP_URL the poller is given for this account. */
  url: string;
  /** A logged-in client of this user; the caller logs it out. */
  connect(): Promise<ImapFlow>;
  /** APPENDs messages to a folder (INBOX by default), in order. */
  append(messages: Array<Buffer | string>, folder?: string): Promise<void>;
  /** How many messages a folder holds (0 when it does not exist). */
  count(folder: string): Promise<number>;
}

export interface DovecotOptions {
  /**
   * Replaces the CAPABILITY list the server announces after login (Dovecot's
   * imap_capability), e.g. to play a server without IDLE or MOVE.
   */
  capabilities?: string;
  /**
   * Also take OAuth2 access tokens (SASL XOAUTH2 and OAUTHBEARER), checked by POSTing them
   * to this RFC 7662 introspection endpoint, as Microsoft 365 and Gmail take them.
   */
  oauth2IntrospectionUrl?: string;
}

/** The server, with its first account (`abuse`) at hand. */
export interface Dovecot extends MailUser {
  host: string;
  port: number;
  /** Another account with an empty mailbox, so tests sharing a server do not share mail. */
  addUser(): Promise<MailUser>;
  /** Stops the server; open IMAP connections are cut (Dovecot's shutdown_clients). */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same mail. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** The server's log so far, for failure messages. */
  log(): string;
  /** Gives a folder a new UIDVALIDITY, as a server does after a rebuild or a restore (doveadm). */
  setUidValidity(user: string, folder: string, value: number): void;
  /** Stops the server and removes its directory. */
  close(): Promise<void>;
}

const SBIN = '/usr/sbin';
/** Mail accounts each server has, for tests that want a mailbox of their own. */
const ACCOUNTS = 32;
const INSTALL_SCRIPT = fileURLToPath(new URL('./install-dovecot.sh', import.meta.url));

function dovecotBinary(): string | null {
  for (const candidate of ['dovecot', join(SBIN, 'dovecot')]) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {}
  }
  return null;
}

function ensureDovecot(): { bin: string; version: string } {
  let bin = dovecotBinary();
  if (!bin) {
    execFileSync('bash', [INSTALL_SCRIPT], { stdio: ['ignore', 'ignore', 'inherit'] });
    bin = dovecotBinary();
    if (!bin) throw new Error('dovecot is still missing after test/support/install-dovecot.sh');
  }
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim().split(/\s/)[0] ?? '';
  return { bin, version };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function until(
  probe: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`dovecot: timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Pids of the live child processes of `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) follows the command name, which is in parentheses and may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {}
  }
  return found;
}

/** The uid/gid mail is stored as: Dovecot refuses mail access as root, so root uses the `dovecot` user. */
function mailOwner(): { uid: number; gid: number; internalUser: string; loginUser: string } {
  const me = userInfo();
  if (me.uid !== 0) return { uid: me.uid, gid: me.gid, internalUser: me.username, loginUser: me.username };
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('dovecot:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) throw new Error('dovecot: no `dovecot` system user to own the test mail');
  return { uid: Number(uid), gid: Number(gid), internalUser: 'dovecot', loginUser: 'dovenull' };
}

function configText(o: {
  version: string;
  dir: string;
  port: number;
  uid: number;
  gid: number;
  internalUser: string;
  loginUser: string;
  capabilities?: string;
  oauth2IntrospectionUrl?: string;
}): string {
  const common = [
    `base_dir = ${o.dir}/run`,
    `state_dir = ${o.dir}/state`,
    `instance_name = repute-test-${randomBytes(4).toString('hex')}`,
    'listen = 127.0.0.1',
    'protocols = imap',
    `log_path = ${o.dir}/dovecot.log`,
    `info_log_path = ${o.dir}/dovecot.log`,
    'ssl = no',
    `auth_mechanisms = plain login${o.oauth2IntrospectionUrl ? ' xoauth2 oauthbearer' : ''}`,
    `default_internal_user = ${o.internalUser}`,
    `default_login_user = ${o.loginUser}`,
    `first_valid_uid = ${o.uid}`,
    `last_valid_uid = ${o.uid}`,
    'service imap-login {',
    `  inet_listener imap {\n    address = 127.0.0.1\n    port = ${o.port}\n  }`,
    '  inet_listener imaps {\n    port = 0\n  }',
    '}',
    'service anvil {\n  chroot =\n}',
    ...(o.capabilities ? [`imap_capability = ${o.capabilities}`] : []),
  ];
  // Dovecot 2.4 renamed most of these settings; 2.3 is what Debian 12 ships.
  if (/^2\.[0-3]\./.test(o.version)) {
    return [
      ...common,
      'disable_plaintext_auth = no',
      `mail_location = maildir:${o.dir}/mail/%u`,
      ...(o.oauth2IntrospectionUrl
        ? [
            `passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = ${o.dir}/oauth2.conf.ext\n}`,
          ]
        : []),
      `passdb {\n  driver = passwd-file\n  mechanisms = plain login\n  args = ${o.dir}/users\n}`,
      `userdb {\n  driver = static\n  args = uid=${o.uid} gid=${o.gid} home=${o.dir}/mail/%u allow_all_users=yes\n}`,
      '',
    ].join('\n');
  }
  return [
    'dovecot_config_version = 2.4.0',
    'dovecot_storage_version = 2.4.0',
    ...common,
    'auth_allow_cleartext = yes',
    'mail_driver = maildir',
    `mail_home = ${o.dir}/mail/%{user}`,
    `mail_path = ${o.dir}/mail/%{user}`,
    `passdb passwd-file {\n  passwd_file_path = ${o.dir}/users\n}`,
    `userdb static {\n  fields {\n    uid = ${o.uid}\n    gid = ${o.gid}\n    home = ${o.dir}/mail/%{user}\n  }\n}`,
    '',
  ].join('\n');
}

/** Starts a Dovecot of its own for one test file. */
export async function startDovecot(options: DovecotOptions = {}): Promise<Dovecot> {
  const { bin, version } = ensureDovecot();
  const dir = mkdtempSync(join(tmpdir(), 'repute-dovecot-'));
  // The mail processes run as another user when we are root: they must reach the dir.
  chmodSync(dir, 0o755);
  const owner = mailOwner();
  for (const sub of ['run', 'state', 'mail']) mkdirSync(join(dir, sub));
  chownSync(join(dir, 'mail'), owner.uid, owner.gid);
  const host = '127.0.0.1';
  const port = await freePort();
  const configPath = join(dir, 'dovecot.conf');
  if (options.oauth2IntrospectionUrl) {
    if (!/^2\.[0-3]\./.test(version))
      throw new Error(`dovecot ${version}: the OAuth2 test set-up is written for 2.3`);
    writeFileSync(
      join(dir, 'oauth2.conf.ext'),
      [
        'introspection_mode = post',
        `introspection_url = ${options.oauth2IntrospectionUrl}`,
        'username_attribute = username',
        'active_attribute = active',
        'active_value = true',
        'force_introspection = yes',
        '',
      ].join('\n'),
    );
  }
  writeFileSync(
    configPath,
    configText({
      version,
      dir,
      port,
      ...owner,
      capabilities: options.capabilities,
      oauth2IntrospectionUrl: options.oauth2IntrospectionUrl,
    }),
  );

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const readLog = () => {
    try {
      return readFileSync(join(dir, 'dovecot.log'), 'utf8');
    } catch {
      return '';
    }
  };

  const start = async () => {
    if (child) return;
    // In the foreground, so the process is ours to stop by its pid and dies with a failed start.
    const proc = spawn(bin, ['-F', '-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (d) => {
      stderr += d;
    });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    // A test run that dies must not leave its server behind.
    const killOnExit = () => proc.kill('SIGTERM');
    process.once('exit', killOnExit);
    void exited.then(() => process.off('exit', killOnExit));
    let dead = false;
    void exited.then(() => {
      dead = true;
      if (child === proc) child = null;
    });
    await until(async () => {
      if (dead) throw new Error(`dovecot exited at start: ${stderr}\n${readLog()}`);
      return answers(host, port);
    }, `it listens on ${host}:${port}`);
  };

  const stop = async () => {
    const proc = child;
    if (!proc) return;
    // A session process can outlive the master for a while; a server that goes away takes
    // its connections with it, so they are ended too (our master's children, by pid).
    const sessions = proc.pid ? childrenOf(proc.pid) : [];
    proc.kill('SIGTERM');
    await exited;
    for (const pid of sessions) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    child = null;
    // The master is gone; wait until the port is really closed before a restart binds it.
    await until(async () => !(await answers(host, port)), 'the port is closed');
  };

  // Accounts are made up front: Dovecot notices a changed passwd-file only by its mtime,
  // which a file rewritten within the same second does not change.
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({
    user: i === 0 ? 'abuse' : `abuse${i}`,
    password: randomBytes(9).toString('base64url'),
  }));
  writeFileSync(join(dir, 'users'), accounts.map((a) => `${a.user}:{PLAIN}${a.password}::::::\n`).join(''), {
    mode: 0o644,
  });
  let handedOut = 0;
  const addUser = async (): Promise<MailUser> => {
    const account = accounts[handedOut++];
    if (!account) throw new Error(`dovecot: all ${ACCOUNTS} test accounts are in use; start another server`);
    return mailUser(host, port, account.user, account.password);
  };

  const first = await addUser();
  await start();

  return {
    ...first,
    host,
    port,
    addUser,
    start,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    log: readLog,
    setUidValidity: (user, folder, value) => {
      execFileSync(
        'doveadm',
        ['-c', configPath, 'mailbox', 'update', '-u', user, '--uid-validity', String(value), folder],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
    },
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function mailUser(host: string, port: number, user: string, password: string): MailUser {
  const connect = async () => {
    const client = new ImapFlow({
      host,
      port,
      secure: false,
      doSTARTTLS: false,
      auth: { user, pass: password },
      logger: false,
      disableAutoIdle: true,
    });
    client.on('error', () => {});
    await client.connect();
    return client;
  };
  const withClient = async <T>(fn: (client: ImapFlow) => Promise<T>): Promise<T> => {
    const client = await connect();
    try {
      return await fn(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };
  return {
    user,
    password,
    url: `imap://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/INBOX`,
    connect,
    append: (messages, folder = 'INBOX') =>
      withClient(async (client) => {
        if (folder !== 'INBOX') await client.mailboxCreate(folder).catch(() => {});
        for (const m of messages) {
          const appended = await client.append(folder, m);
          if (!appended) throw new Error(`APPEND to ${folder} failed`);
        }
      }),
    count: (folder) =>
      withClient(async (client) => {
        const list = await client.list();
        if (!list.some((f) => f.path === folder)) return 0;
        const status = await client.status(folder, { messages: true });
        return status ? (status.messages ?? 0) : 0;
      }),
  };
}

/**
 * Waits until the account's INBOX is empty and the `messages` stored from the mailbox have all
 * been through the pipeline. The mailbox is asked first: once INBOX is empty every message
 * taken from it is stored, so the count that follows sees them all (asked the other way
 * round, it can miss the last ones).
 */
export function mailboxDrained(
  env: TestEnv,
  account: MailUser,
  messages: number,
  wait: { timeoutMs?: number; intervalMs?: number } = {},
) {
  return waitFor(
    async () => {
      if ((await account.count('INBOX')) !== 0) return false;
      const [r] = await env.rt.database.sql<{ n: number; done: number }[]>`
        select count(*)::int as n, count(*) filter (where status <> 'queued')::int as done
          from inbound_messages where channel = 'imap'`;
      return r!.n === messages && r!.done === messages;
    },
    { ...wait, what: `${messages} messages drained from the mailbox and processed` },
  );
}
