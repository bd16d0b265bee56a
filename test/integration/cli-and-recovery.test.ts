import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptMessage, enqueueForgotten } from '../../src/intake/accept-message.ts';
import { addSendingIp, addTenant } from '../../src/platform/directory.ts';
import { reportJobId } from '../../src/queues.ts';
import { buildArf } from '../support/build-arf.ts';
import { buildForward } from '../support/build-forward.ts';
import { CORPUS_DIR, corpusPath } from '../support/corpus.ts';
import { reputeSync } from '../support/repute-process.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/test-env.ts';

describe('the repute command, crash recovery and the forwarded-complaint cap', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => env?.close());

  const repute = (...args: string[]) => reputeSync(env.processEnv, ...args);

  it('sets up a tenant, a domain, an IP and a token from the command line', () => {
    expect(repute('tenant', 'add', 'acme', '--name', 'Acme', '--domain', 'acme.example')).toMatchObject({
      status: 0,
    });
    expect(repute('domain', 'add', 'acme', 'mail.acme.example')).toMatchObject({ status: 0 });
    expect(repute('ip', 'add', '2001:DB8::7', '--tenant', 'acme')).toMatchObject({ status: 0 });
    const token = repute('token', 'create', '--role', 'viewer', '--name', 'me');
    expect(token.status).toBe(0);
    // The token alone on stdout, so `TOKEN=$(repute token create ...)` works.
    expect(token.stdout).toMatch(/^rpt_[A-Za-z0-9_-]{43}\n$/);
    const listed = repute('token', 'list');
    expect(listed.stdout).toMatch(/^\d+\tviewer\tme\tcreated \S+\tactive\n$/m);
    expect(listed.stdout).not.toContain(token.stdout.trim());
  });

  it('revokes a token: the API refuses it from then on', async () => {
    const token = repute('token', 'create', '--role', 'viewer', '--name', 'leaked').stdout.trim();
    const ask = () => env.app.inject({ url: '/v1/events', headers: { authorization: `Bearer ${token}` } });
    expect((await ask()).statusCode).toBe(200);
    const id = /^(\d+)\tviewer\tleaked/m.exec(repute('token', 'list').stdout)?.[1];
    expect(repute('token', 'revoke', id!)).toMatchObject({ status: 0 });
    expect(repute('token', 'revoke', id!).status).toBe(1);
    // A process that has seen the token keeps it up to 10 s; a new one refuses at once.
    const { buildServer } = await import('../../src/http/server.ts');
    const fresh = await buildServer(env.rt);
    try {
      const res = await fresh.inject({ url: '/v1/events', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(401);
    } finally {
      await fresh.close();
    }
  });

  it('refuses what it cannot do with a clear message and a non-zero exit', () => {
    const unknown = repute('frobnicate');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('unknown command');
    expect(unknown.stderr).toContain('Usage: repute');
    const badIp = repute('ip', 'add', 'not-an-ip', '--tenant', 'acme');
    expect(badIp.status).not.toBe(0);
    expect(badIp.stderr).toContain('is not an IP address');
    const bothOwners = repute('ip', 'add', '192.0.2.1', '--tenant', 'acme', '--shared');
    expect(bothOwners.status).toBe(2);
    const badRole = repute('token', 'create', '--role', 'root', '--name', 'x');
    expect(badRole.status).toBe(2);
    const taken = repute('tenant', 'add', 'other', '--name', 'Other', '--domain', 'acme.example');
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain('domain.taken');
  });

  it('shows the worst scores', () => {
    const top = repute('scores', 'top', '--tenants', '--limit', '5');
    expect(top.status).toBe(0);
    expect(top.stdout).toMatch(/TENANT\s+COMPLAINTS/);
  });

  it('queues at start what a crash left stored but never queued', async () => {
    const raw = randomBytes(64);
    const [row] = await env.rt.database.sql<{ id: number }[]>`
      insert into inbound_messages (sha256, raw, size, channel, enqueued, received_at)
      values (${randomBytes(32)}, ${raw}, ${raw.length}, 'webhook', false, now() - interval '1 minute')
      returning id`;
    const n = await enqueueForgotten({ sql: env.rt.database.sql, queues: env.rt.queues, log: env.rt.log });
    expect(n).toBe(1);
    expect(await env.rt.queues.reports.getJob(reportJobId(row!.id))).toBeTruthy();
    const [after] = await env.rt.database.sql<
      { enqueued: boolean }[]
    >`select enqueued from inbound_messages where id = ${row!.id}`;
    expect(after?.enqueued).toBe(true);
    expect(await enqueueForgotten({ sql: env.rt.database.sql, queues: env.rt.queues, log: env.rt.log })).toBe(
      0,
    );
  });

  it('caps what one forwarding reporter, and one reporting domain, adds to one IP a day', async () => {
    await addTenant(env.rt.database.db, { id: 'deals', name: 'Deals', domains: ['deals.example'] });
    await addSendingIp(env.rt.database.db, '198.51.100.77', { tenantId: 'deals' });
    const stop = env.startWorkers();
    // Forwards reach the abuse mailbox, which stores them with their envelope sender: claimed evidence.
    const post = async (reporter: string, i: number) => {
      const raw = buildForward({
        reporter,
        id: `${reporter}-${i}`,
        sendingIp: '198.51.100.77',
        sender: 'promo@deals.example',
      });
      const { id } = await acceptMessage(
        { sql: env.rt.database.sql, queues: env.rt.queues, log: env.rt.log },
        { raw, channel: 'imap', reporter },
      );
      return id;
    };
    const ids: number[] = [];
    // One angry recipient forwards the same spam eight times...
    for (let i = 0; i < 8; i++) ids.push(await post('angry@recipient.example', i));
    // ...and three colleagues at the same company forward it too.
    for (const who of ['b', 'c', 'd']) ids.push(await post(`${who}@recipient.example`, 0));
    // Someone elsewhere forwards it once.
    ids.push(await post('someone@elsewhere.example', 0));
    await waitFor(async () => {
      const [r] = await env.rt.database.sql<{ n: number }[]>`
        select count(*)::int as n from inbound_messages where id = any(${ids}::bigint[]) and status = 'processed'`;
      return r?.n === ids.length;
    });
    const rows = await env.rt.database.sql<{ reporter: string; scored: number; capped: number }[]>`
      select reporter, sum(scored_weight)::float8 as scored,
             count(*) filter (where not_scored_reason = 'reporter_cap')::int as capped
        from reports where ip = '198.51.100.77' group by reporter order by reporter`;
    const by = Object.fromEntries(rows.map((r) => [r.reporter, r]));
    expect(by['angry@recipient.example']).toMatchObject({ scored: 5, capped: 3 });
    // The domain recipient.example had its 5 from the angry one: the colleagues add nothing.
    for (const who of ['b', 'c', 'd'])
      expect(by[`${who}@recipient.example`]).toMatchObject({ scored: 0, capped: 1 });
    expect(by['someone@elsewhere.example']).toMatchObject({ scored: 1, capped: 0 });
    const [ip] = await env.rt.database.sql<{ complaints: number }[]>`
      select complaints from scores where subject_type = 'ip' and subject = '198.51.100.77'`;
    expect(ip?.complaints).toBeCloseTo(6, 2);
    await stop();
  });

  it('imports a folder of old reports and an mbox, each message once, however often it is run', async () => {
    const count = async () => {
      const [r] = await env.rt.database.sql<
        { n: number }[]
      >`select count(*)::int as n from inbound_messages where channel = 'import'`;
      return r?.n ?? 0;
    };
    const folder = repute('import', CORPUS_DIR, '--reporter', 'archive-2025');
    expect(folder.status).toBe(0);
    // Every message of the corpus (two differ only in line endings: two messages), not its README, LICENSE or MANIFEST.
    expect(folder.stderr).toContain('imported 21 new, 0 already there, 0 too large, 3 not mail');
    expect(await count()).toBe(21);
    expect(repute('import', CORPUS_DIR).stderr).toContain('imported 0 new, 21 already there');

    const dir = mkdtempSync(join(tmpdir(), 'repute-mbox-'));
    const mbox = join(dir, 'old.mbox');
    const a = buildArf({ id: 'mbox-a', sourceIp: '192.0.2.1' }).toString('latin1').replace(/\r\n/g, '\n');
    const b = readFileSync(corpusPath('fwd-outlook-inline.eml'), 'latin1').replace(/\r\n/g, '\n');
    // mboxrd: a body line starting "From " is written as ">From ".
    const c = 'From: x@example.com\nSubject: quoted\n\nhello\n>From the start\n';
    writeFileSync(
      mbox,
      `From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n${a}\nFrom a@b Mon Nov 23 10:00:01 2026\n${b}\n\nFrom c@d Mon Nov 23 10:00:02 2026\n${c}\n`,
      'latin1',
    );
    const imported = repute('import', mbox);
    expect(imported.status).toBe(0);
    expect(await count()).toBe(24);
    const [quoted] = await env.rt.database.sql<{ raw: Buffer }[]>`
      select raw from inbound_messages where channel = 'import' order by id desc limit 1`;
    expect(quoted?.raw.toString()).toContain('\nFrom the start\n');
    expect(repute('import', join(dir, 'missing.mbox')).status).toBe(1);
  });
});
