import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReputeError } from '../../src/errors.ts';
import { acceptMessage } from '../../src/intake/accept-message.ts';
import type { Intake } from '../../src/mailbox/drain-inbox.ts';
import { type MailboxPoller, type PollerOptions, startMailboxPoller } from '../../src/mailbox/poller.ts';
import { addSendingIp, addTenant } from '../../src/platform/directory.ts';
import { buildForward } from '../support/build-forward.ts';
import { CORPUS_DIR, corpusPath, readManifest } from '../support/corpus.ts';
import { type Dovecot, type MailUser, mailboxDrained, startDovecot } from '../support/dovecot.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/test-env.ts';

const CORPUS = readdirSync(CORPUS_DIR)
  .filter((f) => f.endsWith('.eml'))
  .sort();
const MANIFEST = new Map(readManifest().map((row) => [row.file, row]));
const corpusMessage = (file: string) => readFileSync(corpusPath(file));

/** IMAP hands messages out with CRLF line ends (RFC 3501), whatever was appended. */
const asServed = (raw: Buffer) => Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
const sha256 = (raw: Buffer) => createHash('sha256').update(raw).digest();

/** Distinct messages as the intake sees them: the same bytes twice are one message. */
const distinct = (messages: Buffer[]) =>
  new Set(messages.map((m) => sha256(asServed(m)).toString('hex'))).size;

/** A copy with different bytes (one header more at the top), so it is a message of its own. */
const copyOf = (raw: Buffer, n: number) => {
  const eol = raw.includes('\r\n') ? '\r\n' : '\n';
  return Buffer.concat([Buffer.from(`X-Repute-Test-Copy: ${n}${eol}`), raw]);
};

const BROKEN_ARF = [
  'From: fbl@partner.example',
  'To: abuse@platform.example',
  'Subject: Complaint about a message from your platform',
  'Message-ID: <broken-arf-1@partner.example>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/report; report-type=feedback-report; boundary="b"',
  '',
  '--b',
  'Content-Type: text/plain',
  '',
  'This is an abuse report, but its parts went missing.',
  '--b--',
  '',
].join('\r\n');
const NOT_MAIL = 'This is not an e-mail message at all.\r\nJust words.\r\n';

/** Short waits, so outages in the tests last milliseconds rather than seconds. */
const FAST: PollerOptions['backoff'] = { baseMs: 50, maxMs: 500 };

const TIMEOUT = { timeoutMs: 60_000, intervalMs: 100 };

