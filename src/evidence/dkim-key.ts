import { createPublicKey, type KeyObject } from 'node:crypto';
import { ReputeError } from '../errors.ts';

/**
 * A DKIM public key as Repute keeps it: its type and the SubjectPublicKeyInfo (DER, base64),
 * the form a DNS record's p= holds for RSA keys (RFC 6376 §3.6.1).
 */
export interface DkimPublicKey {
  keyType: 'rsa' | 'ed25519';
  spki: string;
}

/** Ed25519 keys travel in DNS as the bare 32-byte key (RFC 8463 §4.2); this is the DER prefix that makes them SPKI. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function fromKeyObject(key: KeyObject): DkimPublicKey {
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ed25519') {
    throw new ReputeError('dkim.bad_key', `A DKIM key is RSA or Ed25519, not ${type ?? 'unknown'}.`);
  }
  if (type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 1024) {
    throw new ReputeError('dkim.bad_key', 'RSA keys under 1024 bits are not accepted (RFC 8301).');
  }
  return { keyType: type, spki: key.export({ type: 'spki', format: 'der' }).toString('base64') };
}

/**
 * Reads a public key as people have it at hand: a PEM file (`-----BEGIN PUBLIC KEY-----`),
 * the TXT record published in DNS (`v=DKIM1; k=rsa; p=MIIB…`), or the bare base64 of p=.
 */
export function parseDkimPublicKey(text: string): DkimPublicKey {
  const trimmed = text.trim().replace(/^"|"$/g, '');
  try {
    if (trimmed.startsWith('-----BEGIN')) {
      if (/PRIVATE KEY/.test(trimmed)) {
        throw new ReputeError('dkim.bad_key', 'That is a private key: give Repute the public key only.');
      }
      return fromKeyObject(createPublicKey(trimmed));
    }
    const tags = new Map<string, string>();
    for (const part of trimmed.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0) tags.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).replace(/\s+/g, ''));
    }
    const p = tags.get('p') ?? (tags.size === 0 ? trimmed.replace(/\s+/g, '') : undefined);
    if (!p) throw new ReputeError('dkim.bad_key', 'The record has no p= (public key) tag.');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(p)) throw new ReputeError('dkim.bad_key', 'p= is not base64.');
    const der = Buffer.from(p, 'base64');
    const spki = der.length === 32 ? Buffer.concat([ED25519_SPKI_PREFIX, der]) : der;
    return fromKeyObject(createPublicKey({ key: spki, format: 'der', type: 'spki' }));
  } catch (err) {
    if (err instanceof ReputeError) throw err;
    throw new ReputeError(
      'dkim.bad_key',
      `Not a public key (${(err as Error).message}); give a PEM file or the DNS TXT record.`,
    );
  }
}

/** The key as a DNS TXT record, the form DKIM verifiers look keys up in. */
export function dkimRecordOf(key: DkimPublicKey): string {
  const p =
    key.keyType === 'ed25519'
      ? Buffer.from(key.spki, 'base64').subarray(ED25519_SPKI_PREFIX.length).toString('base64')
      : key.spki;
  return `v=DKIM1; k=${key.keyType}; p=${p}`;
}

export const keyObjectOf = (key: DkimPublicKey): KeyObject =>
  createPublicKey({ key: Buffer.from(key.spki, 'base64'), format: 'der', type: 'spki' });
