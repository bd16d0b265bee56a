import { generateKeyPairSync } from 'node:crypto';
import nodemailer from 'nodemailer';

/**
 * Mail signed as real senders sign it, with nodemailer's DKIM signer: the platform's
 * outbound mail (what a verified complaint forwards) and a feedback-loop partner's reports.
 */
export interface Signer {
  domain: string;
  selector: string;
  privateKey: string;
  /** The public key as a PEM file holds it (what `repute dkim add` is given). */
  publicKeyPem: string;
  /** The public key as its DNS TXT record. */
  dnsRecord: string;
}

export function newSigner(domain: string, selector: string, modulusLength = 2048): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  return {
    domain,
    selector,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    dnsRecord: `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
  };
}

const crlf = (b: Buffer | string) => Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');

function transport(signer: Signer, headerFieldNames?: string) {
  return nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
    dkim: {
      domainName: signer.domain,
      keySelector: signer.selector,
      privateKey: signer.privateKey,
      ...(headerFieldNames ? { headerFieldNames } : {}),
    },
  });
}

/** A message the platform sends for a tenant, signed on its way out. */
export async function signedOriginal(
  signer: Signer,
  o: {
    from: string;
    to: string;
    messageId: string;
    subject: string;
    headers?: Record<string, string>;
    text?: string;
  },
): Promise<Buffer> {
  const info = await transport(signer).sendMail({
    from: o.from,
    to: o.to,
    subject: o.subject,
    messageId: o.messageId,
    date: new Date('2026-11-23T09:00:00Z'),
    headers: o.headers,
    text: o.text ?? 'Our best offers this week.\nUnsubscribe any time.\n',
  });
  return crlf(info.message as Buffer);
}

/** Signs a whole message as its sender's MTA would (a partner's ARF report). */
export async function signMessage(raw: Buffer, signer: Signer): Promise<Buffer> {
  const info = await transport(signer, 'From:To:Subject:Date:Message-ID:MIME-Version:Content-Type').sendMail({
    envelope: { from: `fbl@${signer.domain}`, to: ['abuse@platform.example'] },
    raw: crlf(raw),
  });
  return crlf(info.message as Buffer);
}

/** The hop the recipient's MX writes on top when it takes the message from `ip`. */
export function receivedFrom(message: Buffer, ip: string, host = 'out.platform.example'): Buffer {
  return Buffer.concat([
    Buffer.from(
      `Received: from ${host} (${host} [${ip}])\r\n\tby mx.recipient.example with ESMTPS id r1; Mon, 23 Nov 2026 09:00:02 +0000\r\n`,
    ),
    message,
  ]);
}

/** The Return-Path the delivering MTA writes: the envelope sender the poller reads. */
export const withReturnPath = (message: Buffer, sender: string): Buffer =>
  Buffer.concat([Buffer.from(`Return-Path: <${sender}>\r\n`), crlf(message)]);