// Waits below are bounded by TIMEOUT; the tests get room for them.
describe('the abuse mailbox, read from a real Dovecot', { timeout: 120_000 }, () => {
  let dovecot: Dovecot;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
    // Whatever a test did to the server, the next one finds it up.
    await dovecot.start();
  });
  afterAll(async () => {
    await dovecot?.close();
  });

  /** A fresh account, a database of its own, running workers, and a poller on demand. */
  async function mailboxEnv(env: Record<string, string> = {}, server: Pick<Dovecot, 'addUser'> = dovecot) {
    const account = await server.addUser();
    const testEnv = await createTestEnv({ IMAP_URL: account.url, IMAP_POLL_SECONDS: '1', ...env });
    cleanups.push(() => testEnv.close());
    testEnv.startWorkers();
    const start = (options: PollerOptions = {}): MailboxPoller => {
      const poller = startMailboxPoller(testEnv.rt, { backoff: FAST, ...options });
      cleanups.push(() => poller.stop());
      return poller;
    };
    return { env: testEnv, account, start };
  }

  const inboundCount = async (env: TestEnv) =>
    (await env.rt.database.sql<{ n: number }[]>`select count(*)::int as n from inbound_messages`)[0]!.n;
  const reportCount = async (env: TestEnv) =>
    (await env.rt.database.sql<{ n: number }[]>`select count(*)::int as n from reports`)[0]!.n;

  const drained = (env: TestEnv, account: MailUser, messages: number) =>
    mailboxDrained(env, account, messages, TIMEOUT);

  it('drains every corpus message into the same outcome the manifest expects, leaving INBOX empty', async () => {
    expect(CORPUS.length).toBeGreaterThan(0);
    expect(CORPUS.filter((f) => !MANIFEST.has(f))).toEqual([]);
    // 25 minutes between polls: whatever arrives later is seen through IDLE.
    const { env, account, start } = await mailboxEnv({ IMAP_POLL_SECONDS: '1500', IMAP_BATCH: '5' });
    const messages = CORPUS.map(corpusMessage);
    // Two corpus files differ only in line ends, which IMAP makes CRLF: one message twice.
    const unique = distinct(messages);
    await account.append(messages);
    const poller = start();
    await drained(env, account, unique);

    for (const file of CORPUS) {
      const expected = MANIFEST.get(file)!;
      const [row] = await env.rt.database.sql<
        { id: number; status: string; channel: string; reports: number }[]
      >`
        select i.id, i.status, i.channel, (select count(*)::int from reports r where r.inbound_id = i.id) as reports
          from inbound_messages i where i.sha256 = ${sha256(asServed(corpusMessage(file)))}`;
      expect(row, file).toBeDefined();
      expect({ file, channel: row!.channel }).toEqual({ file, channel: 'imap' });
      if (expected.expect === 'ignored') {
        expect({ file, status: row!.status, reports: row!.reports }).toEqual({
          file,
          status: 'ignored',
          reports: 0,
        });
      } else {
        expect({ file, status: row!.status, reports: row!.reports }).toEqual({
          file,
          status: 'processed',
          reports: expected.reports,
        });
      }
    }
    expect(await account.count('Processed')).toBe(CORPUS.length);
    expect(await account.count('Failed')).toBe(0);

    expect(poller.stats.duplicates).toBe(CORPUS.length - unique);

    // IDLE: a message arriving now is taken in long before the next poll would be due.
    await account.append([copyOf(corpusMessage('fwd-attached-rfc822.eml'), 1)]);
    await drained(env, account, unique + 1);
    expect(poller.stats.connects).toBe(1);
  });

  it('records who brought each message: the envelope sender, else From', async () => {
    const { env, account, start } = await mailboxEnv();
    await account.append([corpusMessage('fwd-attached-rfc822.eml'), corpusMessage('fwd-gmail-inline.eml')]);
    start();
    await drained(env, account, 2);
    const rows = await env.rt.database.sql<{ reporter: string }[]>`
      select reporter from inbound_messages order by reporter`;
    expect(rows.map((r) => r.reporter)).toEqual(['ana.lima@recipient.example', 'jane.doe@recipient.example']);
  });

  it('loses and duplicates nothing when the server restarts, or stays away, in the middle of draining', async () => {
    const copies = 4;
    const messages = CORPUS.flatMap((file) =>
      Array.from({ length: copies }, (_, n) => copyOf(corpusMessage(file), n)),
    );
    const reportsOf = new Map<string, number>();
    for (const file of CORPUS) {
      for (let n = 0; n < copies; n++) {
        reportsOf.set(
          sha256(asServed(copyOf(corpusMessage(file), n))).toString('hex'),
          MANIFEST.get(file)!.reports,
        );
      }
    }
    const expectedReports = [...reportsOf.values()].reduce((a, b) => a + b, 0);
    const { env, account, start } = await mailboxEnv({ IMAP_BATCH: '10' });
    await account.append(messages);

    // The server goes away right after a message was stored and before it was moved out
    // of INBOX: once with a quick restart, once staying down until the poller has failed
    // to reconnect a few times.
    let calls = 0;
    let resumed: Promise<void> = Promise.resolve();
    let poller: MailboxPoller | undefined;
    const intake: Intake = async (raw, reporter) => {
      const accepted = await acceptMessage(
        { sql: env.rt.database.sql, queues: env.rt.queues, log: env.rt.log },
        { raw, channel: 'imap', reporter },
      );
      calls += 1;
      if (calls === 15) await dovecot.restart();
      if (calls === 50) {
        const failuresBefore = poller?.stats.connectionFailures ?? 0;
        const stopped = dovecot.stop();
        resumed = stopped
          .then(() =>
            waitFor(async () => (poller?.stats.connectionFailures ?? 0) >= failuresBefore + 4, {
              ...TIMEOUT,
              what: 'failed reconnects',
            }),
          )
          .then(() => dovecot.start());
        await stopped;
      }
      return accepted;
    };
    poller = start({ intake });
    await waitFor(async () => calls >= 50, { ...TIMEOUT, what: 'the second outage' });
    await resumed;
    await drained(env, account, distinct(messages));

    expect(await inboundCount(env)).toBe(distinct(messages));
    expect(await reportCount(env)).toBe(expectedReports);
    expect(await account.count('Processed')).toBe(messages.length);
    expect(poller.stats.connects).toBeGreaterThanOrEqual(3);
    // The messages stored just before each outage were stored again, as the same rows.
    expect(poller.stats.duplicates).toBeGreaterThanOrEqual(2);
    const [dupes] = await env.rt.database.sql<{ n: number }[]>`
      select count(*)::int as n from (select inbound_id, seq from reports group by 1, 2 having count(*) > 1) d`;
    expect(dupes!.n).toBe(0);
  });

  it('moves a message that fails to parse to Failed and lists it under status=failed', async () => {
    const { env, account, start } = await mailboxEnv();
    await account.append([BROKEN_ARF, NOT_MAIL, corpusMessage('rfc5965-example.eml')]);
    start();
    await drained(env, account, 3);
    await waitFor(async () => (await account.count('Failed')) === 2, {
      ...TIMEOUT,
      what: 'two messages in Failed',
    });
    expect(await account.count('Processed')).toBe(1);
    await waitFor(async () => (await env.rt.database.sql`select 1 from mailbox_messages`).length === 0, {
      ...TIMEOUT,
      what: 'nothing left pending',
    });

    const viewer = await env.token('viewer');
    const res = await env.app.inject({
      url: '/v1/reports?status=failed',
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Array<{ channel: string; code: string }>;
    expect(items.map((i) => [i.channel, i.code]).sort()).toEqual([
      ['imap', 'arf.no_feedback_part'],
      ['imap', 'arf.unreadable'],
    ]);
  });

  it('finds a failed message by its Message-ID when it does not know its UID', async () => {
    const { env, account, start } = await mailboxEnv();
    // As on a server that sends no COPYUID: the UIDs in Processed are never learnt.
    await env.rt.database.sql`
      create function forget_uid() returns trigger language plpgsql as
        $$ begin new.uid := null; new.uid_validity := null; return new; end $$`;
    await env.rt.database.sql`
      create trigger forget_uid before update on mailbox_messages for each row execute function forget_uid()`;
    await account.append([BROKEN_ARF]);
    start();
    await drained(env, account, 1);
    await waitFor(async () => (await account.count('Failed')) === 1, {
      ...TIMEOUT,
      what: 'the message in Failed',
    });
    expect(await account.count('Processed')).toBe(0);
  });

  it('keeps a forward that nothing ties to the platform as unattributed, and scores one that is', async () => {
    const { env, account, start } = await mailboxEnv();
    await addTenant(env.rt.database.db, {
      id: 'northwind',
      name: 'Northwind',
      domains: ['northwind.example'],
    });
    await addSendingIp(env.rt.database.db, '198.51.100.23', { tenantId: 'northwind' });
    await account.append([corpusMessage('fwd-attached-rfc822.eml'), corpusMessage('fwd-gmail-inline.eml')]);
    start();
    await drained(env, account, 2);
    const rows = await env.rt.database.sql<
      { status: string; tenant: string | null; senderDomain: string; channel: string; reporter: string }[]
    >`select status, tenant_id as tenant, sender_domain as "senderDomain", channel, reporter
        from reports order by sender_domain`;
    expect(rows).toEqual([
      {
        status: 'unattributed',
        tenant: null,
        senderDomain: 'lucky-prize.example',
        channel: 'imap',
        reporter: 'ana.lima@recipient.example',
      },
      {
        status: 'scored',
        tenant: 'northwind',
        senderDomain: 'northwind.example',
        channel: 'imap',
        reporter: 'jane.doe@recipient.example',
      },
    ]);
  });

  it('holds the forwarded-complaint cap for reporters writing to the mailbox', async () => {
    const { env, account, start } = await mailboxEnv();
    await addTenant(env.rt.database.db, { id: 'promo', name: 'Promo', domains: ['promo.example'] });
    await addSendingIp(env.rt.database.db, '198.51.100.91', { tenantId: 'promo' });
    // One recipient forwards the same kind of spam nine times.
    const forwards = Array.from({ length: 9 }, (_, i) =>
      buildForward({
        reporter: 'fed-up@inbox.example',
        id: `cap-${i}`,
        sendingIp: '198.51.100.91',
        sender: 'deals@promo.example',
      }),
    );
    await account.append(forwards);
    start();
    await drained(env, account, forwards.length);
    const [row] = await env.rt.database.sql<{ scored: number; capped: number }[]>`
      select sum(scored_weight)::float8 as scored,
             count(*) filter (where not_scored_reason = 'reporter_cap')::int as capped
        from reports where reporter = 'fed-up@inbox.example'`;
    expect(row).toEqual({ scored: 5, capped: 4 });
  });

  it('reads a folder afresh when its UIDVALIDITY changes, and counts nothing twice', async () => {
    const { env, account, start } = await mailboxEnv();
    const first = [0, 1, 2].map((i) => copyOf(corpusMessage('rfc5965-example.eml'), 100 + i));
    await account.append(first);
    const poller = start();
    await drained(env, account, 3);
    await poller.stop();
    // The server renumbers INBOX (a restore, a rebuilt index); mail arrives meanwhile,
    // and one message comes back from a restore as the very same bytes.
    dovecot.setUidValidity(account.user, 'INBOX', 4242);
    const client = await account.connect();
    expect(Number((await client.mailboxOpen('INBOX')).uidValidity)).toBe(4242);
    await client.logout();
    await account.append([
      ...[3, 4].map((i) => copyOf(corpusMessage('rfc5965-example.eml'), 100 + i)),
      first[0]!,
    ]);
    start();
    await drained(env, account, 5);
    expect(await reportCount(env)).toBe(5);
    expect(await account.count('Processed')).toBe(6);
  });

  it('sets a message too large to store aside in Failed, unread', async () => {
    const { env, account, start } = await mailboxEnv({ MAX_REPORT_BYTES: '2048' });
    const small = corpusMessage('rfc5965-example.eml');
    const large = corpusMessage('sisimai-bsd-arf-01.eml');
    expect([small.length < 2000, large.length > 2100]).toEqual([true, true]);
    await account.append([small, large]);
    const poller = start();
    await drained(env, account, 1);
    expect(await account.count('Failed')).toBe(1);
    expect(await account.count('Processed')).toBe(1);
    expect(poller.stats.movedToFailed).toBe(1);
  });

  it('leaves a message it cannot store in INBOX, backs off, and stores it once storage is back', async () => {
    const { env, account, start } = await mailboxEnv();
    await account.append([corpusMessage('rfc5965-example.eml'), corpusMessage('sisimai-bsd-arf-01.eml')]);
    let storageUp = false;
    const intake: Intake = async (raw, reporter) => {
      if (!storageUp)
        throw new ReputeError('storage.unavailable', 'Report storage is unavailable; try again shortly.');
      return acceptMessage(
        { sql: env.rt.database.sql, queues: env.rt.queues, log: env.rt.log },
        { raw, channel: 'imap', reporter },
      );
    };
    const poller = start({ intake });
    await waitFor(async () => poller.stats.intakeFailures >= 4, { ...TIMEOUT, what: 'failed stores' });
    expect(await account.count('INBOX')).toBe(2);
    expect(await account.count('Processed')).toBe(0);
    // Failures pause the poller; they do not cost it its connection.
    expect(poller.stats.connects).toBe(1);
    storageUp = true;
    await drained(env, account, 2);
    expect(await account.count('Processed')).toBe(2);
  });
});

