import { createHash, verify } from 'node:crypto';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { type HeaderField, splitHeaderFields } from '../arf/header-fields.ts';
import { type DkimPublicKey, dkimRecordOf, keyObjectOf } from './dkim-key.ts';

/** Finds the public key of a signing domain and selector; null when there is none to trust. */
export type KeyLookup = (domain: string, selector: string) => Promise<DkimPublicKey | null>;

/** A DKIM signature that verified with a key the lookup vouched for. */
export interface VerifiedSignature {
  domain: string;
  selector: string;
  /**
   * false when only the signed header fields verify: a headers-only original (text/rfc822-headers),
   * or a body the reporter redacted. The header fields (From, Message-ID, the tenant stamp) are
   * still the signer's.
   */
  bodyVerified: boolean;
  /** Names of the header fields the signature covers (instances present), lower-cased. */
  signedFields: string[];
}

export interface SignatureCheck {
  signatures: VerifiedSignature[];
  /** The header section as read, for callers that check how many of a field there are. */
  fields: HeaderField[];
  /** Set when the message was not checked at all (too many signatures to be mail). */
  skipped?: 'too_many_signatures';
}

/**
 * Signatures checked per message: real mail carries one to three (author, ESP, forwarder).
 * Each one with its own body length or canonicalisation costs a hash of the whole body, so a
 * message with hundreds is an attack on the verifier, not mail.
 */
export const MAX_SIGNATURES = 8;
/** Only the first part of a header section is looked at: signatures sit near the top. */
const HEADER_SCAN_BYTES = 256 * 1024;
/**
 * Bodies over this are not hashed (mailauth takes about 0.3 s a megabyte): only the header
 * signature is checked, as for a header section alone, and `bodyVerified` is false.
 */
export const MAX_BODY_CHECK_BYTES = 1024 * 1024;

/** The d= of every DKIM-Signature in a header section, lower-cased, in order. */
export function signingDomainsIn(fields: readonly HeaderField[]): string[] {
  const domains: string[] = [];
  for (const [name, value] of fields) {
    if (name !== 'dkim-signature') continue;
    const d = /(?:^|;)\s*d\s*=\s*([^;\s]+)/i.exec(value)?.[1];
    if (d) domains.push(d.toLowerCase().replace(/\.$/, ''));
  }
  return domains;
}

export function headerFieldsOf(bytes: Buffer): HeaderField[] {
  const head = bytes.subarray(0, HEADER_SCAN_BYTES).toString('latin1');
  return splitHeaderFields(head, { skipLeadingBlankLines: true }).fields;
}

interface MailauthResult {
  signingDomain?: unknown;
  selector?: unknown;
  signature?: unknown;
  algo?: unknown;
  expiresAfter?: unknown;
  status?: { result?: unknown; comment?: unknown };
  signingHeaders?: { headers?: unknown; canonicalizedHeader?: unknown };
}

const asString = (v: unknown): string => (typeof v === 'string' ? v : '');

function signedFieldsOf(r: MailauthResult): string[] {
  const lines = Array.isArray(r.signingHeaders?.headers) ? r.signingHeaders.headers : [];
  return lines.flatMap((line) => {
    const colon = typeof line === 'string' ? line.indexOf(':') : -1;
    return colon > 0 ? [(line as string).slice(0, colon).trim().toLowerCase()] : [];
  });
}

/**
 * mailauth checks the body hash first and never looks at the header signature of a body that
 * does not match; for a header section alone (or a redacted body) the header signature is
 * checked here, over the canonicalised header mailauth computed.
 */
function headerSignatureVerifies(r: MailauthResult, key: DkimPublicKey, now: Date): boolean {
  const algo = asString(r.algo).toLowerCase();
  const canonical = asString(r.signingHeaders?.canonicalizedHeader);
  const signature = asString(r.signature);
  if (!canonical || !signature) return false;
  const expires = asString(r.expiresAfter);
  if (expires && new Date(expires).getTime() < now.getTime()) return false;
  const data = Buffer.from(canonical, 'base64');
  const sig = Buffer.from(signature, 'base64');
  try {
    if (algo === 'rsa-sha256' && key.keyType === 'rsa') return verify('sha256', data, keyObjectOf(key), sig);
    if (algo === 'ed25519-sha256' && key.keyType === 'ed25519') {
      // RFC 8463 §3: Ed25519 signs the SHA-256 of the canonicalised header.
      const digest = createHash('sha256').update(data).digest();
      return verify(null, digest, keyObjectOf(key), sig);
    }
  } catch {
    return false;
  }
  return false;
}

/**
 * The DKIM signatures of a message (or of a header section alone) that verify with keys the
 * lookup gives. Signatures whose key the lookup does not know are not looked up anywhere else:
 * a signature proves something only with a key chosen by us. rsa-sha1 counts for nothing (RFC 8301).
 */
export async function verifiedSignatures(
  bytes: Buffer,
  lookup: KeyLookup,
  now: Date,
): Promise<SignatureCheck> {
  const fields = headerFieldsOf(bytes);
  const count = fields.filter(([name]) => name === 'dkim-signature').length;
  if (count === 0) return { signatures: [], fields };
  if (count > MAX_SIGNATURES) return { signatures: [], fields, skipped: 'too_many_signatures' };

  const keys = new Map<string, DkimPublicKey | null>();
  const keyFor = async (domain: string, selector: string) => {
    const id = `${selector}._domainkey.${domain}`.toLowerCase();
    if (!keys.has(id)) keys.set(id, await lookup(domain.toLowerCase(), selector.toLowerCase()));
    return keys.get(id) ?? null;
  };
  const resolver = async (name: string) => {
    const at = name.toLowerCase().indexOf('._domainkey.');
    const key = at > 0 ? await keyFor(name.slice(at + 12), name.slice(0, at)) : null;
    if (!key) throw Object.assign(new Error(`no key for ${name}`), { code: 'ENOTFOUND' });
    return [[dkimRecordOf(key)]];
  };

  // A header section alone still needs the empty line that ends it; a large body is left off.
  const head = bytes.subarray(0, HEADER_SCAN_BYTES).toString('latin1');
  const end = /\r?\n\r?\n/.exec(head);
  let input = bytes;
  if (!end) input = Buffer.concat([bytes, Buffer.from('\r\n\r\n')]);
  else if (bytes.length - (end.index + end[0].length) > MAX_BODY_CHECK_BYTES) {
    input = bytes.subarray(0, end.index + end[0].length);
  }
  let results: MailauthResult[];
  try {
    const out = await dkimVerify(input, { resolver, curTime: now });
    results = Array.isArray(out.results) ? (out.results as unknown as MailauthResult[]) : [];
  } catch {
    return { signatures: [], fields };
  }

  const signatures: VerifiedSignature[] = [];
  for (const r of results) {
    const domain = asString(r.signingDomain).toLowerCase();
    const selector = asString(r.selector).toLowerCase();
    if (!domain || !selector || asString(r.algo).toLowerCase().endsWith('sha1')) continue;
    const result = asString(r.status?.result);
    let bodyVerified: boolean;
    if (result === 'pass') bodyVerified = true;
    else if (result === 'neutral' && asString(r.status?.comment) === 'body hash did not verify') {
      const key = await keyFor(domain, selector);
      if (!key || !headerSignatureVerifies(r, key, now)) continue;
      bodyVerified = false;
    } else continue;
    signatures.push({ domain, selector, bodyVerified, signedFields: signedFieldsOf(r) });
  }
  return { signatures, fields };
}
