import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signTenantHeader } from '../../src/attribution/tenant-header.ts';
import { addDkimKey } from '../../src/evidence/trust-directory.ts';
import { type MailboxPoller, startMailboxPoller } from '../../src/mailbox/poller.ts';
import { addSendingIp, addTenant } from '../../src/platform/directory.ts';
import { buildArf } from '../support/build-arf.ts';
import { buildForward, forwardOf } from '../support/build-forward.ts';
import { startTestDns, type TestDns } from '../support/dns-server.ts';
import { type Dovecot, type MailUser, mailboxDrained, startDovecot } from '../support/dovecot.ts';
import { reputeSync } from '../support/repute-process.ts';
import {
  newSigner,
  receivedFrom,
  signedOriginal,
  signMessage,
  withReturnPath,
} from '../support/signed-mail.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/test-env.ts';

const KEY = 'tenant-header-key-of-the-platform';
const TIMEOUT = { timeoutMs: 90_000, intervalMs: 100 };

// The platform signs its tenants' mail with their domains' keys; the partner signs its reports.
const northwindKey = newSigner('northwind.example', 's1');
const malloryKey = newSigner('mallory.example', 's1');
const partnerKey = newSigner('fbl.bigmail.example', 'fbl', 1024);

/**
 * Every complaint may be forged. Each attack here goes through the real abuse mailbox
 * (Dovecot, the poller) or the webhook, and ends with its victim allowed by /v1/check and
 * every report kept; genuine complaints still block at the same lines.
 */
