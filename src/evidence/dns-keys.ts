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
/** No answer at all (a timeout, SERVFAIL): asked again soon, but not by every message meanwhile. */
const NO_ANSWER_TTL_MS = 15_000;

/**
 * DKIM keys from DNS (`<selector>._domainkey.<domain>` TXT), for partners' own signatures,
 * cached so that a feedback loop's burst costs one lookup. Only domains `allowed` says are
 * looked up: nothing a stranger's message names makes Repute query DNS.
 */
export function dnsKeyLookup(options: DnsKeyOptions, allowed: (domain: string) => boolean): KeyLookup {
  const resolver = new Resolver({ timeout: options.timeoutMs, tries: 2 });
  if (options.servers.length > 0) resolver.setServers(options.servers);
  // Promises are cached, so that concurrent batches asking for one key share one query.
  const cache = new Map<string, { key: Promise<DkimPublicKey | null>; until: number }>();
  const lookup = async (name: string): Promise<{ key: DkimPublicKey | null; answered: boolean }> => {
    try {
      const records = await resolver.resolveTxt(name);
      // A TXT record arrives in strings of at most 255 bytes; the key is their concatenation.
      const record = records.map((parts) => parts.join('')).find((r) => /(^|;)\s*p\s*=/i.test(r));
      return { key: record ? parseDkimPublicKey(record) : null, answered: true };
    } catch (err) {
      // No such record, or a record that is no key, is an answer; a timeout or SERVFAIL is not.
      const code = (err as { code?: string }).code;
      return { key: null, answered: code === 'ENOTFOUND' || code === 'ENODATA' || code === 'dkim.bad_key' };
    }
  };
  return async (domain, selector) => {
    if (!/^[a-z0-9.-]{1,253}$/i.test(domain) || !/^[a-z0-9._-]{1,63}$/i.test(selector)) return null;
    if (!allowed(domain)) return null;
    const name = `${selector}._domainkey.${domain}`.toLowerCase();
    const now = Date.now();
    const hit = cache.get(name);
    if (hit && hit.until > now) return hit.key;
    if (cache.size >= CACHE_MAX) cache.clear();
    const entry = { key: Promise.resolve<DkimPublicKey | null>(null), until: now + HIT_TTL_MS };
    entry.key = lookup(name).then(({ key, answered }) => {
      entry.until = Date.now() + (key ? HIT_TTL_MS : answered ? MISS_TTL_MS : NO_ANSWER_TTL_MS);
      return key;
    });
    cache.set(name, entry);
    return entry.key;
  };
}
