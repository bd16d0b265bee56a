import { buildDnsblZone, writeFileAtomically } from '../events/dnsbl-publisher.ts';
import type { ZoneFormat } from '../events/dnsbl-zone.ts';
import { addWebhook, listWebhooks, removeWebhook } from '../events/webhooks/registry.ts';
import type { Runtime } from '../runtime.ts';

/** `repute webhook add`: the secret is printed this once; receivers need it to check signatures. */
export async function printWebhookAdded(
  rt: Runtime,
  input: { url: string; secret?: string; events?: string[] },
): Promise<void> {
  const { webhook, secret } = await addWebhook(rt.database.sql, input);
  console.log(`webhook ${webhook.id} added: ${webhook.url}`);
  console.log(`events: ${webhook.events.length ? webhook.events.join(', ') : 'all'}`);
  console.log(`secret: ${secret}`);
  console.log('Keep the secret: it is not shown again. Deliveries carry');
  console.log('  X-Repute-Signature: sha256=HMAC-SHA256(secret, "<X-Repute-Timestamp>.<body>") in hex.');
}

export async function printWebhooks(rt: Runtime): Promise<void> {
  const rows = await listWebhooks(rt.database.sql);
  if (rows.length === 0) {
    console.log('no webhooks; add one with `repute webhook add URL`');
    return;
  }
  for (const w of rows) {
    const state = w.disabledAt ? `removed ${w.disabledAt.toISOString()}` : 'active';
    console.log(
      `${w.id}\t${w.url}\t${w.events.length ? w.events.join(',') : 'all events'}\t${state}\t` +
        `pending ${w.pending}, delivered ${w.delivered}, failed ${w.failed}`,
    );
  }
}

export async function printWebhookRemoved(rt: Runtime, id: number): Promise<void> {
  const { cancelled } = await removeWebhook(rt.database.sql, id);
  console.log(`webhook ${id} removed${cancelled ? `; ${cancelled} pending deliveries cancelled` : ''}`);
}

/** `repute dnsbl export`: the zone on stdout, or written atomically to a file. */
export async function exportDnsblZone(
  rt: Runtime,
  opts: { out?: string; format?: ZoneFormat },
): Promise<void> {
  const zone = await buildDnsblZone(rt.database.sql, rt.config, opts.format);
  if (!opts.out) {
    process.stdout.write(zone);
    return;
  }
  await writeFileAtomically(opts.out, zone);
  console.log(`zone written to ${opts.out}`);
}
