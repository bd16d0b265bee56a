import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportDnsblZone } from '../../src/cli/event-commands.ts';
import { publishOutbox } from '../../src/events/publish-outbox.ts';
import type { OutboxEvent } from '../../src/events/publisher.ts';
import { buildPublishers } from '../../src/events/publishers.ts';
import { deliverDue } from '../../src/events/webhooks/deliver-due.ts';
import { webhookPublisher } from '../../src/events/webhooks/publisher.ts';
import { addWebhook, removeWebhook } from '../../src/events/webhooks/registry.ts';
import { verifyWebhookSignature } from '../../src/events/webhooks/sign.ts';
import { addSendingIp, addTenant } from '../../src/platform/directory.ts';
import { blockIp, liftIpBlock } from '../../src/reputation/restrictions.ts';
import { buildArf } from '../support/build-arf.ts';
import { blockByPolicy } from '../support/policy-block.ts';
import { createTestEnv, type TestEnv, waitFor } from '../support/test-env.ts';
import { type Receiver, startReceiver } from '../support/webhook-receiver.ts';

interface DeliveryRow {
  id: number;
  eventId: number;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

describe('restriction events published to webhooks and the DNSBL zone', () => {
  let env: TestEnv;
  let zoneDir: string;
  let stopWorkers: () => Promise<void>;
  const receivers: Receiver[] = [];
  const actor = { actor: 'trust@example.com', note: 'checked by the trust team' };

  beforeAll(async () => {
    zoneDir = await mkdtemp(join(tmpdir(), 'repute-dnsbl-'));
    env = await createTestEnv({
      DNSBL_ZONE_FILE: join(zoneDir, 'repute.zone'),
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_RETRY_BASE_MS: '50',
      WEBHOOK_RETRY_MAX_MS: '200',
    });
    await addTenant(env.rt.database.db, { id: 'fabrikam', name: 'Fabrikam', domains: ['fabrikam.example'] });
    await addSendingIp(env.rt.database.db, '203.0.113.9', { tenantId: 'fabrikam' });
    stopWorkers = env.startWorkers();
  });
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await env?.close();
    if (zoneDir) await rm(zoneDir, { recursive: true, force: true });
  });

  const receiver = async (respond?: Parameters<typeof startReceiver>[0]) => {
    const r = await startReceiver(respond);
    receivers.push(r);
    return r;
  };
  const wakeEvents = () => env.rt.queues.events.add('publish', { upTo: Number.MAX_SAFE_INTEGER });
  const deliveries = (webhookId: number) =>
    env.rt.database.sql<DeliveryRow[]>`
      select id, event_id as "eventId", status, attempts, last_status as "lastStatus", last_error as "lastError"
        from webhook_deliveries where webhook_id = ${webhookId} order by event_id`;
  const eventId = async (type: string, subject: string) => {
    const [row] = await env.rt.database.sql<{ id: number }[]>`
      select id from restriction_events where type = ${type} and subject = ${subject} order by id desc limit 1`;
    return row!.id;
  };
  const signed = (hook: { headers: Record<string, unknown>; body: string }, secret: string) =>
    verifyWebhookSignature(
      secret,
      {
        timestamp: hook.headers['x-repute-timestamp'] as string,
        signature: hook.headers['x-repute-signature'] as string,
      },
      hook.body,
      new Date(),
    );

