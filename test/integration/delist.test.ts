import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSendingIp, addTenant } from '../../src/platform/directory.ts';
import { blockIp } from '../../src/reputation/restrictions.ts';
import { buildArf } from '../support/build-arf.ts';
import { linkIn, startSmtpSink } from '../support/smtp-sink.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/test-env.ts';

type Sink = Awaited<ReturnType<typeof startSmtpSink>>;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (f: Record<string, string>) => new URLSearchParams(f).toString();
/** Each test posts from its own client address, so the per-address limit of one does not spill into another. */
let client = 10;
const nextClient = () => `198.18.0.${client++}`;

describe('the delist portal, from the form to the mailed link to "Delist IP"', () => {
  let env: TestEnv;
  let sink: Sink;
  let viewer: string;
  let service: string;
  let analyst: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    env = await createTestEnv({
      SMTP_URL: sink.url,
      MAIL_FROM: 'Abuse desk <abuse-desk@platform.example>',
    });
    viewer = await env.token('viewer');
    service = await env.token('service');
    analyst = await env.token('analyst');
    const db = env.rt.database.db;
    await addTenant(db, { id: 'fabrikam', name: 'Fabrikam', domains: ['fabrikam.example'] });
    await addSendingIp(db, '203.0.113.9', { tenantId: 'fabrikam' });
    await addSendingIp(db, '203.0.113.10', { tenantId: 'fabrikam' });
    await addSendingIp(db, '203.0.113.11', { tenantId: 'fabrikam' });
    await addSendingIp(db, '::ffff:203.0.113.12', { tenantId: 'fabrikam' });
    await addSendingIp(db, '2001:db8::25', { tenantId: 'fabrikam' });
    env.startWorkers();
  });
  afterAll(async () => {
    await env?.close();
    await sink?.close();
  });

  const ask = async (email: string, ip: string, from = nextClient()) =>
    env.app.inject({
      method: 'POST',
      url: '/delist',
      headers: FORM,
      payload: form({ email, ip }),
      remoteAddress: from,
    });
  const open = (link: URL) => env.app.inject({ url: `${link.pathname}${link.search}` });
  const confirm = (link: URL) =>
    env.app.inject({
      method: 'POST',
      url: '/delist/confirm',
      headers: FORM,
      payload: form({ token: link.searchParams.get('token')! }),
    });
  const linkFor = async (email: string, ip: string) => {
    const res = await ask(email, ip);
    expect(res.statusCode).toBe(200);
    return linkIn(await sink.next(email));
  };
  const check = async (ip: string) =>
    (
      await env.app.inject({ url: `/v1/check?ip=${ip}`, headers: { authorization: `Bearer ${service}` } })
    ).json();
  const ipStatus = async (ip: string) =>
    (await env.app.inject({ url: `/v1/ips/${ip}`, headers: { authorization: `Bearer ${viewer}` } })).json()
      .score.status;

  it('shows a form that works without JavaScript', async () => {
    const res = await env.app.inject({ url: '/delist?ip=203.0.113.9' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).toContain('<form class="stack" method="post" action="/delist"');
    expect(res.body).toContain('value="203.0.113.9"');
    expect(res.body).not.toContain('<script');
  });

  it('delists an IP the policy blocked, from the link in the mail, and the MTAs hear of it', async () => {
    await policyBlock('203.0.113.9');
    await waitFor(async () => (await check('203.0.113.9')).allow === false, {
      what: 'the check cache to say blocked',
    });

    const res = await ask('postmaster@fabrikam.example', '203.0.113.9');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Check your mail');
    const mail = await sink.next('postmaster@fabrikam.example');
    expect(mail.from).toBe('abuse-desk@platform.example');
    expect(mail.subject).toBe('Confirm the delisting of 203.0.113.9');
    const link = linkIn(mail);
    expect(link.origin).toBe('https://repute.test');
    expect(link.pathname).toBe('/delist/confirm');
    expect(link.searchParams.get('token')!.length).toBeGreaterThanOrEqual(22); // ≥ 128 bits in base64url

    const page = await open(link);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('203.0.113.9');
    expect(page.body).toContain('status-blocked');
    expect(page.body).toMatch(/<button type="submit">Delist IP<\/button>/);
    // Opening the link changes nothing.
    expect(await ipStatus('203.0.113.9')).toBe('blocked');

    const done = await confirm(link);
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('203.0.113.9 has been delisted');
    expect(done.body).toContain('blocked again if the abuse continues');
    expect(await ipStatus('203.0.113.9')).toBe('ok');
    const events = (
      await env.app.inject({
        url: '/v1/events?after=0&limit=1000',
        headers: { authorization: `Bearer ${viewer}` },
      })
    ).json().items as Array<{ type: string; subject: string; actor: string }>;
    expect(events.filter((e) => e.subject === '203.0.113.9').map((e) => [e.type, e.actor])).toEqual([
      ['ip.warned', 'policy'],
      ['ip.blocked', 'policy'],
      ['ip.delisted', 'delist-portal'],
    ]);
    const [audit] = await env.rt.database.sql<{ actor: string; action: string; note: string }[]>`
      select actor, action, note from audit_log where subject = '203.0.113.9' order by id desc limit 1`;
    expect(audit).toMatchObject({ actor: 'delist-portal', action: 'ip.delist' });
    expect(audit!.note).toContain('postmaster@fabrikam.example');
    await waitFor(async () => (await check('203.0.113.9')).allow === true, {
      what: 'the check cache to allow again',
    });

    // Single use: the same link again changes nothing and says so.
    const again = await confirm(link);
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('This link has been used');
    expect((await open(link)).statusCode).toBe(410);
  });

  it('keeps only a hash of the token', async () => {
    const link = await linkFor('hash@fabrikam.example', '203.0.113.10');
    const token = link.searchParams.get('token')!;
    const rows = await env.rt.database.sql<{ token_hash: Buffer; email: string }[]>`
      select * from delist_requests where email = 'hash@fabrikam.example'`;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash.equals(createHash('sha256').update(token).digest())).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('answers the same whether or not the IP is listed, and a link for an IP that is not blocked changes nothing', async () => {
    await blockIp(
      env.rt.database.sql,
      '203.0.113.10',
      { actor: 'user:test', note: 'listed for this test' },
      'https://repute.test',
    );
    const listed = await ask('same@fabrikam.example', '203.0.113.10');
    const unlisted = await ask('same@fabrikam.example', '192.0.2.44');
    expect(listed.statusCode).toBe(unlisted.statusCode);
    expect(listed.body.replaceAll('203.0.113.10', 'IP')).toBe(unlisted.body.replaceAll('192.0.2.44', 'IP'));
    // The mails are sent in the order asked, and read the same too.
    const listedMail = await sink.next('same@fabrikam.example');
    const unlistedMail = await sink.next('same@fabrikam.example', 'the second mail');
    const strip = (t: string, ip: string) => t.replaceAll(ip, 'IP').replace(/token=[\w-]+/, 'token=T');
    expect(strip(listedMail.text, '203.0.113.10')).toBe(strip(unlistedMail.text, '192.0.2.44'));
    const unlistedLink = linkIn(unlistedMail);
    const page = (await open(unlistedLink)).body;
    expect(page).toContain('192.0.2.44 is not blocked');
    expect(page).not.toContain('Delist IP</button>');
    const before = await env.rt.database.sql`select count(*)::int as n from restriction_events`;
    const res = await confirm(unlistedLink);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('is not blocked');
    const after = await env.rt.database.sql`select count(*)::int as n from restriction_events`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('refuses an expired link and leaves the IP blocked', async () => {
    const link = await linkFor('late@fabrikam.example', '203.0.113.10');
    await env.rt.database.sql`
      update delist_requests set expires_at = now() - interval '1 second', created_at = now() - interval '31 minutes'
       where email = 'late@fabrikam.example'`;
    const page = await open(link);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('This link has expired');
    const res = await confirm(link);
    expect(res.statusCode).toBe(410);
    expect(await ipStatus('203.0.113.10')).toBe('blocked');
  });

  it('refuses the fourth delist of an IP within 30 days and points to support', async () => {
    const ip = '2001:db8::25';
    for (let i = 1; i <= 3; i++) {
      await policyBlock(ip);
      const res = await confirm(await linkFor(`ops${i}@fabrikam.example`, '2001:DB8:0::25'));
      expect(res.body).toContain(`${ip} has been delisted`);
    }
    await policyBlock(ip);
    const link = await linkFor('ops4@fabrikam.example', ip);
    const page = await open(link);
    expect(page.body).toContain('Contact support');
    expect(page.body).not.toContain('Delist IP</button>');
    const res = await confirm(link);
    expect(res.statusCode).toBe(429);
    expect(res.body).toContain('contact our support team');
    expect(await ipStatus(ip)).toBe('blocked');
  });

  it('cannot lift a block the trust team placed, and says no more than to contact support', async () => {
    const ip = '203.0.113.11';
    const note = 'Hand-blocked: snowshoe spam, ticket T-1234';
    const blocked = await env.app.inject({
      method: 'POST',
      url: `/v1/ips/${ip}/block`,
      headers: { authorization: `Bearer ${analyst}` },
      payload: { note },
    });
    expect(blocked.statusCode).toBe(200);
    const link = await linkFor('owner@fabrikam.example', ip);
    const page = await open(link);
    expect(page.body).toContain('Contact support');
    expect(page.body).toContain('cannot be delisted through this portal');
    expect(page.body).not.toContain('Delist IP</button>');
    for (const secret of ['snowshoe', 'T-1234', 'trust team', 'blocked'])
      expect(page.body).not.toContain(secret);
    const res = await confirm(link);
    expect(res.statusCode).toBe(409);
    expect(res.body).not.toContain('snowshoe');
    expect(await ipStatus(ip)).toBe('blocked');
    expect((await check(ip)).allow).toBe(false);
    // Lifted by the trust team, blocked again by the policy: the portal can delist that one.
    await env.app.inject({
      method: 'POST',
      url: `/v1/ips/${ip}/unblock`,
      headers: { authorization: `Bearer ${analyst}` },
      payload: { note: 'reviewed with the sender' },
    });
    await policyBlock(ip);
    const again = await confirm(await linkFor('owner2@fabrikam.example', ip));
    expect(again.body).toContain(`${ip} has been delisted`);
  });

  it('treats every spelling of an IPv4-mapped address as the IPv4 address', async () => {
    const ip = '203.0.113.12';
    await policyBlock(ip);
    await waitFor(async () => (await check(ip)).allow === false, { what: 'the check cache to say blocked' });
    for (const spelling of ['::ffff:cb00:710c', '0:0:0:0:0:ffff:203.0.113.12', '::FFFF:CB00:710C']) {
      expect((await check(encodeURIComponent(spelling))).allow).toBe(false);
      const ipPage = await env.app.inject({
        url: `/v1/ips/${encodeURIComponent(spelling)}`,
        headers: { authorization: `Bearer ${viewer}` },
      });
      expect(ipPage.json().ip).toBe(ip);
    }
    const res = await ask('mapped@fabrikam.example', '::ffff:cb00:710c');
    expect(res.statusCode).toBe(200);
    const mail = await sink.next('mapped@fabrikam.example');
    expect(mail.subject).toBe(`Confirm the delisting of ${ip}`);
    expect((await confirm(linkIn(mail))).body).toContain(`${ip} has been delisted`);
  });

  it('validates the address and the IP with messages a sender can act on', async () => {
    const bad = await ask('not-an-address', '203.0.113.300');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('is not an e-mail address');
    expect(bad.body).toContain('is not an IP address');
    expect(bad.body).toContain('value="not-an-address"');
    const two = await ask('a@fabrikam.example', '203.0.113.9, 203.0.113.10');
    expect(two.body).toContain('Enter one IP address per request.');
    const empty = await ask('', '');
    expect(empty.body).toContain('Enter the e-mail address');
    const hostile = await ask('"><script>alert(1)</script>', '<img src=x onerror=alert(1)>');
    expect(hostile.body).not.toContain('<script>alert(1)');
    expect(hostile.body).not.toContain('<img src=x');
    expect(hostile.body).toContain('&lt;script&gt;');
    const v6 = await ask('v6@fabrikam.example', '2001:DB8:0:0::25');
    expect(v6.statusCode).toBe(200);
    expect((await sink.next('v6@fabrikam.example')).subject).toBe('Confirm the delisting of 2001:db8::25');
  });

  it('says a link that is not ours is not valid', async () => {
    const res = await env.app.inject({
      url: `/delist/confirm?token=${randomBytes(32).toString('base64url')}`,
    });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('This link is not valid');
    const odd = await env.app.inject({ url: '/delist/confirm?token=%3Cscript%3E' });
    expect(odd.body).not.toContain('<script>');
  });

  it('lists pending requests for the trust team', async () => {
    const res = await env.app.inject({
      url: '/v1/overview',
      headers: { authorization: `Bearer ${analyst}` },
    });
    const pending = res.json().pendingDelists as Array<{ email: string }>;
    expect(pending.some((p) => p.email === 'hash@fabrikam.example')).toBe(true);
    expect(pending.some((p) => p.email === 'postmaster@fabrikam.example')).toBe(false);
  });

  let partner: string | undefined;
  const partnerToken = async () => {
    partner ??= await env.token('partner');
    return partner;
  };
  /** 50 partner complaints: the policy's count line, so the block is the policy's. */
  async function policyBlock(ip: string) {
    for (let i = 0; i < 50; i++) {
      const res = await env.app.inject({
        method: 'POST',
        url: '/v1/reports',
        payload: buildArf({
          id: `dl-${ip}-${i}-${randomBytes(3).toString('hex')}`,
          sourceIp: ip,
          mailFrom: 'promo@fabrikam.example',
        }),
        headers: { authorization: `Bearer ${await partnerToken()}`, 'content-type': 'message/rfc822' },
      });
      expect(res.statusCode).toBe(202);
    }
    await waitFor(async () => (await ipStatus(ip)) === 'blocked', { what: `the policy to block ${ip}` });
  }
});

describe('the delist form limits', () => {
  let env: TestEnv;
  let sink: Sink;

  beforeAll(async () => {
    sink = await startSmtpSink();
    env = await createTestEnv({
      SMTP_URL: sink.url,
      DELIST_MAX_PER_CLIENT: '4',
      DELIST_MAX_PER_EMAIL: '2',
      DELIST_MAX_PER_IP_EMAIL: '2',
    });
  });
  afterAll(async () => {
    await env?.close();
    await sink?.close();
  });

  const ask = (email: string, ip: string, from: string) =>
    env.app.inject({
      method: 'POST',
      url: '/delist',
      headers: FORM,
      payload: form({ email, ip }),
      remoteAddress: from,
    });

  it('limits requests per e-mail address, however it is spelt', async () => {
    expect((await ask('one@example.com', '192.0.2.1', '198.18.1.1')).statusCode).toBe(200);
    expect((await ask('ONE+delist@Example.com', '192.0.2.2', '198.18.1.2')).statusCode).toBe(200);
    const third = await ask('One+other@EXAMPLE.COM', '192.0.2.3', '198.18.1.3');
    expect(third.statusCode).toBe(429);
    expect(third.headers['retry-after']).toBeDefined();
    expect(third.body).toContain('Too many delist requests');
  });

  it('does not let strangers lock an IP’s owner out by asking for it first', async () => {
    for (let i = 0; i < 12; i++) {
      const res = await ask(`stranger${i}@griefer${i}.example`, '192.0.2.50', `198.18.2.${i + 1}`);
      expect(res.statusCode).toBe(200);
    }
    const owner = await ask('postmaster@owner.example', '192.0.2.50', '198.18.2.100');
    expect(owner.statusCode).toBe(200);
    expect((await sink.next('postmaster@owner.example')).subject).toBe('Confirm the delisting of 192.0.2.50');
    // One address asking for one IP again and again is still limited.
    expect((await ask('postmaster@owner.example', '192.0.2.50', '198.18.2.101')).statusCode).toBe(200);
    expect((await ask('postmaster@owner.example', '192.0.2.50', '198.18.2.102')).statusCode).toBe(429);
  });

  it('limits requests per client address, invalid ones included', async () => {
    const from = '198.18.3.1';
    expect((await ask('x1@example.com', '192.0.2.61', from)).statusCode).toBe(200);
    expect((await ask('bad', 'bad', from)).statusCode).toBe(400);
    expect((await ask('x2@example.com', '192.0.2.62', from)).statusCode).toBe(200);
    expect((await ask('x3@example.com', '192.0.2.63', from)).statusCode).toBe(200);
    expect((await ask('x4@example.com', '192.0.2.64', from)).statusCode).toBe(429);
    // The counters live in Redis under this runtime's prefix.
    const keys = await env.rt.redis.keys(`${env.config.redisPrefix}:delist:rate:*`);
    expect(keys.length).toBeGreaterThan(0);
  });
});