describe('the abuse mailbox on a server without IDLE or MOVE', { timeout: 120_000 }, () => {
  let dovecot: Dovecot;
  let env: TestEnv | undefined;
  let poller: MailboxPoller | undefined;

  beforeAll(async () => {
    dovecot = await startDovecot({
      capabilities:
        'IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE NAMESPACE CHILDREN UNSELECT ESEARCH',
    });
  });
  afterAll(async () => {
    await poller?.stop();
    await env?.close();
    await dovecot?.close();
  });

  it('polls, copies and expunges instead, and still moves failures aside', async () => {
    env = await createTestEnv({ IMAP_URL: dovecot.url, IMAP_POLL_SECONDS: '1', IMAP_BATCH: '3' });
    env.startWorkers();
    await dovecot.append([BROKEN_ARF, ...CORPUS.slice(0, 6).map((f) => readFileSync(corpusPath(f)))]);
    poller = startMailboxPoller(env.rt, { backoff: FAST });
    await waitFor(async () => (await dovecot.count('Failed')) === 1, {
      ...TIMEOUT,
      what: 'the failure in Failed',
    });
    expect(await dovecot.count('INBOX')).toBe(0);
    expect(await dovecot.count('Processed')).toBe(6);
    // A message arriving later is found by the next poll.
    await dovecot.append([copyOf(readFileSync(corpusPath('rfc5965-example.eml')), 9)]);
    await waitFor(async () => (await dovecot.count('Processed')) === 7, {
      ...TIMEOUT,
      what: 'the late message',
    });
    expect(await dovecot.count('INBOX')).toBe(0);
  });
});