describe('complaints nobody can forge, tried as an attacker would', { timeout: 180_000 }, () => {
  let dovecot: Dovecot;
  let dns: TestDns;
  let account: MailUser;
  let env: TestEnv;
  let poller: MailboxPoller;
  let partner: string;
  let service: string;
  let viewer: string;
  let appended = 0;

  beforeAll(async () => {
    [dovecot, dns] = await Promise.all([startDovecot(), startTestDns()]);
    dns.setTxt('fbl._domainkey.fbl.bigmail.example', partnerKey.dnsRecord);
    account = await dovecot.addUser();
    env = await createTestEnv({
      IMAP_URL: account.url,
      IMAP_POLL_SECONDS: '1',
      TENANT_HEADER_KEY: KEY,
      DKIM_DNS_SERVERS: dns.server,
    });
    const db = env.rt.database.db;
    await addTenant(db, { id: 'victim', name: 'Victim', domains: ['victim.example'] });
    for (const ip of ['198.51.100.50', '198.51.100.52', '198.51.100.53'])
      await addSendingIp(db, ip, { tenantId: 'victim' });
    // Claimed evidence is capped per subject, the tenant too: a victim of its own for that attack.
    await addTenant(db, { id: 'victim2', name: 'Victim Two', domains: ['victim2.example'] });
    await addSendingIp(db, '198.51.100.51', { tenantId: 'victim2' });
    await addTenant(db, { id: 'northwind', name: 'Northwind', domains: ['northwind.example'] });
    for (const ip of ['198.51.100.23', '198.51.100.24', '198.51.100.25', '198.51.100.26'])
      await addSendingIp(db, ip, { tenantId: 'northwind' });
    await addTenant(db, { id: 'mallory', name: 'Mallory', domains: ['mallory.example'] });
    await addSendingIp(db, '198.51.100.66', { tenantId: 'mallory' });

    // The trust team's set-up, from the command line.
    const dir = mkdtempSync(join(tmpdir(), 'repute-keys-'));
    writeFileSync(join(dir, 'northwind.pem'), northwindKey.publicKeyPem);
    const repute = (...args: string[]) => reputeSync(env.processEnv, ...args);
    const dkim = repute('dkim', 'add', 'northwind.example', 's1', join(dir, 'northwind.pem'));
    expect(dkim.stderr).toBe('');
    expect(dkim.stdout).toBe('rsa key for s1._domainkey.northwind.example added\n');
    const partnerAdd = repute('partner', 'add', 'bigmail', '--domain', 'bigmail.example');
    expect(partnerAdd).toMatchObject({ status: 0, stdout: 'partner bigmail: bigmail.example\n' });
    expect(repute('partner', 'list').stdout).toBe('bigmail\tbigmail.example\n');
    expect(repute('dkim', 'add', 'northwind.example', 's1', join(dir, 'missing.pem')).status).toBe(1);
    rmSync(dir, { recursive: true });
    await addDkimKey(env.rt.database.sql, {
      domain: 'mallory.example',
      selector: 's1',
      publicKey: malloryKey.dnsRecord,
    });

    partner = await env.token('partner');
    service = await env.token('service');
    viewer = await env.token('viewer');
    env.startWorkers();
    poller = startMailboxPoller(env.rt, { backoff: { baseMs: 50, maxMs: 500 } });
  });
  afterAll(async () => {
    await poller?.stop();
    await env?.close();
    await dovecot?.close();
    await dns?.close();
  });

  /** Mails messages to the abuse mailbox and waits until the workers are through with all of them. */
  const mail = async (messages: Buffer[]) => {
    appended += messages.length;
    await account.append(messages);
    await mailboxDrained(env, account, appended, TIMEOUT);
  };
  const postArf = async (o: Parameters<typeof buildArf>[0]) => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: buildArf(o),
      headers: { authorization: `Bearer ${partner}`, 'content-type': 'message/rfc822' },
    });
    expect(res.statusCode).toBe(202);
    return res.json().id as number;
  };
  const check = async (query: string) =>
    (
      await env.app.inject({ url: `/v1/check?${query}`, headers: { authorization: `Bearer ${service}` } })
    ).json();
  const scoreOf = async (ip: string) =>
    (await env.app.inject({ url: `/v1/ips/${ip}`, headers: { authorization: `Bearer ${viewer}` } })).json()
      .score;
  const reportsAbout = (where: { ip?: string; tenant?: string; subjectLike?: string }) =>
    env.rt.database.sql<
      {
        evidence_level: string;
        scored_weight: number;
        trusted_weight: number;
        not_scored_reason: string | null;
      }[]
    >`
      select evidence_level, scored_weight, trusted_weight, not_scored_reason, tenant_header_status, tenant_id
        from reports
       where ${where.ip ? env.rt.database.sql`ip = ${where.ip}::inet` : env.rt.database.sql`true`}
         and ${where.tenant ? env.rt.database.sql`tenant_id = ${where.tenant}` : env.rt.database.sql`true`}
         and ${where.subjectLike ? env.rt.database.sql`subject like ${where.subjectLike}` : env.rt.database.sql`true`}`;
  const blockEvents = async (subject: string) =>
    (
      await env.rt.database.sql<{ n: number }[]>`
        select count(*)::int as n from restriction_events
         where subject = ${subject} and type in ('ip.blocked', 'tenant.restricted_unregistered')`
    )[0]!.n;
  const sum = (rows: Array<{ scored_weight: number }>) => rows.reduce((s, r) => s + r.scored_weight, 0);
  /**
   * Recipients forwarding mail the platform signed for a tenant, each a message of its own,
   * taken in from `hopIp` by their MX (every `headersOnlyEvery`th forwarded as headers only).
   */
  const signedForwards = async (
    signer: typeof northwindKey,
    o: { n: number; hopIp: string; subject: string; headersOnlyEvery?: number },
  ) => {
    const out: Buffer[] = [];
    for (let i = 0; i < o.n; i++) {
      const reporter = `reader${i}@recipient.example`;
      const original = await signedOriginal(signer, {
        from: `Offers <offers@${signer.domain}>`,
        to: reporter,
        messageId: `<${o.subject.toLowerCase()}-${i}@${signer.domain}>`,
        subject: `${o.subject} ${i}`,
      });
      const headersOnly = o.headersOnlyEvery !== undefined && i % o.headersOnlyEvery === 0;
      const forward = forwardOf(receivedFrom(original, o.hopIp), {
        reporter,
        id: `${o.subject}-${i}`,
        headersOnly,
      });
      out.push(withReturnPath(forward, reporter));
    }
    return out;
  };

  it('a stranger mailing 55 ARF reports that name a victim’s IP gets it nowhere near a block', async () => {
    const victimIp = '198.51.100.50';
    await mail(
      Array.from({ length: 55 }, (_, i) =>
        withReturnPath(
          buildArf({
            id: `forged-arf-${i}`,
            sourceIp: victimIp,
            mailFrom: 'news@victim.example',
            reporter: 'fbl@evil.example',
          }),
          'fbl@evil.example',
        ),
      ),
    );
    const rows = await reportsAbout({ ip: victimIp });
    expect(rows).toHaveLength(55);
    expect(new Set(rows.map((r) => r.evidence_level))).toEqual(new Set(['claimed']));
    // One reporter, one envelope domain: 5 a day, the rest kept with the reason.
    expect(sum(rows)).toBe(5);
    expect(rows.filter((r) => r.not_scored_reason === 'reporter_cap')).toHaveLength(50);
    expect((await scoreOf(victimIp)).trustedComplaints).toBe(0);
    expect(await check(`ip=${victimIp}`)).toMatchObject({ allow: true });
    expect(await blockEvents(victimIp)).toBe(0);
  });

  it('55 forwards from 55 reporter domains, with a forged hop through a victim’s IP, add no more than the claimed cap', async () => {
    const victimIp = '198.51.100.51';
    await mail(
      Array.from({ length: 55 }, (_, i) => {
        const reporter = `someone@reporter${i}.example`;
        return withReturnPath(
          buildForward({
            reporter,
            id: `rotating-${i}`,
            sendingIp: victimIp,
            sender: 'deals@victim2.example',
          }),
          reporter,
        );
      }),
    );
    const rows = await reportsAbout({ ip: victimIp });
    expect(rows).toHaveLength(55);
    // Each reporter is new, but all claimed evidence together adds 20 a day to one subject.
    expect(sum(rows)).toBe(20);
    expect(rows.filter((r) => r.not_scored_reason === 'claimed_cap')).toHaveLength(35);
    const score = await scoreOf(victimIp);
    expect(score.trustedComplaints).toBe(0);
    expect(await check(`ip=${victimIp}`)).toMatchObject({ allow: true });
    expect(await blockEvents(victimIp)).toBe(0);
  });

  it('a tenant header lifted from real mail pins nothing on the tenant, and the real message complains once', async () => {
    const t = Math.floor(Date.now() / 1000) - 600;
    const realId = '<newsletter-7@victim.example>';
    const lifted = signTenantHeader('victim', t, realId, KEY);
    // Phishing from a domain the victim never registered, carrying the victim's real stamp:
    // 10 such complaints would restrict the victim to its registered domains.
    const phish = (i: number) =>
      Buffer.from(
        [
          'From: Payroll <payroll@victim-payroll-update.example>',
          'To: staff@recipient.example',
          `Subject: Phish ${i}`,
          `Message-ID: <phish-${i}@victim-payroll-update.example>`,
          `X-Repute-Tenant: ${lifted}`,
          '',
          'Confirm your bank details.',
          '',
        ].join('\r\n'),
      );
    const real = Buffer.from(
      [
        'From: Victim News <news@victim.example>',
        'To: reader@recipient.example',
        'Subject: Newsletter 7',
        `Message-ID: ${realId}`,
        `X-Repute-Tenant: ${lifted}`,
        '',
        'Our news.',
        '',
      ].join('\r\n'),
    );
    const reporter = (i: number) => `user${i}@inbox${i}.example`;
    await mail([
      ...Array.from({ length: 55 }, (_, i) =>
        withReturnPath(forwardOf(phish(i), { reporter: reporter(i), id: `ph-${i}` }), reporter(i)),
      ),
      // The genuine newsletter, forwarded by 20 people (or one, 20 times).
      ...Array.from({ length: 20 }, (_, i) =>
        withReturnPath(forwardOf(real, { reporter: reporter(100 + i), id: `nl-${i}` }), reporter(100 + i)),
      ),
    ]);
    const phishRows = await env.rt.database.sql<{ status: string | null; tenant: string | null }[]>`
      select tenant_header_status as status, tenant_id as tenant from reports where subject like 'Phish %'`;
    expect(phishRows).toHaveLength(55);
    expect(phishRows.every((r) => r.status === 'bad_signature' && r.tenant === null)).toBe(true);
    const [tenant] = await env.rt.database.sql<
      { status: string }[]
    >`select status from tenants where id = 'victim'`;
    expect(tenant!.status).toBe('active');
    expect(await check('tenant=victim&from=payroll@victim-payroll-update.example')).toMatchObject({
      allow: true,
    });
    expect(await blockEvents('victim')).toBe(0);

    const realRows = await env.rt.database.sql<
      { evidence_level: string; scored_weight: number; not_scored_reason: string | null; tenant_id: string }[]
    >`select evidence_level, scored_weight, not_scored_reason, tenant_id from reports where subject = 'Newsletter 7'`;
    expect(realRows).toHaveLength(20);
    expect(realRows.every((r) => r.evidence_level === 'verified' && r.tenant_id === 'victim')).toBe(true);
    expect(sum(realRows)).toBe(1);
    expect(realRows.filter((r) => r.not_scored_reason === 'duplicate_message')).toHaveLength(19);
  });

  it('a tenant forwarding its own signed mail through a forged hop gets no other tenant’s IP blocked', async () => {
    const victimIp = '198.51.100.53';
    const messages = await signedForwards(malloryKey, { n: 55, hopIp: victimIp, subject: 'Mallory' });
    await mail(messages);
    const rows = await env.rt.database.sql<
      { evidence_level: string; ip: string | null; tenant_id: string; warnings: string[] }[]
    >`
      select evidence_level, host(ip) as ip, tenant_id, warnings from reports where subject like 'Mallory %'`;
    expect(rows).toHaveLength(55);
    for (const r of rows) {
      expect(r).toMatchObject({ evidence_level: 'verified', ip: null, tenant_id: 'mallory' });
      expect(r.warnings).toContain('attribution.ip_not_the_tenants');
    }
    expect(await check(`ip=${victimIp}`)).toMatchObject({ allow: true });
    expect((await scoreOf(victimIp)).complaints).toBe(0);
  });

  it('still blocks at the count line on partner reports posted to the webhook', async () => {
    const ip = '198.51.100.23';
    const ids: number[] = [];
    for (let i = 0; i < 49; i++)
      ids.push(await postArf({ id: `genuine-${i}`, sourceIp: ip, mailFrom: 'deals@northwind.example' }));
    await env.settledAll(ids);
    expect(await check(`ip=${ip}`)).toMatchObject({ allow: true });
    await env.settled(await postArf({ id: 'genuine-49', sourceIp: ip, mailFrom: 'deals@northwind.example' }));
    await waitFor(async () => (await check(`ip=${ip}`)).allow === false, { what: `${ip} blocked` });
    const rows = await reportsAbout({ ip });
    expect(rows.every((r) => r.evidence_level === 'partner' && r.trusted_weight === 1)).toBe(true);
  });

  it('still blocks at the count line on forwards of originals the platform signed, attached whole or as headers', async () => {
    const ip = '198.51.100.24';
    const forwards = await signedForwards(northwindKey, {
      n: 50,
      hopIp: ip,
      subject: 'Deal',
      headersOnlyEvery: 5,
    });
    await mail(forwards.slice(0, 49));
    expect(await check(`ip=${ip}`)).toMatchObject({ allow: true });
    await mail(forwards.slice(49));
    await waitFor(async () => (await check(`ip=${ip}`)).allow === false, { what: `${ip} blocked` });
    const rows = await env.rt.database.sql<{ evidence_level: string; evidence_detail: string }[]>`
      select evidence_level, evidence_detail from reports where subject like 'Deal %'`;
    expect(rows).toHaveLength(50);
    expect(rows.every((r) => r.evidence_level === 'verified')).toBe(true);
    expect(
      rows.filter((r) => r.evidence_detail === 'DKIM northwind.example s=s1 (header fields)'),
    ).toHaveLength(10);
  });

  it('still blocks on ARF reports a partner mails, DKIM-signed by its domain, with its key from DNS', async () => {
    const ip = '198.51.100.25';
    const reports: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      const arf = buildArf({
        id: `mailed-${i}`,
        sourceIp: ip,
        mailFrom: 'deals@northwind.example',
        reporter: 'fbl@fbl.bigmail.example',
      });
      reports.push(withReturnPath(await signMessage(arf, partnerKey), 'bounces@fbl.bigmail.example'));
    }
    await mail(reports);
    await waitFor(async () => (await check(`ip=${ip}`)).allow === false, { what: `${ip} blocked` });
    const rows = await env.rt.database.sql<{ evidence_level: string; evidence_detail: string }[]>`
      select evidence_level, evidence_detail from reports where host(ip) = ${ip}`;
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((r) => `${r.evidence_level}: ${r.evidence_detail}`))).toEqual(
      new Set(['partner: partner bigmail, DKIM fbl.bigmail.example']),
    );
    // The key was asked for through DNS, once: it is cached.
    const asked = dns.queries.filter((q) => q === 'fbl._domainkey.fbl.bigmail.example');
    expect(asked, dns.queries.join(' ')).toHaveLength(1);
    // A report the partner did not sign, or whose bytes changed after signing, is a stranger's.
    const unsigned = buildArf({
      id: 'mailed-unsigned',
      sourceIp: '198.51.100.26',
      reporter: 'fbl@fbl.bigmail.example',
    });
    const tampered = Buffer.from(
      (await signMessage(buildArf({ id: 'mailed-tampered', sourceIp: '198.51.100.99' }), partnerKey))
        .toString('latin1')
        .replace('Source-IP: 198.51.100.99', 'Source-IP: 198.51.100.26'),
      'latin1',
    );
    await mail([withReturnPath(unsigned, 'x@evil.example'), withReturnPath(tampered, 'x@evil.example')]);
    const strangers = await reportsAbout({ ip: '198.51.100.26' });
    expect(
      strangers.map((r) => r.evidence_level),
      JSON.stringify(strangers),
    ).toEqual(['claimed', 'claimed']);
  });

  it('counts a message once whichever channel brings it, but lets the partner’s report outweigh a stranger’s', async () => {
    const ip = '198.51.100.52';
    const rcpt = 'someone@recipient.example';
    // The partner reports message A, then a stranger forwards A: nothing more.
    await env.settled(await postArf({ id: 'cross-a', sourceIp: ip, mailFrom: 'news@victim.example' }));
    const forwardA = buildForward({
      reporter: rcpt,
      id: 'cross-a',
      sendingIp: ip,
      sender: 'news@victim.example',
    });
    // buildArf and buildForward name the original <offer-ID@domain>, sent to someone@recipient.example.
    await mail([withReturnPath(forwardA, rcpt)]);
    // A stranger forwards message B first, then the partner reports B: its weight is trusted.
    await mail([
      withReturnPath(
        buildForward({ reporter: rcpt, id: 'cross-b', sendingIp: ip, sender: 'news@victim.example' }),
        rcpt,
      ),
    ]);
    await env.settled(await postArf({ id: 'cross-b', sourceIp: ip, mailFrom: 'news@victim.example' }));
    const rows = await env.rt.database.sql<
      {
        subject: string;
        channel: string;
        scored_weight: number;
        trusted_weight: number;
        not_scored_reason: string | null;
      }[]
    >`select subject, channel, scored_weight, trusted_weight, not_scored_reason from reports where host(ip) = ${ip} order by id`;
    expect(rows).toEqual([
      {
        subject: 'Offer number cross-a',
        channel: 'webhook',
        scored_weight: 1,
        trusted_weight: 1,
        not_scored_reason: null,
      },
      {
        subject: 'Offer cross-a',
        channel: 'imap',
        scored_weight: 0,
        trusted_weight: 0,
        not_scored_reason: 'duplicate_message',
      },
      {
        subject: 'Offer cross-b',
        channel: 'imap',
        scored_weight: 1,
        trusted_weight: 0,
        not_scored_reason: null,
      },
      {
        subject: 'Offer number cross-b',
        channel: 'webhook',
        scored_weight: 0,
        trusted_weight: 1,
        not_scored_reason: null,
      },
    ]);
    // Two messages, two complaints, both vouched for by the partner.
    const score = await scoreOf(ip);
    expect(score.complaints).toBeCloseTo(2, 2);
    expect(score.trustedComplaints).toBeCloseTo(2, 2);
  });
});

