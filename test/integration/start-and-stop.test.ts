import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildArf } from '../support/build-arf.ts';
import { alive, reputeSync, spawnRepute } from '../support/repute-process.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { createTestDatabase, createTestEnv, type TestEnv, waitFor } from '../support/test-env.ts';

/** A port nothing listens on: taken, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const running = (l: { msg: string }) => l.msg === 'repute running';

describe('repute start, through the real binary: failing, running and stopping', () => {
  let env: TestEnv;
  let base: Record<string, string>;
  const started: Array<ReturnType<typeof spawnRepute>> = [];
  const spawnTracked = (...a: Parameters<typeof spawnRepute>) => {
    const p = spawnRepute(...a);
    started.push(p);
    return p;
  };
  beforeAll(async () => {
    env = await createTestEnv();
    base = {
      ...env.processEnv,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      PUBLIC_URL: '',
      WORKER_PROCESSES: '',
      SMTP_URL: '',
      npm_command: '',
    };
  });
  afterAll(async () => {
    for (const p of started) p.kill();
    await env?.close();
  });

  it('says its version, and exits 0', () => {
    const r = reputeSync({}, '--version');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^repute \d+\.\d+\.\d+\n$/);
  });

  it('says what is missing from a command line before the usage, and exits 2', () => {
    const noName = reputeSync(base, 'tenant', 'add', 'acme');
    expect(noName.status).toBe(2);
    expect(noName.stderr.split('\n')[0]).toBe('repute tenant add: --name NAME is missing');
    expect(noName.stderr.split('\n')[1]).toMatch(/^Usage: repute tenant add ID --name NAME/);
    const noId = reputeSync(base, 'token', 'revoke');
    expect(noId.status).toBe(2);
    expect(noId.stderr).toMatch(/^repute token revoke: ID is missing\nUsage: repute token revoke ID/);
    const half = reputeSync(base, 'token');
    expect(half.status).toBe(2);
    expect(half.stderr).toMatch(/^repute token: what to do is missing\nUsage:\n {2}repute token create/);
    const none = reputeSync(base);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^repute: a command is missing\n\nUsage: repute <command>/);
    // Asking for help is no error.
    expect(reputeSync(base, '--help')).toMatchObject({ status: 0 });
    expect(reputeSync(base, 'ip', 'add', '--help').stdout).toMatch(/^Usage: repute ip add IP/);
  });

  it('refuses a DATABASE_URL that is not one, cannot be reached or names no database: one line naming it, status 1', async () => {
    const notUrl = reputeSync({ ...base, DATABASE_URL: 'localhost/repute' }, 'token', 'list');
    expect(notUrl.status).toBe(1);
    expect(notUrl.stderr).toMatch(/^repute: .*DATABASE_URL: must be a postgres:\/\/ URL.*\n$/);

    const port = await closedPort();
    const unreachable = reputeSync(
      { ...base, DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${port}/repute` },
      'start',
    );
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toMatch(
      new RegExp(
        `^repute: .*cannot reach Postgres at DATABASE_URL=postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${port}/repute .*\\n$`,
      ),
    );
    expect(unreachable.stdout).toBe('');

    const name = `repute_missing_${randomBytes(4).toString('hex')}`;
    const url = new URL(env.config.databaseUrl);
    url.pathname = `/${name}`;
    const missing = reputeSync({ ...base, DATABASE_URL: url.toString() }, 'migrate');
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain(`database "${name}" does not exist`);
    expect(missing.stderr).toContain(
      `createdb -h ${url.hostname} -p ${url.port || 5432} -U postgres ${name}`,
    );
  });

  it('refuses to start without Redis: one line naming REDIS_URL, no warnings, status 1', async () => {
    const port = await closedPort();
    const r = reputeSync({ ...base, REDIS_URL: `redis://127.0.0.1:${port}` }, 'start');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^repute: .*cannot reach Redis at REDIS_URL=redis://127\\.0\\.0\\.1:${port}.*\\n$`),
    );
    expect(r.stdout).not.toContain('redis unavailable');
    expect(r.stdout).not.toContain('repute running');
    // A command that does not need Redis works without it, and says nothing about it.
    const tokens = reputeSync({ ...base, REDIS_URL: `redis://127.0.0.1:${port}` }, 'token', 'list');
    expect(tokens).toMatchObject({ status: 0, stderr: '' });
  });

  it('fails the whole start when its port is taken, before any worker runs', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const r = reputeSync({ ...base, PORT: String(port) }, 'start');
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `repute: http.listen_failed: port ${port} is in use on 127.0.0.1: stop what listens there, or set PORT to a free port\n`,
      );
      expect(r.stdout).not.toContain('repute running');
      expect(r.stdout).not.toContain('worker');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('starts on a fresh database: migrates, says where to go, parses in a worker process, logs the delist link, stops on SIGTERM', async () => {
    const database = await createTestDatabase();
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const repute = spawnTracked({ ...base, DATABASE_URL: database.url }, ['start']);
      const parent = await repute.line((l) => running(l) && l.http === true, 'the start');
      const child = await repute.line((l) => running(l) && l.http === false, 'the worker process');
      const listening = repute.lines.find((l) => l.msg.startsWith('listening on'))!;
      const port = listening.port as number;
      const url = `http://localhost:${port}`;
      const says = repute.lines.map((l) => l.msg);
      expect(says).toContain('database migrated: 3 migrations applied');
      expect(says).toContain(`review desk: ${url}/review`);
      expect(says).toContain(`delist portal: ${url}/delist`);
      expect(says.some((m) => m.startsWith('no review-desk token yet'))).toBe(true);
      expect(says.some((m) => m.startsWith('SMTP_URL is not set'))).toBe(true);
      // Parsing runs in a process of its own by default.
      expect(parent).toMatchObject({ workers: true, workerProcesses: 1 });
      expect(child).toMatchObject({ workers: true, workerProcesses: 0 });
      expect(child.pid).not.toBe(parent.pid);

      const home = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
      expect(home.status).toBe(302);
      expect(home.headers.get('location')).toBe('/review');
      const icon = await fetch(`http://127.0.0.1:${port}/favicon.ico`);
      expect(icon.headers.get('content-type')).toBe('image/x-icon');
      expect(Buffer.from(await icon.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));

      // Without SMTP_URL the delist link is in the log, on PUBLIC_URL's default: the actual port.
      const delist = await fetch(`http://127.0.0.1:${port}/delist`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=owner%40example.com&ip=192.0.2.44',
      });
      expect(delist.status).toBe(200);
      const mail = await repute.line((l) => l.msg.startsWith('mail not sent'), 'the unsent mail');
      expect(mail.level).toBe(30);
      expect(mail.text).toContain(`${url}/delist/confirm?token=`);

      // The worker process parses what the HTTP process takes in.
      const partner = reputeSync(
        { ...base, DATABASE_URL: database.url },
        'token',
        'create',
        '--role',
        'partner',
        '--name',
        'fbl',
      ).stdout.trim();
      const posted = await fetch(`http://127.0.0.1:${port}/v1/reports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${partner}`, 'content-type': 'message/rfc822' },
        body: new Uint8Array(buildArf({ id: 'start-1', sourceIp: '192.0.2.9' })),
      });
      const { id } = (await posted.json()) as { id: number };
      await waitFor(async () => {
        const [row] = await sql<{ status: string }[]>`select status from inbound_messages where id = ${id}`;
        return row?.status === 'processed';
      });

      // A worker process that dies is replaced.
      process.kill(child.pid as number, 'SIGKILL');
      const next = await repute.line(
        (l) => running(l) && l.http === false && l.pid !== child.pid,
        'a new worker',
      );
      expect(repute.lines.find((l) => l.msg === 'worker process exited; starting another')).toMatchObject({
        signal: 'SIGKILL',
      });

      repute.child.kill('SIGTERM');
      expect(await repute.exit()).toEqual({ code: 0, signal: null });
      expect(repute.lines.map((l) => l.msg)).toContain('stopped');
      await waitFor(async () => !alive(next.pid as number), { what: 'the worker process gone' });
    } finally {
      await sql.end();
      await database.drop();
    }
  });

  it('stops on SIGTERM within the bound while Redis is down', async () => {
    const proxy = await startTcpProxy({
      host: new URL(base.REDIS_URL!).hostname,
      port: Number(new URL(base.REDIS_URL!).port || 6379),
    });
    try {
      const repute = spawnTracked(
        {
          ...base,
          REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
          WORKER_PROCESSES: '0',
          SHUTDOWN_TIMEOUT_SECONDS: '5',
        },
        ['start'],
      );
      await repute.line(running, 'the start');
      await proxy.close();
      await repute.line((l) => l.msg === 'redis unavailable', 'the outage noticed');
      repute.child.kill('SIGTERM');
      const { code } = await repute.exit(20_000);
      expect(code).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('stops when the npx-like parent that ran it is killed, worker process and all', async () => {
    // npm runs a bin through `sh -c`, which dies on a signal without passing it on.
    const shell = spawnTracked({ ...base, npm_command: 'exec' }, [], {
      shell: `"${process.execPath}" "${new URL('../../src/cli/bin.js', import.meta.url).pathname}" start; exit $?`,
    });
    const parent = await shell.line((l) => running(l) && l.http === true, 'the start');
    const worker = await shell.line((l) => running(l) && l.http === false, 'the worker process');
    const port = shell.lines.find((l) => l.msg.startsWith('listening on'))!.port as number;
    shell.child.kill('SIGKILL');
    await shell.exit();
    await waitFor(async () => !alive(parent.pid as number) && !alive(worker.pid as number), {
      timeoutMs: 30_000,
      what: 'the server and its worker gone',
    });
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('stops the workers on SIGHUP (a closed terminal), like SIGTERM', async () => {
    const repute = spawnTracked(base, ['work']);
    await repute.line(running, 'the workers');
    repute.child.kill('SIGHUP');
    expect(await repute.exit()).toEqual({ code: 0, signal: null });
    expect(repute.lines.find((l) => l.msg === 'stopping')).toMatchObject({ reason: 'SIGHUP' });
  });
});