describe('the abuse mailbox behind OAuth2, as Microsoft 365 and Gmail run it', { timeout: 120_000 }, () => {
  let dovecot: Dovecot;
  let introspection: Server;
  const envs: TestEnv[] = [];
  const pollers: MailboxPoller[] = [];
  const asked: string[] = [];

  beforeAll(async () => {
    // The identity provider's token introspection (RFC 7662), which Dovecot asks about each token.
    introspection = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        const token = new URLSearchParams(body).get('token') ?? '';
        asked.push(token);
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify(
            token === 'valid-access-token' ? { active: true, username: 'abuse' } : { active: false },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => introspection.listen(0, '127.0.0.1', resolve));
    const { port } = introspection.address() as AddressInfo;
    dovecot = await startDovecot({ oauth2IntrospectionUrl: `http://127.0.0.1:${port}/introspect` });
  });
  afterAll(async () => {
    for (const p of pollers) await p.stop();
    for (const e of envs) await e.close();
    await dovecot?.close();
    await new Promise((resolve) => introspection?.close(resolve));
  });

  const pollWith = async (token: string) => {
    const env = await createTestEnv({
      IMAP_URL: `imap://${encodeURIComponent(dovecot.user)}@${dovecot.host}:${dovecot.port}/INBOX`,
      IMAP_ACCESS_TOKEN: token,
      IMAP_POLL_SECONDS: '1',
    });
    envs.push(env);
    env.startWorkers();
    pollers.push(startMailboxPoller(env.rt, { backoff: FAST }));
    return env;
  };

  it('signs in with an access token and no password, and drains the mailbox', async () => {
    await dovecot.append([copyOf(readFileSync(corpusPath('rfc5965-example.eml')), 41)]);
    const env = await pollWith('valid-access-token');
    await waitFor(async () => (await dovecot.count('Processed')) === 1, {
      ...TIMEOUT,
      what: 'the message processed',
    });
    expect(asked).toContain('valid-access-token');
    const [row] = await env.rt.database.sql<{ channel: string }[]>`select channel from inbound_messages`;
    expect(row?.channel).toBe('imap');
    // The next test uses the same mailbox: this poller must not drain it.
    await pollers.pop()?.stop();
  });

  it('leaves the mail where it is when the token is refused, and keeps trying', async () => {
    await dovecot.append([copyOf(readFileSync(corpusPath('rfc5965-example.eml')), 42)]);
    const env = await pollWith('expired-access-token');
    // Refused twice: the poller backs off and tries again rather than giving up.
    await waitFor(async () => asked.filter((t) => t === 'expired-access-token').length >= 2, {
      ...TIMEOUT,
      what: 'two refused sign-ins',
    });
    expect(await dovecot.count('INBOX')).toBe(1);
    const [row] = await env.rt.database.sql<{ n: number }[]>`select count(*)::int as n from inbound_messages`;
    expect(row?.n).toBe(0);
  });
});
