import { Resolver } from 'node:dns/promises';
import { type DkimPublicKey, parseDkimPublicKey } from './dkim-key.ts';
import type { KeyLookup } from './dkim-signatures.ts';

export interface DnsKeyOptions {
  /** Name servers (`host` or `host:port`); empty = the system's. */
  servers: string[];
  timeoutMs: number;
}

const CACHE_MAX = 1000;
const HIT_TTL_MS = 10 * 60_000;
const MISS_TTL_MS = 60_000;

/**
 * DKIM keys from DNS (`<selector>._domainkey.<domain>` TXT), for partners' own signatures,
 * cached so that a feedback loop's burst costs one lookup. Only domains `allowed` says are
 * looked up: nothing a stranger's message names makes Repute query DNS.
 */
export function dnsKeyLookup(options: DnsKeyOptions, allowed: (domain: string) => boolean): KeyLookup {
  const resolver = new Resolver({ timeout: options.timeoutMs, tries: 2 });
  if (options.servers.length > 0) resolver.setServers(options.servers);
  const cache = new Map<string, { key: DkimPublicKey | null; until: number }>();
  return async (domain, selector) => {
    if (!allowed(domain) || !/^[a-z0-9._-]{1,63}$/i.test(selector)) return null;
    const name = `${selector}._domainkey.${domain}`.toLowerCase();
    const now = Date.now();
    const hit = cache.get(name);
    if (hit && hit.until > now) return hit.key;
    let key: DkimPublicKey | null = null;
    try {
      const records = await resolver.resolveTxt(name);
      // A TXT record arrives in strings of at most 255 bytes; the key is their concatenation.
      const record = records.map((parts) => parts.join('')).find((r) => /(^|;)\s*p\s*=/i.test(r));
      key = record ? parseDkimPublicKey(record) : null;
    } catch (err) {
      // No such record is an answer; a timeout or SERVFAIL is not, and is asked again next time.
      const code = (err as { code?: string }).code;
      if (code !== 'ENOTFOUND' && code !== 'ENODATA' && code !== 'dkim.bad_key') return null;
    }
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(name, { key, until: now + (key ? HIT_TTL_MS : MISS_TTL_MS) });
    return key;
  };
}