describe('a platform that does not sign its tenant header yet', { timeout: 180_000 }, () => {
  let dovecot: Dovecot;
  let env: TestEnv;
  let account: MailUser;
  let poller: MailboxPoller;

  beforeAll(async () => {
    dovecot = await startDovecot();
    account = await dovecot.addUser();
    env = await createTestEnv({ IMAP_URL: account.url, IMAP_POLL_SECONDS: '1' });
    await addTenant(env.rt.database.db, { id: 'victim', name: 'Victim', domains: ['victim.example'] });
    env.startWorkers();
    poller = startMailboxPoller(env.rt, { backoff: { baseMs: 50, maxMs: 500 } });
  });
  afterAll(async () => {
    await poller?.stop();
    await env?.close();
    await dovecot?.close();
  });

  it('records a bare tenant header a stranger wrote, and pins nothing on the tenant', async () => {
    const forwards = Array.from({ length: 55 }, (_, i) => {
      const reporter = `staff${i}@company${i}.example`;
      const phish = Buffer.from(
        [
          'From: IT <it@victim-helpdesk.example>',
          `To: ${reporter}`,
          `Subject: Password expiry ${i}`,
          `Message-ID: <pw-${i}@victim-helpdesk.example>`,
          'X-Repute-Tenant: victim',
          '',
          'Log in here to keep your password.',
          '',
        ].join('\r\n'),
      );
      return withReturnPath(forwardOf(phish, { reporter, id: `pw-${i}` }), reporter);
    });
    await account.append(forwards);
    await waitFor(
      async () => {
        const [r] = await env.rt.database.sql<{ n: number }[]>`
          select count(*)::int as n from inbound_messages where status = 'processed'`;
        return r!.n === 55;
      },
      { ...TIMEOUT, what: '55 forwards processed' },
    );
    const rows = await env.rt.database.sql<{ status: string; tenant: string | null; level: string }[]>`
      select tenant_header_status as status, tenant_id as tenant, evidence_level as level from reports`;
    expect(rows).toHaveLength(55);
    expect(rows.every((r) => r.status === 'unsigned' && r.tenant === null && r.level === 'claimed')).toBe(
      true,
    );
    const [tenant] = await env.rt.database.sql<
      { status: string }[]
    >`select status from tenants where id = 'victim'`;
    expect(tenant!.status).toBe('active');
    const service = await env.token('service');
    const res = await env.app.inject({
      url: '/v1/check?tenant=victim&from=it@victim-helpdesk.example',
      headers: { authorization: `Bearer ${service}` },
    });
    expect(res.json()).toMatchObject({ allow: true });
  });
});
