/**
 * `npm run bench`: the whole pipeline against bare parsing, in one run, on the same
 * messages. Realistic reports (a few KB, an embedded original); real HTTP intake on a
 * socket, real BullMQ workers in their own processes, real Postgres and Redis.
 *
 *   BENCH_REPORTS (default 3000), BENCH_WORKERS (worker processes, default 2),
 *   BENCH_CONCURRENCY (HTTP requests in flight, default 32)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import postgres from 'postgres';
import { loadConfig } from '../../src/config.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/log.ts';
import { addSendingIp, addTenant } from '../../src/platform/directory.ts';
import { openRuntime } from '../../src/runtime.ts';
import { createToken } from '../../src/tokens.ts';
import { buildArf } from '../support/build-arf.ts';
import { resolveServices } from '../support/services.ts';

const N = Number(process.env.BENCH_REPORTS ?? 3000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));

function messages(): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < N; i++) {
    const tenant = i % 20;
    out.push(
      buildArf({
        id: `${i}-${randomBytes(4).toString('hex')}`,
        sourceIp: `198.51.100.${tenant + 1}`,
        mailFrom: `news@tenant${tenant}.example`,
        received: [
          [`198.51.100.${tenant + 1}`, `out${tenant}.platform.example`],
          ['10.1.2.3', 'relay.internal'],
        ],
        bodyBytes: 2500,
      }),
    );
  }
  return out;
}

async function bareParse(msgs: Buffer[]): Promise<number> {
  for (const m of msgs.slice(0, 200)) await simpleParser(m); // warm-up
  const t0 = performance.now();
  for (const m of msgs) await simpleParser(m);
  return msgs.length / ((performance.now() - t0) / 1000);
}

async function main() {
  const msgs = messages();
  const avg = Math.round(msgs.reduce((n, m) => n + m.length, 0) / msgs.length);
  console.log(`${N} reports, ${avg} bytes on average`);
  const bare = await bareParse(msgs);
  console.log(`bare mailparser simpleParser, one core: ${bare.toFixed(0)} messages/s`);

  const services = await resolveServices();
  const dbName = `repute_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(services.postgresUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  const dbUrl = new URL(services.postgresUrl);
  dbUrl.pathname = `/${dbName}`;
  const port = 18000 + Math.floor(Math.random() * 1000);
  const env = {
    ...process.env,
    DATABASE_URL: dbUrl.toString(),
    REDIS_URL: services.redisUrl,
    REDIS_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    WORKER_PROCESSES: '0',
  };
  const rt = openRuntime(loadConfig(env), createLogger('warn'));
  const children: ChildProcess[] = [];
  try {
    await runMigrations(rt.database);
    for (let t = 0; t < 20; t++) {
      await addTenant(rt.database.db, {
        id: `tenant${t}`,
        name: `Tenant ${t}`,
        domains: [`tenant${t}.example`],
      });
      await addSendingIp(rt.database.db, `198.51.100.${t + 1}`, { tenantId: `tenant${t}` });
    }
    const token = await createToken(rt.database.sql, 'partner', 'bench');
    children.push(spawn(process.execPath, [BIN, 'serve'], { env, stdio: 'inherit' }));
    for (let w = 0; w < WORKERS; w++)
      children.push(spawn(process.execPath, [BIN, 'work'], { env, stdio: 'inherit' }));
    await waitForHttp(`http://127.0.0.1:${port}/readyz`);

    const t0 = performance.now();
    let next = 0;
    const post = async () => {
      while (next < msgs.length) {
        const body = msgs[next++]!;
        const res = await fetch(`http://127.0.0.1:${port}/v1/reports`, {
          method: 'POST',
          body: body as unknown as BodyInit,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'message/rfc822' },
        });
        if (res.status !== 202) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, post));
    const intakeSeconds = (performance.now() - t0) / 1000;
    for (;;) {
      const [row] = await rt.database.sql<
        { n: number }[]
      >`select count(*)::int as n from inbound_messages where status = 'queued'`;
      if (row?.n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - t0) / 1000;
    const [done] = await rt.database.sql<{ n: number }[]>`select count(*)::int as n from reports`;
    const rate = N / seconds;
    console.log(`intake (HTTP 202s): ${(N / intakeSeconds).toFixed(0)} reports/s`);
    console.log(
      `pipeline end to end (HTTP → Postgres → BullMQ → ${WORKERS} worker processes → scores): ${rate.toFixed(0)} reports/s (${done?.n} reports written)`,
    );
    console.log(`ratio pipeline / bare parsing: ${(rate / bare).toFixed(2)}`);
  } finally {
    for (const c of children) {
      c.kill('SIGTERM');
      if (c.exitCode === null) await once(c, 'exit');
    }
    await rt.close();
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end();
    await services.stop();
  }
}

async function waitForHttp(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became ready`);
}

await main();
