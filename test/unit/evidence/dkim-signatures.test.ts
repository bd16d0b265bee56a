import { describe, expect, it } from 'vitest';
import { type DkimPublicKey, dkimRecordOf, parseDkimPublicKey } from '../../../src/evidence/dkim-key.ts';
import {
  type KeyLookup,
  MAX_BODY_CHECK_BYTES,
  MAX_SIGNATURES,
  verifiedSignatures,
} from '../../../src/evidence/dkim-signatures.ts';
import { newSigner, signedOriginal } from '../../support/signed-mail.ts';

const NOW = new Date('2026-11-23T12:00:00Z');
const platform = newSigner('northwind.example', 's1');
const stranger = newSigner('northwind.example', 's1');

const keysOf =
  (...signers: Array<{ domain: string; selector: string; publicKeyPem: string }>): KeyLookup =>
  async (domain, selector) => {
    const s = signers.find((x) => x.domain === domain && x.selector === selector);
    return s ? parseDkimPublicKey(s.publicKeyPem) : null;
  };

const original = () =>
  signedOriginal(platform, {
    from: 'Deals <deals@northwind.example>',
    to: 'jane@recipient.example',
    messageId: '<sale-1@northwind.example>',
    subject: 'Big sale',
  });

describe('DKIM signatures, checked against keys Repute chose', () => {
  it('verifies the platform’s own signature on a whole message, and says what it covers', async () => {
    const check = await verifiedSignatures(await original(), keysOf(platform), NOW);
    expect(check.signatures).toHaveLength(1);
    expect(check.signatures[0]).toMatchObject({
      domain: 'northwind.example',
      selector: 's1',
      bodyVerified: true,
    });
    expect(check.signatures[0]!.signedFields).toEqual(
      expect.arrayContaining(['from', 'message-id', 'to', 'subject']),
    );
  });

  it('verifies the header signature of a header section alone, or of a redacted body', async () => {
    const msg = await original();
    const head = msg.subarray(0, msg.indexOf('\r\n\r\n') + 2);
    const headersOnly = await verifiedSignatures(head, keysOf(platform), NOW);
    expect(headersOnly.signatures[0]).toMatchObject({ domain: 'northwind.example', bodyVerified: false });
    const redacted = Buffer.from(
      msg.toString('latin1').replace('Our best offers', 'Our xxxx offers'),
      'latin1',
    );
    expect((await verifiedSignatures(redacted, keysOf(platform), NOW)).signatures[0]?.bodyVerified).toBe(
      false,
    );
  });

  it('checks only the header signature of an original whose body is over a megabyte', async () => {
    const big = await signedOriginal(platform, {
      from: 'deals@northwind.example',
      to: 'x@y.example',
      messageId: '<big@northwind.example>',
      subject: 'Catalogue',
      text: `${'All our products, page after page.\n'.repeat(40_000)}`,
    });
    expect(big.length).toBeGreaterThan(MAX_BODY_CHECK_BYTES);
    const check = await verifiedSignatures(big, keysOf(platform), NOW);
    expect(check.signatures).toMatchObject([{ domain: 'northwind.example', bodyVerified: false }]);
  });

  it('rejects a signed header changed after signing', async () => {
    const msg = (await original()).toString('latin1');
    const forged = Buffer.from(
      msg.replace('<sale-1@northwind.example>', '<sale-2@northwind.example>'),
      'latin1',
    );
    expect((await verifiedSignatures(forged, keysOf(platform), NOW)).signatures).toEqual([]);
    const head = forged.subarray(0, forged.indexOf('\r\n\r\n') + 2);
    expect((await verifiedSignatures(head, keysOf(platform), NOW)).signatures).toEqual([]);
  });

  it('trusts no key but ours: a signature made with a stranger’s key for our domain is nothing', async () => {
    const forged = await signedOriginal(stranger, {
      from: 'deals@northwind.example',
      to: 'x@y.example',
      messageId: '<f@northwind.example>',
      subject: 'x',
    });
    expect((await verifiedSignatures(forged, keysOf(platform), NOW)).signatures).toEqual([]);
    expect((await verifiedSignatures(forged, async () => null, NOW)).signatures).toEqual([]);
  });

  it('does not check a message with more signatures than mail carries', async () => {
    const msg = await original();
    // nodemailer writes the DKIM-Signature field first: everything before From is that field.
    const sig = msg.subarray(0, msg.indexOf('\r\nFrom:') + 2);
    expect(sig.toString('latin1')).toMatch(/^DKIM-Signature:[\s\S]*\r\n$/);
    const many = Buffer.concat([...Array.from({ length: MAX_SIGNATURES }, () => sig), msg]);
    const check = await verifiedSignatures(many, keysOf(platform), NOW);
    expect(check).toMatchObject({ signatures: [], skipped: 'too_many_signatures' });
  });

  it('reads a key from a PEM file, a DNS record or bare base64, and refuses a private key', () => {
    const fromPem = parseDkimPublicKey(platform.publicKeyPem);
    const fromRecord = parseDkimPublicKey(platform.dnsRecord);
    const bare = parseDkimPublicKey(platform.dnsRecord.replace(/^.*p=/, ''));
    expect(fromRecord).toEqual(fromPem);
    expect(bare).toEqual(fromPem);
    expect(parseDkimPublicKey(dkimRecordOf(fromPem))).toEqual(fromPem);
    expect(() => parseDkimPublicKey(platform.privateKey)).toThrow(/private key/);
    expect(() => parseDkimPublicKey('v=DKIM1; k=rsa; p=not base64!')).toThrow(/base64/);
    const ed = parseDkimPublicKey('v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=');
    expect((ed as DkimPublicKey).keyType).toBe('ed25519');
    expect(parseDkimPublicKey(dkimRecordOf(ed))).toEqual(ed);
  });
});
