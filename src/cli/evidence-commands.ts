import { readFileSync } from 'node:fs';
import { ReputeError } from '../errors.ts';
import { listPlatformKeys } from '../evidence/proof-sources.ts';
import {
  addDkimKey,
  addPartner,
  listPartners,
  removeDkimKey,
  removePartner,
} from '../evidence/trust-directory.ts';
import type { Runtime } from '../runtime.ts';

/** `repute dkim add DOMAIN SELECTOR PUBLIC_KEY_FILE`: the file holds a PEM public key or the DNS TXT record. */
export async function printDkimKeyAdded(
  rt: Runtime,
  domain: string,
  selector: string,
  file: string,
): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReputeError('request.invalid', `Cannot read ${file}: ${(err as Error).message}`);
  }
  const added = await addDkimKey(rt.database.sql, { domain, selector, publicKey: text });
  console.log(`${added.keyType} key for ${added.selector}._domainkey.${added.domain} added`);
}

export async function printDkimKeys(rt: Runtime): Promise<void> {
  const keys = await listPlatformKeys(rt.database.sql);
  if (keys.length === 0)
    console.log('no platform DKIM keys; add one with `repute dkim add DOMAIN SELECTOR FILE`');
  for (const k of keys) console.log(`${k.domain}\t${k.selector}\t${k.keyType}\t${k.spki.slice(0, 24)}…`);
}

export async function printDkimKeyRemoved(rt: Runtime, domain: string, selector: string): Promise<number> {
  if (!(await removeDkimKey(rt.database.sql, domain, selector))) {
    process.stderr.write(`repute: no key for ${selector}._domainkey.${domain}\n`);
    return 1;
  }
  console.log(`key ${selector}._domainkey.${domain} removed`);
  return 0;
}

export async function printPartnerAdded(rt: Runtime, name: string, domains: string[]): Promise<void> {
  const added = await addPartner(rt.database.sql, name, domains);
  console.log(`partner ${name}: ${added.join(', ')}`);
}

export async function printPartners(rt: Runtime): Promise<void> {
  const partners = await listPartners(rt.database.sql);
  if (partners.length === 0) console.log('no partners; add one with `repute partner add NAME --domain D`');
  for (const p of partners) console.log(`${p.name}\t${p.domains.join(',')}`);
}

export async function printPartnerRemoved(rt: Runtime, name: string): Promise<number> {
  if (!(await removePartner(rt.database.sql, name))) {
    process.stderr.write(`repute: no partner "${name}"\n`);
    return 1;
  }
  console.log(`partner ${name} removed`);
  return 0;
}
