import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Queryable } from '../db/client.ts';
import { ReputeError } from '../errors.ts';
import { type DkimPublicKey, parseDkimPublicKey } from './dkim-key.ts';
import type { KeyLookup } from './dkim-signatures.ts';
import { type DnsKeyOptions, dnsKeyLookup } from './dns-keys.ts';

export interface PlatformKey extends DkimPublicKey {
  domain: string;
  selector: string;
}

/** What the proofs of one batch are checked against: the platform's keys and the partners' domains. */
export interface ProofSources {
  /** Platform keys only: never DNS. */
  platformKey: KeyLookup;
  hasPlatformKey(domain: string): boolean;
  /** The partner a signing domain belongs to (the domain or a parent of it registered), else null. */
  partnerFor(domain: string): string | null;
  /** Partners' keys, from DNS, for their domains only. */
  partnerKey: KeyLookup;
}

const fileSchema = z.array(
  z.object({ domain: z.string().min(1), selector: z.string().min(1), publicKey: z.string().min(1) }).strict(),
);

/**
 * PLATFORM_DKIM_KEYS: a JSON file of the platform's signing keys, for platforms that keep
 * keys in configuration rather than in the database:
 * `[{"domain": "mail.platform.example", "selector": "s1", "publicKey": "<PEM or DNS TXT record>"}]`.
 * Read once at start; a bad file stops the process naming what is wrong.
 */
export function readPlatformKeyFile(path: string | null): PlatformKey[] {
  if (!path) return [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ReputeError('config.invalid', `PLATFORM_DKIM_KEYS ${path}: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
      .join('; ');
    throw new ReputeError('config.invalid', `PLATFORM_DKIM_KEYS ${path}: ${problems}`);
  }
  return parsed.data.map((entry, i) => {
    try {
      return {
        domain: entry.domain.toLowerCase().replace(/\.$/, ''),
        selector: entry.selector.toLowerCase(),
        ...parseDkimPublicKey(entry.publicKey),
      };
    } catch (err) {
      throw new ReputeError(
        'config.invalid',
        `PLATFORM_DKIM_KEYS ${path}: [${i}].publicKey: ${(err as Error).message}`,
      );
    }
  });
}

export async function listPlatformKeys(sql: Queryable): Promise<PlatformKey[]> {
  return sql<PlatformKey[]>`
    select domain, selector, key_type as "keyType", public_key as spki from dkim_keys order by domain, selector`;
}

/** Partner domain → partner name. */
async function partnerDomains(sql: Queryable): Promise<Map<string, string>> {
  const rows = await sql<{ domain: string; partner: string }[]>`select domain, partner from partner_domains`;
  return new Map(rows.map((r) => [r.domain, r.partner]));
}

function sourcesOf(keys: PlatformKey[], partners: Map<string, string>, dnsKey: KeyLookup): ProofSources {
  const byDomain = new Map<string, Map<string, DkimPublicKey>>();
  for (const k of keys) {
    const selectors = byDomain.get(k.domain) ?? new Map<string, DkimPublicKey>();
    selectors.set(k.selector, { keyType: k.keyType, spki: k.spki });
    byDomain.set(k.domain, selectors);
  }
  const partnerFor = (domain: string) => {
    const labels = domain.toLowerCase().split('.');
    for (let i = 0; i < labels.length - 1; i++) {
      const partner = partners.get(labels.slice(i).join('.'));
      if (partner) return partner;
    }
    return null;
  };
  return {
    platformKey: async (domain, selector) => byDomain.get(domain)?.get(selector) ?? null,
    hasPlatformKey: (domain) => byDomain.has(domain.toLowerCase()),
    partnerFor,
    partnerKey: dnsKey,
  };
}

/**
 * The proof sources, read from Postgres at most every `ttlMs` (a key or partner added
 * takes effect within that) plus the key file's, which never change while running.
 */
export function proofSourcesLoader(
  sql: Queryable,
  fileKeys: PlatformKey[],
  dns: DnsKeyOptions,
  ttlMs = 10_000,
): () => Promise<ProofSources> {
  let current: { sources: ProofSources; until: number } | null = null;
  const dnsKey = dnsKeyLookup(dns, (domain) => Boolean(current?.sources.partnerFor(domain)));
  return async () => {
    const now = Date.now();
    if (current && current.until > now) return current.sources;
    const [keys, partners] = await Promise.all([listPlatformKeys(sql), partnerDomains(sql)]);
    current = { sources: sourcesOf([...fileKeys, ...keys], partners, dnsKey), until: now + ttlMs };
    return current.sources;
  };
}