  it('delivers the signed ip.blocked event to a subscriber once the block line is crossed', async () => {
    const r = await receiver();
    const { webhook, secret } = await addWebhook(env.rt.database.sql, { url: r.url });
    const partner = await env.token('partner');
    for (let i = 0; i < 50; i++) {
      const res = await env.app.inject({
        method: 'POST',
        url: '/v1/reports',
        payload: buildArf({
          id: `hook-${i}-${randomBytes(3).toString('hex')}`,
          sourceIp: '203.0.113.9',
          mailFrom: 'promo@fabrikam.example',
        }),
        headers: { authorization: `Bearer ${partner}`, 'content-type': 'message/rfc822' },
      });
      expect(res.statusCode).toBe(202);
    }
    const blocked = await waitFor(async () => r.received.find((h) => h.type === 'ip.blocked'), {
      what: 'the ip.blocked webhook',
    });
    expect(signed(blocked, secret)).toBe(true);
    expect(blocked.headers['x-repute-event']).toBe('ip.blocked');
    expect(blocked.headers['content-type']).toBe('application/json');
    const id = await eventId('ip.blocked', '203.0.113.9');
    expect(JSON.parse(blocked.body)).toMatchObject({
      id,
      type: 'ip.blocked',
      subjectType: 'ip',
      subject: '203.0.113.9',
      actor: 'policy',
      ndr: expect.stringContaining('550 5.7.606'),
      metrics: expect.objectContaining({ reason: expect.any(String) }),
    });
    // The warning came first, as it happened.
    expect(r.received.filter((h) => h.subject === '203.0.113.9').map((h) => h.type)).toEqual([
      'ip.warned',
      'ip.blocked',
    ]);
    const rows = await waitFor(async () => {
      const all = await deliveries(webhook.id);
      return all.every((d) => d.status === 'delivered') ? all : null;
    });
    const row = rows.find((d) => d.eventId === id)!;
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200, lastError: null });
    expect(blocked.headers['x-repute-delivery']).toBe(String(row.id));
    await removeWebhook(env.rt.database.sql, webhook.id);
  });

  it('retries a subscriber that answered 500, and records the attempts', async () => {
    const r = await receiver((_hook, index) => (index === 0 ? 500 : 200));
    const { webhook, secret } = await addWebhook(env.rt.database.sql, { url: r.url, events: ['ip.blocked'] });
    await blockIp(env.rt.database.sql, '192.0.2.20', actor, env.config.publicUrl);
    await wakeEvents();
    const [row] = await waitFor(async () => {
      const rows = await deliveries(webhook.id);
      return rows[0]?.status === 'delivered' ? rows : null;
    });
    expect(row).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 200, lastError: null });
    expect(r.received.map((h) => [h.type, h.status])).toEqual([
      ['ip.blocked', 500],
      ['ip.blocked', 200],
    ]);
    expect(r.received.map((h) => h.headers['x-repute-delivery'])).toEqual([String(row!.id), String(row!.id)]);
    expect(r.received.every((h) => signed(h, secret))).toBe(true);
    await removeWebhook(env.rt.database.sql, webhook.id);
  });

  it('gives up after the last attempt, keeps the error, and then sends the next event of the subject', async () => {
    const r = await receiver(() => 500);
    const { webhook } = await addWebhook(env.rt.database.sql, {
      url: r.url,
      events: ['ip.blocked', 'ip.unblocked'],
    });
    await blockIp(env.rt.database.sql, '192.0.2.30', actor, env.config.publicUrl);
    await liftIpBlock(env.rt.database.sql, '192.0.2.30', actor, 'unblock');
    await wakeEvents();
    const rows = await waitFor(async () => {
      const all = await deliveries(webhook.id);
      return all.length === 2 && all.every((d) => d.status === 'failed') ? all : null;
    });
    for (const d of rows) {
      expect(d).toMatchObject({
        status: 'failed',
        attempts: 3,
        lastStatus: 500,
        lastError: 'HTTP 500: nope',
      });
    }
    expect(r.received.map((h) => h.type)).toEqual([
      'ip.blocked',
      'ip.blocked',
      'ip.blocked',
      'ip.unblocked',
      'ip.unblocked',
      'ip.unblocked',
    ]);
    await removeWebhook(env.rt.database.sql, webhook.id);
  });

  it('sends the events of one subject in order: the delisting waits while the block is in flight', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const r = await receiver(async (hook) => {
      if (hook.type === 'ip.blocked') await held;
      return 200;
    });
    const { webhook } = await addWebhook(env.rt.database.sql, {
      url: r.url,
      events: ['ip.blocked', 'ip.delisted'],
    });
    await blockByPolicy(env.rt.database.sql, '192.0.2.40', env.config.publicUrl);
    await wakeEvents();
    await waitFor(async () => r.received.length === 1, { what: 'the block delivery in flight' });
    await liftIpBlock(
      env.rt.database.sql,
      '192.0.2.40',
      { actor: 'delist-portal', note: 'sender asked' },
      'delist',
    );
    await wakeEvents();
    await waitFor(async () => (await deliveries(webhook.id)).length === 2, {
      what: 'the delist delivery row',
    });
    // Another worker looking now finds nothing it may send for this subject.
    const tally = await deliverDue({
      sql: env.rt.database.sql,
      log: env.rt.log,
      timeoutMs: 1000,
      retry: { maxAttempts: 3, baseMs: 50, maxMs: 200 },
    });
    expect(tally).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(r.received.map((h) => h.type)).toEqual(['ip.blocked']);
    release();
    await waitFor(async () => r.received.length === 2, { what: 'the delist delivery' });
    expect(r.received.map((h) => [h.type, h.status])).toEqual([
      ['ip.blocked', 200],
      ['ip.delisted', 200],
    ]);
    const rows = await waitFor(async () => {
      const all = await deliveries(webhook.id);
      return all.every((d) => d.status === 'delivered') ? all : null;
    });
    expect(rows.map((d) => d.attempts)).toEqual([1, 1]);
    await removeWebhook(env.rt.database.sql, webhook.id);
  });

  it('records a delivery once when the outbox hands the same batch over twice', async () => {
    const r = await receiver();
    const { webhook } = await addWebhook(env.rt.database.sql, { url: r.url, events: ['ip.warned'] });
    // Not woken: only the rows are looked at.
    const publisher = webhookPublisher(env.rt.database.sql, env.rt.queues.webhooks, env.rt.log);
    const event: OutboxEvent = {
      id: 1_000_000,
      type: 'ip.warned',
      subjectType: 'ip',
      subject: '192.0.2.50',
      actor: 'policy',
      note: null,
      ndr: null,
      metrics: {},
      reportId: null,
      createdAt: new Date(),
    };
    await publisher.publish([event, { ...event, id: 1_000_001, type: 'ip.blocked' }]);
    await publisher.publish([event]);
    const rows = await env.rt.database.sql`select 1 from webhook_deliveries where webhook_id = ${webhook.id}`;
    expect(rows).toHaveLength(1);
    await removeWebhook(env.rt.database.sql, webhook.id);
  });

  it('keeps the DNSBL zone file in step with blocks and delistings, and exports it', async () => {
    const zoneFile = env.config.dnsbl.zoneFile!;
    const listed = (zone: string, ip: string) => zone.split('\n').includes(ip);
    await blockIp(env.rt.database.sql, '198.51.100.60', actor, env.config.publicUrl);
    await blockByPolicy(env.rt.database.sql, '198.51.100.61', env.config.publicUrl);
    await blockIp(env.rt.database.sql, '2001:db8::61', actor, env.config.publicUrl);
    await wakeEvents();
    const zone = await waitFor(async () => {
      const text = await readFile(zoneFile, 'utf8').catch(() => '');
      return listed(text, '198.51.100.61') && text.includes('2001:db8::61/128') ? text : null;
    });
    expect(listed(zone, '198.51.100.60')).toBe(true);
    expect(zone).toContain(':127.0.0.2:Blocked by Repute, see https://repute.test/delist');

    await liftIpBlock(
      env.rt.database.sql,
      '198.51.100.61',
      { actor: 'delist-portal', note: 'sender asked' },
      'delist',
    );
    await wakeEvents();
    const after = await waitFor(async () => {
      const text = await readFile(zoneFile, 'utf8');
      return listed(text, '198.51.100.61') ? null : text;
    });
    expect(listed(after, '198.51.100.60')).toBe(true);
    // Written by rename: no temporary files left beside it.
    expect(await readdir(zoneDir)).toEqual(['repute.zone']);

    const out = join(zoneDir, 'export.zone');
    await exportDnsblZone(env.rt, { out, format: 'ip4set' });
    const exported = (await readFile(out, 'utf8')).split('\n');
    expect(exported).toContain('198.51.100.60');
    expect(exported).toContain('203.0.113.9');
    expect(exported).not.toContain('198.51.100.61');
    expect(exported).not.toContain('192.0.2.40');
    expect(exported.some((l) => l.startsWith('2001:db8::61'))).toBe(false);
  });

  it('delivers what was owed before a restart when the workers come back', async () => {
    await stopWorkers();
    const r = await receiver();
    const { webhook, secret } = await addWebhook(env.rt.database.sql, { url: r.url, events: ['ip.blocked'] });
    await blockIp(env.rt.database.sql, '192.0.2.70', actor, env.config.publicUrl);
    // The outbox is published, then the process stops before anything is sent.
    await publishOutbox(env.rt.database.sql, env.rt.log, buildPublishers(env.rt));
    expect(await deliveries(webhook.id)).toMatchObject([{ status: 'pending', attempts: 0 }]);
    expect(r.received).toHaveLength(0);
    env.startWorkers();
    const hook = await waitFor(async () => r.received[0], { what: 'the delivery after the restart' });
    expect(hook).toMatchObject({ type: 'ip.blocked', subject: '192.0.2.70' });
    expect(signed(hook, secret)).toBe(true);
    await removeWebhook(env.rt.database.sql, webhook.id);
  });
});
