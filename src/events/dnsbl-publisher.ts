import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Config } from '../config.ts';
import type { Queryable, Sql } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { renderDnsblZone, type ZoneFormat } from './dnsbl-zone.ts';
import type { Publisher } from './publisher.ts';

/** The events that change which IPs are blocked. */
const ZONE_EVENTS = new Set(['ip.blocked', 'ip.delisted', 'ip.unblocked']);

export async function loadBlockedIps(sql: Queryable): Promise<string[]> {
  const rows = await sql<{ subject: string }[]>`
    select subject from scores where subject_type = 'ip' and status = 'blocked'`;
  return rows.map((r) => r.subject);
}

/** The zone text as of now, from Postgres. */
export async function buildDnsblZone(
  sql: Queryable,
  config: Pick<Config, 'dnsbl' | 'publicUrl'>,
  format: ZoneFormat = config.dnsbl.format,
): Promise<string> {
  return renderDnsblZone(await loadBlockedIps(sql), {
    format,
    publicUrl: config.publicUrl,
    nameservers: config.dnsbl.nameservers,
    hostmaster: config.dnsbl.hostmaster,
    ttlSeconds: config.dnsbl.ttlSeconds,
    generatedAt: new Date(),
  });
}

/**
 * Write beside the target, flush, then rename over it: rbldnsd (which reloads when the
 * mtime changes) sees the old file or the new one, never half of one.
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, 'w', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

/**
 * Rewrites the zone file under a transaction-scoped advisory lock: two event workers
 * publishing at once write one after the other, and the later one reads the later state,
 * so an older zone never lands last.
 */
export async function rewriteDnsblZoneFile(
  sql: Sql,
  config: Pick<Config, 'dnsbl' | 'publicUrl'>,
  path: string,
) {
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext('repute:dnsbl-zone'))`;
    await writeFileAtomically(path, await buildDnsblZone(tx, config));
  });
}

/** The publisher: rewrites DNSBL_ZONE_FILE when a batch blocks or unblocks an IP. */
export function dnsblZonePublisher(
  sql: Sql,
  config: Pick<Config, 'dnsbl' | 'publicUrl'>,
  path: string,
  log: Logger,
): Publisher {
  return {
    name: 'dnsbl-zone',
    publish: async (events) => {
      if (!events.some((e) => ZONE_EVENTS.has(e.type))) return;
      await rewriteDnsblZoneFile(sql, config, path);
      log.info({ file: path }, 'dnsbl zone rewritten');
    },
  };
}
