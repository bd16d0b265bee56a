/**
 * `npm run bench`: the whole pipeline against bare parsing, in one run, on the same
 * messages. Realistic reports (a few KB, an embedded original); real HTTP intake on a
 * socket, real BullMQ workers in their own processes, real Postgres and Redis.
 *
 *   BENCH_REPORTS (default 16000: half for the stages alone, half end to end), BENCH_WORKERS (worker processes, default 2),
 *   BENCH_CHECKS (GET /v1/check requests, default 20000),
 *   BENCH_CONCURRENCY (HTTP requests in flight, default 64: feedback loops post in parallel)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { addSendingIp, addTenant } from '../../src/platform/directory.ts';
import { createToken } from '../../src/tokens.ts';
import { buildArf } from '../support/build-arf.ts';
import { benchPlatform } from './bench-platform.ts';

const N = Number(process.env.BENCH_REPORTS ?? 16000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
const BARE_FASTIFY = fileURLToPath(new URL('./bare-fastify.ts', import.meta.url));
const CHECKS = Number(process.env.BENCH_CHECKS ?? 20000);

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

  const { env, port, rt, close } = await benchPlatform({ WORKER_PROCESSES: '0' });
  const children: ChildProcess[] = [];
  try {
    const token = await createToken(rt.database.sql, 'partner', 'bench');
    children.push(spawn(process.execPath, [BIN, 'serve'], { env, stdio: 'inherit' }));
    await waitForHttp(`http://127.0.0.1:${port}/readyz`);
    const startWorkers = () => {
      for (let w = 0; w < WORKERS; w++)
        children.push(spawn(process.execPath, [BIN, 'work'], { env, stdio: 'inherit' }));
    };
    const postAll = async (batch: Buffer[]) => {
      let next = 0;
      const post = async () => {
        while (next < batch.length) {
          const { status, text } = await postRaw(port, token, batch[next++]!);
          if (status !== 202) throw new Error(`intake answered ${status}: ${text}`);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, post));
    };
    const drained = async () => {
      for (;;) {
        const [row] = await rt.database.sql<{ n: number }[]>`
          select count(*)::int as n from inbound_messages where status = 'queued'`;
        if (row?.n === 0) return;
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    const rate = (n: number, since: number) => n / ((performance.now() - since) / 1000);

    // 1. Each stage alone: intake with no worker running, then the workers draining the backlog.
    const half = msgs.slice(0, Math.floor(N / 2));
    let t0 = performance.now();
    await postAll(half);
    const intakeAlone = rate(half.length, t0);
    console.log(`intake alone (HTTP 202s, ${CONCURRENCY} in flight): ${intakeAlone.toFixed(0)} reports/s`);
    if (WORKERS === 0) return;
    startWorkers();
    await drained();
    // From the first message done to the last, so the workers' start-up does not count.
    const [span] = await rt.database.sql<{ seconds: number }[]>`
      select extract(epoch from max(processed_at) - min(processed_at))::float8 as seconds from inbound_messages`;
    const workersAlone = half.length / Math.max(span?.seconds ?? 1, 0.001);
    console.log(`${WORKERS} worker processes draining that backlog: ${workersAlone.toFixed(0)} reports/s`);

    // 2. The whole pipeline at once, as in production: posting while the workers run.
    const rest = msgs.slice(half.length);
    t0 = performance.now();
    await postAll(rest);
    await drained();
    const pipeline = rate(rest.length, t0);
    const [done] = await rt.database.sql<{ n: number }[]>`select count(*)::int as n from reports`;
    console.log(
      `pipeline end to end (HTTP → Postgres → BullMQ → ${WORKERS} worker processes → scores): ${pipeline.toFixed(0)} reports/s (${done?.n} reports written in all)`,
    );
    console.log(`ratio pipeline / bare parsing on one core: ${(pipeline / bare).toFixed(2)}`);

    // 3. How soon a block reaches the MTAs: from the 202 of the deciding report to the
    //    first /v1/check that answers 5.7.606 (the outbox, the events worker, the Redis copy).
    const service = await createToken(rt.database.sql, 'service', 'bench-mta');
    await addTenant(rt.database.db, { id: 'spammy', name: 'Spammy', domains: ['spammy.example'] });
    await addSendingIp(rt.database.db, '203.0.113.99', { tenantId: 'spammy' });
    const burst = Array.from({ length: 50 }, (_, i) =>
      buildArf({
        id: `block-${i}-${randomBytes(4).toString('hex')}`,
        sourceIp: '203.0.113.99',
        mailFrom: 'x@spammy.example',
      }),
    );
    await postAll(burst.slice(0, 49));
    await drained();
    const deciding = performance.now();
    await postAll(burst.slice(49));
    for (;;) {
      const res = await getJson(port, service, '/v1/check?ip=203.0.113.99');
      if (res.code === '5.7.606') break;
      if (performance.now() - deciding > 30_000) throw new Error('the block never reached /v1/check');
    }
    console.log(
      `block visible to /v1/check ${(performance.now() - deciding).toFixed(0)} ms after the deciding report was posted`,
    );

    // 4. The MTA check, against a bare fastify handler measured the same way.
    const blocked = await rt.database.sql<
      { subject: string }[]
    >`select subject from scores where subject_type = 'ip' limit 20`;
    const ips = blocked.length ? blocked.map((b) => b.subject) : ['198.51.100.1'];
    const checkPaths = Array.from(
      { length: 512 },
      (_, i) =>
        `/v1/check?ip=${ips[i % ips.length]}&tenant=tenant${i % 20}&from=news@tenant${i % 20}.example`,
    );
    const real = await loadGet(port, service, checkPaths);
    const barePort = port + 1;
    const bareServer = spawn(process.execPath, ['--import', 'tsx', BARE_FASTIFY], {
      env: { ...process.env, PORT: String(barePort) },
      stdio: 'inherit',
    });
    children.push(bareServer);
    await waitForHttp(`http://127.0.0.1:${barePort}/v1/check`);
    const floor = await loadGet(barePort, service, checkPaths);
    console.log(
      `/v1/check (copy in memory, token cache): ${real.rps.toFixed(0)} requests/s, p99 ${real.p99.toFixed(2)} ms`,
    );
    console.log(
      `bare fastify handler, same client:   ${floor.rps.toFixed(0)} requests/s, p99 ${floor.p99.toFixed(2)} ms`,
    );
  } finally {
    for (const c of children) {
      c.kill('SIGTERM');
      if (c.exitCode === null) await once(c, 'exit');
    }
    agent.destroy();
    await close();
  }
}

// node:http with keep-alive: a lighter client than fetch, so the harness takes less of the two cores.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
function postRaw(port: number, token: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/reports',
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'message/rfc822',
          'content-length': body.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function getJson(port: number, token: string, path: string): Promise<{ code?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** CHECKS GETs, CONCURRENCY in flight; requests/s and the 99th percentile latency. */
async function loadGet(port: number, token: string, paths: string[]): Promise<{ rps: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  const one = (path: string) =>
    new Promise<void>((resolve, reject) => {
      const t = performance.now();
      const req = request(
        { host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) return reject(new Error(`check answered ${res.statusCode}`));
            latencies.push(performance.now() - t);
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < CHECKS) await one(paths[next++ % paths.length]!);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: CHECKS / seconds, p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0 };
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
