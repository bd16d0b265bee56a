import { randomBytes } from 'node:crypto';
import { copyFile, mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addSendingIp, addTenant } from '../../src/platform/directory.ts';
import { freePort, hasChromium, launchChromium } from '../support/browser.ts';
import { buildArf } from '../support/build-arf.ts';
import { blockByPolicy } from '../support/policy-block.ts';
import { linkIn, startSmtpSink } from '../support/smtp-sink.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/test-env.ts';

const SKIPPED = hasChromium
  ? ''
  : ' (skipped: /usr/bin/chromium is absent; test/support/install-chromium.sh installs it)';

/** Screenshots go to test-results/ on every run; UPDATE_SCREENSHOTS=1 also refreshes the README's copies. */
async function screenshot(page: Page, name: string) {
  await mkdir('test-results', { recursive: true });
  await page.screenshot({ path: `test-results/${name}` });
  if (process.env.UPDATE_SCREENSHOTS === '1')
    await copyFile(`test-results/${name}`, `test/screenshots/${name}`);
}

describe.skipIf(!hasChromium)(`in a real browser${SKIPPED}`, () => {
  let env: TestEnv;
  let sink: Awaited<ReturnType<typeof startSmtpSink>>;
  let browser: Browser;
  let base: string;
  let analyst: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = await createTestEnv({ PUBLIC_URL: base, SMTP_URL: sink.url });
    await env.app.listen({ port, host: '127.0.0.1' });
    analyst = await env.token('analyst');
    const partner = await env.token('partner');
    const service = await env.token('service');
    const db = env.rt.database.db;
    await addTenant(db, {
      id: 'fabrikam',
      name: 'Fabrikam',
      domains: ['fabrikam.example'],
      contactEmail: 'it@fabrikam.example',
    });
    await addSendingIp(db, '203.0.113.9', { tenantId: 'fabrikam' });
    await addSendingIp(db, '203.0.113.77', { tenantId: 'fabrikam' });
    env.startWorkers();

    // 203.0.113.9 is blocked by the policy: 50 complaints from a feedback loop.
    for (let i = 0; i < 50; i++) {
      const raw = buildArf({
        id: `b${i}-${randomBytes(3).toString('hex')}`,
        sourceIp: '203.0.113.9',
        mailFrom: 'promo@fabrikam.example',
        feedbackType: i % 10 === 0 ? 'fraud' : 'abuse',
      });
      const res = await env.app.inject({
        method: 'POST',
        url: '/v1/reports',
        payload: raw,
        headers: { authorization: `Bearer ${partner}`, 'content-type': 'message/rfc822' },
      });
      expect(res.statusCode).toBe(202);
    }
    await waitFor(
      async () => {
        const [s] = await env.rt.database
          .sql`select status from scores where subject_type = 'ip' and subject = '203.0.113.9'`;
        return s?.status === 'blocked';
      },
      { what: 'the policy to block 203.0.113.9' },
    );
    // As if the complaints had come in over the last week, and the MTAs had reported a month of volume.
    await env.rt.database.sql`update reports set created_at = now() - (id % 7) * interval '1 day'`;
    const samples = Array.from({ length: 30 }, (_, d) => ({
      ip: '203.0.113.9',
      tenant: 'fabrikam',
      count: 20_000 + ((d * 7919) % 9000),
      at: new Date(Date.now() - d * 86_400_000).toISOString(),
    }));
    const vol = await env.app.inject({
      method: 'POST',
      url: '/v1/volume',
      headers: { authorization: `Bearer ${service}` },
      payload: samples,
    });
    expect(vol.statusCode).toBeLessThan(300);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
    await sink?.close();
  });

  it('signs in, shows why an IP was blocked with its chart, and blocks and unblocks it with a note', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${base}/review/ips/203.0.113.9`);
    // No session yet: the sign-in form, which brings us back where we wanted to go.
    await expect.poll(() => page.url()).toContain('/review/sign-in');
    await page.fill('#token', analyst);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL(`${base}/review/ips/203.0.113.9`);
    expect(await page.textContent('h1')).toContain('IP 203.0.113.9');
    expect(await page.textContent('h1 .status')).toBe('blocked');
    const chart = page.locator('svg.chart');
    await chart.waitFor();
    expect(await chart.locator('rect').count()).toBeGreaterThanOrEqual(30);
    expect(await page.locator('table.reports tbody.report').count()).toBe(50);
    expect(await page.textContent('p.paging')).toBe('50 of 50, newest first');
    // A report's fields open across the whole table, not squeezed into its last cell.
    await page.locator('table.reports tr.fields summary').first().click();
    const fields = await page.locator('table.reports tr.fields dl.facts').first().boundingBox();
    expect(fields!.width).toBeGreaterThan(600);
    await page
      .locator('table.reports tbody.report')
      .first()
      .screenshot({ path: 'test-results/report-fields.png' });
    expect(await page.locator('table.events').textContent()).toContain('ip.blocked');
    await screenshot(page, 'ip-page.png');

    await page.fill('#unblock-note', 'Fabrikam removed the purchased list; volume back to opt-in only');
    await page.click('button:has-text("Unblock IP")');
    await page.waitForURL(/done=ip\.unblocked/);
    expect(await page.textContent('h1 .status')).toBe('ok');
    expect(await page.textContent('.notice')).toContain('IP unblocked.');

    await page.fill('#block-note', 'Complaints resumed from the same campaign');
    await page.click('button:has-text("Block IP")');
    await page.waitForURL(/done=ip\.blocked/);
    expect(await page.textContent('h1 .status')).toBe('blocked');
    const audit = await page.locator('table.audit').textContent();
    expect(audit).toContain('Complaints resumed from the same campaign');
    expect(audit).toContain('Fabrikam removed the purchased list; volume back to opt-in only');
    expect(audit).toContain('user:test-analyst');

    await page.click('a:has-text("Overview")');
    expect(await page.locator('table').first().textContent()).toContain('203.0.113.9');
    await page.screenshot({ path: 'test-results/overview.png', fullPage: true });
    await context.close();
  });

  it('walks the delist portal from the form to delisted, without JavaScript', async () => {
    await blockByPolicy(env.rt.database.sql, '203.0.113.77', base);
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 1000, height: 440 },
    });
    const page = await context.newPage();
    await page.goto(`${base}/delist`);
    await page.fill('#email', 'not an address');
    await page.fill('#ip', '203.0.113.777');
    await page.click('button:has-text("Send confirmation link")');
    expect(await page.textContent('#email-error')).toContain('is not an e-mail address');
    expect(await page.textContent('#ip-error')).toContain('is not an IP address');

    await page.fill('#email', 'postmaster@fabrikam.example');
    await page.fill('#ip', '203.0.113.77');
    await page.click('button:has-text("Send confirmation link")');
    expect(await page.textContent('h1')).toBe('Check your mail');

    const link = linkIn(await sink.next('postmaster@fabrikam.example'));
    expect(link.origin).toBe(base);
    await page.goto(link.toString());
    expect(await page.textContent('h1')).toBe('Delist 203.0.113.77');
    expect(await page.textContent('.status')).toBe('blocked');
    await screenshot(page, 'delist.png');
    await page.click('button:has-text("Delist IP")');
    expect(await page.textContent('h1')).toBe('203.0.113.77 has been delisted');
    expect(await page.textContent('main')).toContain('blocked again if the abuse continues');
    const [score] = await env.rt.database
      .sql`select status from scores where subject_type = 'ip' and subject = '203.0.113.77'`;
    expect(score?.status).toBe('ok');
    await context.close();
  });
});
