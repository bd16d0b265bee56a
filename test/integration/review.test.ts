import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptMessage } from '../../src/intake/accept-message.ts';
import { addSendingIp, addTenant } from '../../src/platform/directory.ts';
import type { Role } from '../../src/tokens.ts';
import { buildArf } from '../support/build-arf.ts';
import { csrfIn, type PageSession, signIn } from '../support/review-session.ts';
import { startSmtpSink } from '../support/smtp-sink.ts';
import { createTestEnv, type TestEnv } from '../support/test-env.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('the review desk and its API', () => {
  let env: TestEnv;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  const tokens = {} as Record<Role, string>;
  let seq = 0;

  beforeAll(async () => {
    sink = await startSmtpSink();
    env = await createTestEnv({ SMTP_URL: sink.url });
    for (const role of ['partner', 'service', 'viewer', 'analyst', 'admin'] as Role[])
      tokens[role] = await env.token(role);
    const db = env.rt.database.db;
    await addTenant(db, {
      id: 'northwind',
      name: 'Northwind Traders',
      domains: ['northwind.example'],
      contactEmail: 'it@northwind.example',
    });
    await addSendingIp(db, '198.51.100.23', { tenantId: 'northwind' });
    await addTenant(db, {
      id: 'contoso',
      name: 'Contoso',
      domains: ['contoso.example'],
      contactEmail: 'admins@contoso.example',
    });
    await addSendingIp(db, '203.0.113.50', { tenantId: 'contoso' });
    env.startWorkers();
  });
  afterAll(async () => {
    await env?.close();
    await sink?.close();
  });

  const api = (method: 'GET' | 'POST', url: string, role: Role, payload?: object) =>
    env.app.inject({ method, url, payload, headers: { authorization: `Bearer ${tokens[role]}` } });
  const post = async (raw: Buffer) => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: raw,
      headers: { authorization: `Bearer ${tokens.partner}`, 'content-type': 'message/rfc822' },
    });
    expect(res.statusCode).toBe(202);
    return res.json().id as number;
  };
  const settled = (id: number) => env.settled(id);
  const report = (o: Partial<Parameters<typeof buildArf>[0]> = {}) =>
    buildArf({ id: `${++seq}-${randomBytes(3).toString('hex')}`, ...o });
  const ipStatus = async (ip: string) =>
    (await api('GET', `/v1/ips/${ip}`, 'viewer')).json().score.status as string;
  const eventCount = async () =>
    (await env.rt.database.sql<{ n: number }[]>`select count(*)::int as n from restriction_events`)[0]!.n;

  describe('role boundaries of the API', () => {
    const reads = [
      '/v1/overview',
      '/v1/ips/198.51.100.23/history',
      '/v1/tenants/northwind/history',
      '/v1/audit?subjectType=ip&subject=198.51.100.23',
    ];

    it('lets viewers, analysts and admins read', async () => {
      for (const role of ['viewer', 'analyst', 'admin'] as Role[]) {
        for (const url of reads) expect((await api('GET', url, role)).statusCode, `${role} ${url}`).toBe(200);
      }
    });

    it('does not let partner or service tokens read the review API', async () => {
      for (const role of ['partner', 'service'] as Role[]) {
        for (const url of [...reads, '/v1/ips/198.51.100.23', '/v1/reports', '/v1/events']) {
          const res = await api('GET', url, role);
          expect(res.statusCode, `${role} ${url}`).toBe(403);
          expect(res.json().error.code).toBe('auth.forbidden');
        }
      }
      expect((await env.app.inject({ url: '/v1/overview' })).statusCode).toBe(401);
    });

    it('does not let a viewer act', async () => {
      const note = { note: 'viewer tries to act' };
      for (const url of [
        '/v1/ips/198.51.100.23/block',
        '/v1/ips/198.51.100.23/unblock',
        '/v1/tenants/northwind/restrict',
        '/v1/tenants/northwind/unrestrict',
        '/v1/inbound/1/retry',
      ]) {
        const res = await api('POST', url, 'viewer', url.includes('retry') ? undefined : note);
        expect(res.statusCode, url).toBe(403);
      }
      expect(await ipStatus('198.51.100.23')).toBe('ok');
    });
  });

  describe('pages', () => {
    let analyst: PageSession;
    let viewer: PageSession;
    beforeAll(async () => {
      analyst = await signIn(env.app, tokens.analyst);
      viewer = await signIn(env.app, tokens.viewer);
    });

    it('sends a visitor without a session to the sign-in form, and refuses partner and service tokens there', async () => {
      const res = await env.app.inject({ url: '/review/ips/198.51.100.23' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/review/sign-in?next=%2Freview%2Fips%2F198.51.100.23');
      for (const role of ['partner', 'service'] as Role[]) {
        await expect(signIn(env.app, tokens[role])).rejects.toThrow(/sign-in failed: 403/);
      }
      await expect(signIn(env.app, 'rpt_not-a-token')).rejects.toThrow(/sign-in failed: 401/);
    });

    it('keeps the session in an HttpOnly, SameSite=Strict cookie', async () => {
      const page = await env.app.inject({ url: '/review/sign-in' });
      const res = await env.app.inject({
        method: 'POST',
        url: '/review/sign-in',
        headers: { ...FORM, cookie: `repute_sign_in=${page.cookies[0]!.value}` },
        payload: new URLSearchParams({
          _csrf: csrfIn(page.body),
          token: tokens.viewer,
          next: 'https://evil.example/',
        }).toString(),
      });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/review');
      const cookie = res.cookies.find((c) => c.name === 'repute_session')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/review', secure: true });
      // The session id is not the token, and Redis holds the session only under the id's hash.
      expect(cookie.value).not.toContain(tokens.viewer);
      const keys = await env.rt.redis.keys(`${env.config.redisPrefix}:session:*`);
      expect(keys.some((k) => k.includes(cookie.value.split('.')[0]!))).toBe(false);
    });

    it('refuses the sign-in form without its CSRF token', async () => {
      const res = await env.app.inject({
        method: 'POST',
        url: '/review/sign-in',
        headers: FORM,
        payload: new URLSearchParams({ token: tokens.analyst }).toString(),
      });
      expect(res.statusCode).toBe(403);
      expect(res.cookies.find((c) => c.name === 'repute_session')).toBeUndefined();
    });

    it('shows the overview with worst subjects, events, failed messages, delist requests and queues', async () => {
      const res = await viewer.get('/review');
      expect(res.status).toBe(200);
      for (const heading of [
        'Worst IPs',
        'Worst tenants',
        'Recent restriction events',
        'Failed inbound messages',
        'Pending delist requests',
        'Queues',
      ]) {
        expect(res.body).toContain(heading);
      }
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('lets an analyst block and unblock an IP with a note that lands in the audit log', async () => {
      const page = await analyst.get('/review/ips/198.51.100.23');
      expect(page.status).toBe(200);
      expect(page.body).toContain('<svg class="chart"');
      expect(page.body).toContain('action="/review/ips/198.51.100.23/block"');

      const blocked = await analyst.post('/review/ips/198.51.100.23/block', {
        note: 'Snowshoe spam seen at three providers',
      });
      expect(blocked.status).toBe(303);
      expect(blocked.location).toBe('/review/ips/198.51.100.23?done=ip.blocked');
      expect(await ipStatus('198.51.100.23')).toBe('blocked');
      const after = await analyst.get(blocked.location!);
      expect(after.body).toContain('IP blocked.');
      expect(after.body).toContain('Snowshoe spam seen at three providers');
      expect(after.body).toContain('action="/review/ips/198.51.100.23/unblock"');

      const unblocked = await analyst.post('/review/ips/198.51.100.23/unblock', {
        note: 'Customer removed the bought list',
      });
      expect(unblocked.status).toBe(303);
      expect(await ipStatus('198.51.100.23')).toBe('ok');
      const audit = (await api('GET', '/v1/audit?subjectType=ip&subject=198.51.100.23', 'viewer')).json()
        .items;
      expect(
        audit.map((a: { action: string; actor: string; note: string }) => [a.action, a.actor, a.note]),
      ).toEqual([
        ['ip.unblock', 'user:test-analyst', 'Customer removed the bought list'],
        ['ip.block', 'user:test-analyst', 'Snowshoe spam seen at three providers'],
      ]);
      const events = (await api('GET', '/v1/events?after=0', 'viewer')).json().items as Array<{
        type: string;
        subject: string;
      }>;
      expect(events.filter((e) => e.subject === '198.51.100.23').map((e) => e.type)).toEqual([
        'ip.blocked',
        'ip.unblocked',
      ]);
    });

    it('requires a note', async () => {
      const before = await eventCount();
      const res = await analyst.post('/review/ips/198.51.100.23/block', { note: ' ' });
      expect(res.status).toBe(400);
      expect(res.body).toContain('Say why in a note');
      expect(await eventCount()).toBe(before);
    });

    it('refuses a form without the session CSRF token, or with another, or from another site', async () => {
      const before = await eventCount();
      const bare = await env.app.inject({
        method: 'POST',
        url: '/review/ips/198.51.100.23/block',
        headers: { ...FORM, cookie: analyst.cookie },
        payload: 'note=forged+by+another+site',
      });
      expect(bare.statusCode).toBe(403);
      expect(bare.body).toContain('did not come from the review desk');
      const other = await env.app.inject({
        method: 'POST',
        url: '/review/ips/198.51.100.23/block',
        headers: { ...FORM, cookie: analyst.cookie },
        payload: new URLSearchParams({ _csrf: viewer.csrf, note: 'token of another session' }).toString(),
      });
      expect(other.statusCode).toBe(403);
      const crossSite = await env.app.inject({
        method: 'POST',
        url: '/review/ips/198.51.100.23/block',
        headers: { ...FORM, cookie: analyst.cookie, 'sec-fetch-site': 'cross-site' },
        payload: new URLSearchParams({ _csrf: analyst.csrf, note: 'cross-site post' }).toString(),
      });
      expect(crossSite.statusCode).toBe(403);
      expect(await eventCount()).toBe(before);
      expect(await ipStatus('198.51.100.23')).toBe('ok');
    });

    it('shows a viewer no action forms and refuses their posts', async () => {
      const page = await viewer.get('/review/ips/198.51.100.23');
      expect(page.body).not.toContain('/block"');
      const res = await viewer.post('/review/ips/198.51.100.23/block', { note: 'viewer wants to block' });
      expect(res.status).toBe(403);
      expect(await ipStatus('198.51.100.23')).toBe('ok');
    });

    it('asks for the three checks before lifting a tenant restriction', async () => {
      const restricted = await analyst.post('/review/tenants/northwind/restrict', {
        note: 'Payroll phish from lookalike domains',
      });
      expect(restricted.status).toBe(303);
      const page = await analyst.get('/review/tenants/northwind');
      expect(page.body).toContain('status-restricted_unregistered');
      for (const c of ['domainsRegistered', 'connectorsReviewed', 'relaysSecured'])
        expect(page.body).toContain(`name="${c}"`);
      const missing = await analyst.post('/review/tenants/northwind/unrestrict', {
        note: 'Tenant says it is fixed',
        domainsRegistered: 'yes',
      });
      expect(missing.status).toBe(400);
      expect(missing.body).toContain('connectorsReviewed');
      const lifted = await analyst.post('/review/tenants/northwind/unrestrict', {
        note: 'Registered payroll domain, removed open relay',
        domainsRegistered: 'yes',
        connectorsReviewed: 'yes',
        relaysSecured: 'yes',
      });
      expect(lifted.status).toBe(303);
      const [audit] = await env.rt.database.sql<
        { actor: string; note: string; detail: { checks: Record<string, boolean> } }[]
      >`
        select actor, note, detail from audit_log where action = 'tenant.unrestrict' and subject = 'northwind'`;
      expect(audit).toMatchObject({
        actor: 'user:test-analyst',
        note: 'Registered payroll domain, removed open relay',
      });
      expect(audit!.detail.checks).toEqual({
        domainsRegistered: true,
        connectorsReviewed: true,
        relaysSecured: true,
      });
    });

    it('escapes a hostile report everywhere it is shown', async () => {
      const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>';
      const raw = Buffer.from(
        report({ sourceIp: '198.51.100.23', mailFrom: 'deals@northwind.example' })
          .toString('latin1')
          .replace(/^Subject: Offer number .*$/m, `Subject: ${hostile}`),
        'latin1',
      );
      const id = await post(raw);
      expect(await settled(id)).toBe('processed');
      const [row] = await env.rt.database.sql<
        { subject: string }[]
      >`select subject from reports where inbound_id = ${id}`;
      expect(row!.subject).toBe(hostile);
      for (const url of ['/review/ips/198.51.100.23', `/review/inbound/${id}`, '/review/tenants/northwind']) {
        const page = await viewer.get(url);
        expect(page.status, url).toBe(200);
        expect(page.body, url).not.toContain('<script>alert(1)');
        expect(page.body, url).not.toContain('<img src=x');
        expect(page.body, url).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      }
      const rawPage = await viewer.get(`/review/inbound/${id}/raw`);
      expect(rawPage.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(rawPage.headers['content-security-policy']).toContain('sandbox');
      expect(rawPage.body).toContain(hostile);
    });

    it('shows each report’s evidence level, and the trusted part of the score', async () => {
      const partnerId = await post(report({ sourceIp: '203.0.113.50', mailFrom: 'news@contoso.example' }));
      // The same kind of report mailed in by a stranger: claimed.
      const mailed = await acceptMessage(
        { sql: env.rt.database.sql, queues: env.rt.queues, log: env.rt.log },
        {
          raw: report({
            sourceIp: '203.0.113.50',
            mailFrom: 'news@contoso.example',
            reporter: 'x@stranger.example',
          }),
          channel: 'imap',
          reporter: 'x@stranger.example',
        },
      );
      await env.settledAll([partnerId, mailed.id]);
      const page = await viewer.get('/review/ips/203.0.113.50');
      expect(page.body).toContain('<th>Evidence</th>');
      expect(page.body).toMatch(/class="evidence evidence-partner"[^>]*>partner</);
      expect(page.body).toMatch(/class="evidence evidence-claimed"[^>]*>claimed</);
      expect(page.body).toContain('partner token test-partner');
      expect(page.body).toContain('Trusted complaints');
      const score = (
        await env.app.inject({
          url: '/v1/ips/203.0.113.50',
          headers: { authorization: `Bearer ${tokens.viewer}` },
        })
      ).json().score;
      expect(score.complaints).toBeCloseTo(2, 2);
      expect(score.trustedComplaints).toBeCloseTo(1, 2);
    });

    it('pages the reports behind a score: 50 of 60, then the 10 older ones', async () => {
      await addSendingIp(env.rt.database.db, '203.0.113.60', { tenantId: 'contoso' });
      const ids: number[] = [];
      for (let i = 0; i < 60; i++)
        ids.push(await post(report({ sourceIp: '203.0.113.60', mailFrom: 'a@contoso.example' })));
      await env.settledAll(ids);
      const first = await viewer.get('/review/ips/203.0.113.60');
      expect(first.body).toContain('50 of 60, newest first');
      expect(first.body.match(/<tbody class="report">/g)).toHaveLength(50);
      const older = /href="(\/review\/ips\/203\.0\.113\.60\?before=\d+)#reports">older reports</.exec(
        first.body,
      );
      expect(older).not.toBeNull();
      const second = await viewer.get(older![1]!.replace(/&amp;/g, '&'));
      expect(second.status).toBe(200);
      expect(second.body).toContain('10 of 60, newest first (an older page)');
      expect(second.body.match(/<tbody class="report">/g)).toHaveLength(10);
      expect(second.body).toContain('href="/review/ips/203.0.113.60">newest</a>');
      expect(second.body).not.toContain('older reports');
      // The fields of a report have a row of their own, the table's whole width.
      expect(first.body).toMatch(
        /<tr class="fields"><td colspan="11"><details><summary>Fields of report \d+<\/summary>/,
      );
      expect((await viewer.get('/review/ips/203.0.113.60?before=1e30')).status).toBe(400);
    });

    it('draws 30 days of complaints and volume for an IP', async () => {
      const id = await post(
        report({ sourceIp: '198.51.100.23', mailFrom: 'deals@northwind.example', feedbackType: 'fraud' }),
      );
      await settled(id);
      const vol = await env.app.inject({
        method: 'POST',
        url: '/v1/volume',
        headers: { authorization: `Bearer ${tokens.service}` },
        payload: [{ ip: '198.51.100.23', tenant: 'northwind', count: 5000, at: new Date().toISOString() }],
      });
      expect(vol.statusCode).toBeLessThan(300);
      const history = (await api('GET', '/v1/ips/198.51.100.23/history', 'viewer')).json().days as Array<{
        day: string;
        complaints: number;
        volume: number;
        rate: number | null;
      }>;
      expect(history).toHaveLength(30);
      const today = history.at(-1)!;
      expect(today.day).toBe(new Date().toISOString().slice(0, 10));
      expect(today.complaints).toBeGreaterThanOrEqual(3);
      expect(today.volume).toBe(5000);
      expect(today.rate).toBeCloseTo(today.complaints / 5000, 6);
      const page = await viewer.get('/review/ips/198.51.100.23');
      expect(page.body).toMatch(/<rect [^>]*fill="#c0392b"><title>\d{4}-\d\d-\d\d: /);
      expect(page.body).toMatch(/<circle [^>]*><title>\d{4}-\d\d-\d\d: 0.0[0-9]+ %<\/title>/);
    });

    it('re-processes a failed inbound message after a parser fix, from the button and the API', async () => {
      const insertFailed = async () => {
        const raw = report({ sourceIp: '198.51.100.23', mailFrom: 'deals@northwind.example' });
        const [row] = await env.rt.database.sql<{ id: number }[]>`
          insert into inbound_messages (sha256, raw, size, channel, status, enqueued, failure_code, failure_detail, processed_at)
          values (sha256(${raw}), ${raw}, ${raw.length}, 'webhook', 'failed', true, 'arf.no_feedback_part', 'an older parser missed it', now())
          returning id`;
        return row!.id;
      };
      const a = await insertFailed();
      const overview = await analyst.get('/review');
      expect(overview.body).toContain(`action="/review/inbound/${a}/retry"`);
      expect((await viewer.get('/review')).body).not.toContain(`action="/review/inbound/${a}/retry"`);
      const res = await analyst.post(`/review/inbound/${a}/retry`, {});
      expect(res.status).toBe(303);
      expect(await settled(a)).toBe('processed');

      const b = await insertFailed();
      expect((await api('POST', `/v1/inbound/${b}/retry`, 'viewer')).statusCode).toBe(403);
      const ok = await api('POST', `/v1/inbound/${b}/retry`, 'analyst');
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ id: b, status: 'queued' });
      expect(await settled(b)).toBe('processed');
      const again = await api('POST', `/v1/inbound/${b}/retry`, 'analyst');
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('inbound.not_failed');
      const [audit] = await env.rt.database
        .sql`select actor from audit_log where action = 'inbound.retry' and subject = ${String(a)}`;
      expect(audit).toMatchObject({ actor: 'user:test-analyst' });
    });

    it('mails the tenant admins a notice on a warning and on a restriction', async () => {
      for (let i = 0; i < 10; i++) {
        await settled(
          await post(report({ sourceIp: '203.0.113.50', mailFrom: `ceo@contoso-payroll${i % 3}.example` })),
        );
      }
      const warned = await sink.next('admins@contoso.example', 'the warning notice');
      const restricted = await sink.next('admins@contoso.example', 'the restriction notice');
      const [first, second] = [warned, restricted].sort(
        (x, y) => (x.subject.startsWith('Warning') ? -1 : 1) - (y.subject.startsWith('Warning') ? -1 : 1),
      );
      expect(first!.subject).toBe('Warning: complaints about mail from unregistered domains of Contoso');
      expect(second!.subject).toBe('Action needed: Contoso can no longer send from unregistered domains');
      expect(second!.text).toContain(
        '550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains.',
      );
      expect(second!.text).toContain('Register every domain');
      const page = await viewer.get('/review/tenants/contoso');
      expect(page.body).toContain('Notices to the tenant');
      expect(page.body).toContain('admins@contoso.example');
      // Once per event, however often the outbox hands it over.
      const rows = await env.rt.database.sql`select status from tenant_notices where tenant_id = 'contoso'`;
      expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
    });

    it('ends the session on sign-out', async () => {
      const s = await signIn(env.app, tokens.viewer);
      expect((await s.post('/review/sign-out', {})).status).toBe(303);
      expect((await s.get('/review')).status).toBe(303);
    });
  });
});
