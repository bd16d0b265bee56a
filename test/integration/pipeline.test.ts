import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processInbound } from '../../src/pipeline/process-inbound.ts';
import { pipelineDeps } from '../../src/pipeline/report-job.ts';
import { addSendingIp, addTenant } from '../../src/platform/directory.ts';
import { buildArf } from '../support/build-arf.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/test-env.ts';

describe('the report pipeline, from POST to scores and events', () => {
  let env: TestEnv;
  let partner: string;
  let viewer: string;
  let service: string;
  let seq = 0;

  beforeAll(async () => {
    env = await createTestEnv();
    partner = await env.token('partner');
    viewer = await env.token('viewer');
    service = await env.token('service');
    const db = env.rt.database.db;
    await addTenant(db, { id: 'northwind', name: 'Northwind Traders', domains: ['northwind.example'] });
    await addSendingIp(db, '198.51.100.23', { tenantId: 'northwind' });
    await addTenant(db, { id: 'contoso', name: 'Contoso', domains: ['contoso.example'] });
    await addSendingIp(db, '203.0.113.50', { tenantId: 'contoso' });
    await addTenant(db, { id: 'fabrikam', name: 'Fabrikam', domains: ['fabrikam.example'] });
    await addSendingIp(db, '203.0.113.9', { tenantId: 'fabrikam' });
    await addSendingIp(db, '198.51.100.200', { pool: 'shared-eu' });
    env.startWorkers();
  });
  afterAll(async () => env?.close());

  const post = async (raw: Buffer) => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/reports',
      payload: raw,
      headers: { authorization: `Bearer ${partner}`, 'content-type': 'message/rfc822' },
    });
    expect(res.statusCode).toBe(202);
    return res.json() as { id: number; duplicate: boolean };
  };
  const get = async (url: string, token = viewer) => {
    const res = await env.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
    return { status: res.statusCode, body: res.json() };
  };
  const settled = (id: number) => env.settled(id);
  const report = (o: Partial<Parameters<typeof buildArf>[0]> = {}) =>
    buildArf({ id: `${++seq}-${randomBytes(3).toString('hex')}`, ...o });

  it('scores the IP and its tenant for an ARF report about a dedicated IP', async () => {
    const { id } = await post(report({ sourceIp: '198.51.100.23', mailFrom: 'deals@northwind.example' }));
    expect(await settled(id)).toBe('processed');
    const ip = await get('/v1/ips/198.51.100.23');
    expect(ip.status).toBe(200);
    expect(ip.body).toMatchObject({ ip: '198.51.100.23', tenant: 'northwind', platform: true });
    expect(ip.body.score.complaints).toBeCloseTo(1, 3);
    expect(ip.body.score.reports).toBe(1);
    const tenant = await get('/v1/tenants/northwind');
    expect(tenant.body.score.complaints).toBeCloseTo(1, 3);
    expect(tenant.body.unregisteredScore.complaints).toBe(0);
    const reports = await get('/v1/reports?ip=198.51.100.23');
    expect(reports.body.items[0]).toMatchObject({
      inboundId: id,
      status: 'scored',
      feedbackType: 'abuse',
      tenant: 'northwind',
      ip: '198.51.100.23',
      attributionMethod: 'source_ip',
      senderDomainRegistered: true,
      senderDomain: 'northwind.example',
    });
  });

  it('attributes by the tenant header first, and by the sender domain when the IP is not ours', async () => {
    const byHeader = await post(
      report({
        sourceIp: '192.0.2.77',
        mailFrom: 'x@elsewhere.example',
        originalHeaders: ['X-Repute-Tenant: contoso'],
      }),
    );
    const byDomain = await post(report({ sourceIp: '192.0.2.78', mailFrom: 'news@mail.fabrikam.example' }));
    await settled(byHeader.id);
    await settled(byDomain.id);
    const items = (await get('/v1/reports?limit=10')).body.items as Array<Record<string, unknown>>;
    expect(items.find((r) => r.inboundId === byHeader.id)).toMatchObject({
      tenant: 'contoso',
      attributionMethod: 'tenant_header',
      senderDomainRegistered: false,
      ip: null,
    });
    expect(items.find((r) => r.inboundId === byDomain.id)).toMatchObject({
      tenant: 'fabrikam',
      attributionMethod: 'sender_domain',
      senderDomainRegistered: true,
    });
  });

  it('keeps a report about mail the platform did not send as unattributed, scoring nothing', async () => {
    const { id } = await post(report({ sourceIp: '192.0.2.99', mailFrom: 'spam@stranger.example' }));
    await settled(id);
    const items = (await get('/v1/reports?status=unattributed')).body.items as Array<Record<string, unknown>>;
    expect(items.find((r) => r.inboundId === id)).toMatchObject({ tenant: null, ip: null, scoredWeight: 0 });
  });

  it('still scores a shared pool IP when the tenant is unknown', async () => {
    const { id } = await post(report({ sourceIp: '198.51.100.200', mailFrom: 'a@unknown-sender.example' }));
    await settled(id);
    const ip = await get('/v1/ips/198.51.100.200');
    expect(ip.body).toMatchObject({ tenant: null, pool: 'shared-eu' });
    expect(ip.body.score.complaints).toBeCloseTo(1, 3);
  });

  it('blocks a dedicated IP at the count line, once, and /v1/check answers 5.7.606', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 50; i++) {
      ids.push((await post(report({ sourceIp: '203.0.113.9', mailFrom: 'promo@fabrikam.example' }))).id);
    }
    for (const id of ids) await settled(id);
    const events = (await get('/v1/events?after=0&limit=1000')).body.items as Array<Record<string, unknown>>;
    const forIp = events.filter((e) => e.subject === '203.0.113.9');
    expect(forIp.map((e) => e.type)).toEqual(['ip.warned', 'ip.blocked']);
    expect(forIp[1]).toMatchObject({ actor: 'policy', subjectType: 'ip' });
    const check = await waitFor(async () => {
      const r = await get('/v1/check?ip=203.0.113.9&tenant=fabrikam&from=promo@fabrikam.example', service);
      return r.body.allow === false ? r : null;
    });
    expect(check.body).toEqual({
      allow: false,
      code: '5.7.606',
      ndr: '550 5.7.606 Access denied, banned sending IP [203.0.113.9]. To request removal from this list please visit https://repute.test/delist and follow the directions.',
    });
    const other = await get('/v1/check?ip=198.51.100.23', service);
    expect(other.body).toEqual({ allow: true, code: null, ndr: null });
    // More complaints about a blocked IP add no second block.
    const { id } = await post(report({ sourceIp: '203.0.113.9', mailFrom: 'promo@fabrikam.example' }));
    await settled(id);
    const after = (await get('/v1/events?after=0&limit=1000')).body.items as Array<Record<string, unknown>>;
    expect(after.filter((e) => e.subject === '203.0.113.9' && e.type === 'ip.blocked')).toHaveLength(1);
    expect((await get('/v1/ips/203.0.113.9')).body.score.status).toBe('blocked');
  });

  it('restricts a tenant at 10 complaints about unregistered-domain mail, and /v1/check answers 5.7.750', async () => {
    for (let i = 0; i < 10; i++) {
      const { id } = await post(
        report({ sourceIp: '203.0.113.50', mailFrom: `ceo@contoso-payroll${i % 3}.example` }),
      );
      await settled(id);
    }
    const tenant = await get('/v1/tenants/contoso');
    expect(tenant.body.status).toBe('restricted_unregistered');
    expect(tenant.body.events.map((e: { type: string }) => e.type)).toEqual([
      'tenant.restricted_unregistered',
      'tenant.warned',
    ]);
    // The Redis copy /v1/check reads is rebuilt by the events worker right after the decision.
    const denied = await waitFor(async () => {
      const r = await get('/v1/check?tenant=contoso&from=ceo@contoso-payroll1.example', service);
      return r.body.allow === false ? r : null;
    });
    expect(denied.body).toEqual({
      allow: false,
      code: '5.7.750',
      ndr: '550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains.',
    });
    const registered = await get('/v1/check?tenant=contoso&from=news@mail.contoso.example', service);
    expect(registered.body.allow).toBe(true);
  });

  it('counts a complaint once when the job runs twice', async () => {
    const { id } = await post(
      report({ sourceIp: '198.51.100.23', mailFrom: 'deals@northwind.example', feedbackType: 'fraud' }),
    );
    await settled(id);
    const before = (await get('/v1/ips/198.51.100.23')).body.score;
    const deps = pipelineDeps(env.rt, env.rt.log);
    expect(await processInbound(deps, id)).toEqual({ status: 'skipped', reason: 'already_done' });
    // The same job id again on the queue, as after a worker crash past the commit.
    await env.rt.queues.reports.add('report', { inboundId: id }, { jobId: `m${id}-again` });
    await waitFor(async () => (await env.rt.queues.reports.getJobCounts('wait', 'active')).wait === 0);
    const after = (await get('/v1/ips/198.51.100.23')).body.score;
    expect(after.reports).toBe(before.reports);
    const [count] = await env.rt.database.sql<
      { n: number }[]
    >`select count(*)::int as n from reports where inbound_id = ${id}`;
    expect(count?.n).toBe(1);
  });

  it('counts a message once when two workers race for it', async () => {
    const raw = report({ sourceIp: '198.51.100.23', mailFrom: 'deals@northwind.example' });
    const [row] = await env.rt.database.sql<{ id: number }[]>`
      insert into inbound_messages (sha256, raw, size, channel, enqueued)
      values (${randomBytes(32)}, ${raw}, ${raw.length}, 'webhook', true) returning id`;
    const deps = pipelineDeps(env.rt, env.rt.log);
    const results = await Promise.all([processInbound(deps, row!.id), processInbound(deps, row!.id)]);
    expect(results.map((r) => r.status).sort()).toEqual(['processed', 'skipped']);
  });

  it('counts one reported message once when two batches bring it at the same moment', async () => {
    // Two partners' reports of one message (same original, different report bytes).
    const ids: number[] = [];
    for (const who of ['fbl-a@partner-a.example', 'fbl-b@partner-b.example']) {
      const raw = buildArf({
        id: 'same-original',
        sourceIp: '198.51.100.23',
        mailFrom: 'deals@northwind.example',
        reporter: who,
      });
      const [row] = await env.rt.database.sql<{ id: number }[]>`
        insert into inbound_messages (sha256, raw, size, channel, reporter, enqueued)
        values (${randomBytes(32)}, ${raw}, ${raw.length}, 'webhook', 'test', true) returning id`;
      ids.push(row!.id);
    }
    const deps = pipelineDeps(env.rt, env.rt.log);
    await Promise.all(ids.map((id) => processInbound(deps, id)));
    const rows = await env.rt.database.sql<{ scored: number; reason: string | null }[]>`
      select scored_weight as scored, not_scored_reason as reason from reports
       where inbound_id = any(${ids}::bigint[]) order by scored_weight desc`;
    expect(rows).toEqual([
      { scored: 1, reason: null },
      { scored: 0, reason: 'duplicate_message' },
    ]);
  });

  it('keeps garbage as a failed message with its reason, and goes on with the next report', async () => {
    const garbage = await post(randomBytes(4096));
    const good = await post(report({ sourceIp: '198.51.100.23', mailFrom: 'deals@northwind.example' }));
    expect(await settled(garbage.id)).toBe('failed');
    expect(await settled(good.id)).toBe('processed');
    const failed = await get('/v1/reports?status=failed');
    const item = (failed.body.items as Array<Record<string, unknown>>).find((r) => r.id === garbage.id);
    expect(item).toMatchObject({ status: 'failed', code: expect.stringMatching(/^arf\./) });
  });

  it('answers viewers only on the read API, and 404 with a code for unknown subjects', async () => {
    expect((await get('/v1/reports', partner)).status).toBe(403);
    expect((await get('/v1/check?ip=192.0.2.1', viewer)).status).toBe(403);
    const unknown = await get('/v1/tenants/nobody');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'tenant.unknown' } } });
    const page = await env.app.inject({ url: '/review/no-such-page' });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('There is no such page');
    const api = await env.app.inject({ url: '/v1/no-such-call' });
    expect(api.json().error.code).toBe('request.not_found');
    const bad = await get('/v1/ips/not-an-ip');
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'request.invalid' } } });
  });
});
