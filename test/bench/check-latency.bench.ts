/**
 * `npm run bench:check`: how `GET /v1/check` answers while `repute start` parses a
 * backlog. A backlog of reports (feedback reports, forwarded HTML junk, a few large
 * ones) is stored and queued first; then `repute start` runs, and two MTAs ask
 * /v1/check back to back (keep-alive) until the workers have drained it. The p50, p99
 * and worst latency are printed for the idle server and under that parsing load.
 *
 *   BENCH_WORKER_PROCESSES (unset: start's default, one forked worker; 0: parsing in the HTTP process),
 *   BENCH_REPORTS (default 4000), BENCH_LARGE (1 MB reports among them, default 10)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { acceptMessages, type IntakeInput } from '../../src/intake/accept-message.ts';
import { createToken } from '../../src/tokens.ts';
import { buildArf } from '../support/build-arf.ts';
import { forwardOf } from '../support/build-forward.ts';
import { benchPlatform } from './bench-platform.ts';

const N = Number(process.env.BENCH_REPORTS ?? 4000);
const LARGE = Number(process.env.BENCH_LARGE ?? 10);
const WORKER_PROCESSES = process.env.BENCH_WORKER_PROCESSES;
const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));

/** Junk as recipients forward it: HTML with a text part, which takes the full MIME parser. */
function htmlJunk(i: number, tenant: number): Buffer {
  const paragraph = `<p>Dear customer, our <b>offer ${i}</b> ends soon: <a href="https://deals.example/${i}">buy now</a>.</p>\r\n`;
  return Buffer.from(
    [
      `Received: from out${tenant}.platform.example (out${tenant}.platform.example [198.51.100.${tenant + 1}])`,
      '\tby mx.recipient.example with ESMTPS id 1; Mon, 23 Nov 2026 09:00:00 +0000',
      `From: Deals <news@tenant${tenant}.example>`,
      `To: someone${i}@recipient.example`,
      `Subject: Offer ${i}`,
      `Message-ID: <junk-${i}-${randomBytes(4).toString('hex')}@tenant${tenant}.example>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Our offer ends soon. '.repeat(200),
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      `<html><body>${paragraph.repeat(150)}</body></html>`,
      '--alt--',
      '',
    ].join('\r\n'),
  );
}

function backlog(): IntakeInput[] {
  const out: IntakeInput[] = [];
  for (let i = 0; i < N; i++) {
    const tenant = i % 20;
    const large = i < LARGE;
    if (i % 3 === 2 && !large) {
      const reporter = `r${i}@recipient.example`;
      out.push({ raw: forwardOf(htmlJunk(i, tenant), { reporter, id: i }), channel: 'imap', reporter });
      continue;
    }
    const raw = buildArf({
      id: `${i}-${randomBytes(4).toString('hex')}`,
      sourceIp: `198.51.100.${tenant + 1}`,
      mailFrom: `news@tenant${tenant}.example`,
      bodyBytes: large ? 1024 * 1024 : 2500,
    });
    out.push({ raw, channel: 'webhook', reporter: 'bench-fbl' });
  }
  return out;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });
function check(port: number, token: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request(
      { host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(performance.now() - t)
            : reject(new Error(`check answered ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Two MTAs asking back to back until `until` says stop; the latencies in ms. */
async function askWhile(port: number, token: string, until: () => boolean): Promise<number[]> {
  const latencies: number[] = [];
  await Promise.all(
    [0, 1].map(async (mta) => {
      for (let i = 0; !until(); i++) {
        latencies.push(
          await check(port, token, `/v1/check?ip=198.51.100.${(i % 20) + 1}&tenant=tenant${mta}`),
        );
      }
    }),
  );
  return latencies;
}

const summary = (l: number[]) => {
  const s = [...l].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(s.length * q))]!.toFixed(1);
  return `${s.length} checks, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, worst ${s.at(-1)!.toFixed(1)} ms`;
};

async function main() {
  const { env, port, rt, close } = await benchPlatform({ WORKER_PROCESSES });
  let server: ChildProcess | undefined;
  try {
    const token = await createToken(rt.database.sql, 'service', 'bench-mta');
    const inputs = backlog();
    for (let i = 0; i < inputs.length; i += 200) {
      await acceptMessages(
        { sql: rt.database.sql, queues: rt.queues, log: rt.log },
        inputs.slice(i, i + 200),
      );
    }
    const bytes = inputs.reduce((n, m) => n + m.raw.length, 0);
    console.log(
      `${inputs.length} reports queued (${LARGE} of 1 MB, ${Math.round(bytes / 1024 / 1024)} MB in all); WORKER_PROCESSES=${WORKER_PROCESSES ?? '(unset)'}`,
    );

    server = spawn(process.execPath, [BIN, 'start'], { env, stdio: 'inherit' });
    // The idle server: the workers are still starting (a forked one takes a second or two).
    for (;;) {
      try {
        await check(port, token, '/v1/check?ip=198.51.100.1');
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    let queued = inputs.length;
    const poll = setInterval(() => {
      void rt.database.sql<
        { n: number }[]
      >`select count(*)::int as n from inbound_messages where status = 'queued'`
        .then(([row]) => {
          queued = row?.n ?? 0;
        })
        .catch(() => {});
    }, 100);
    const t0 = performance.now();
    const loaded = await askWhile(port, token, () => queued === 0);
    clearInterval(poll);
    const seconds = (performance.now() - t0) / 1000;
    console.log(`while parsing (${(inputs.length / seconds).toFixed(0)} reports/s): ${summary(loaded)}`);
    const idleUntil = performance.now() + 5000;
    const idle = await askWhile(port, token, () => performance.now() > idleUntil);
    console.log(`idle afterwards:                ${summary(idle)}`);
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
    agent.destroy();
    await close();
  }
}

await main();
