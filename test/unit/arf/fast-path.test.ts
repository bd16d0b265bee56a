import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fastView } from '../../../src/arf/fast-view.ts';
import { parseMessage } from '../../../src/arf/parse-message.ts';
import { buildArf } from '../../support/build-arf.ts';
import { CORPUS_DIR, corpusPath } from '../../support/corpus.ts';

const corpus = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.eml'));

/** Reports shaped as feedback loops send them, with the variations they come in. */
function generated(): Buffer[] {
  const out: Buffer[] = [];
  const types = ['abuse', 'fraud', 'not-spam', 'opt-out', 'auth-failure', 'other'];
  for (let i = 0; i < 120; i++) {
    const msg = buildArf({
      id: i,
      feedbackType: types[i % types.length],
      sourceIp: i % 5 === 0 ? undefined : i % 7 === 0 ? '2001:db8::25' : `198.51.100.${i % 250}`,
      mailFrom: `sender${i}@tenant${i % 4}.example`,
      from: i % 3 === 0 ? `other${i}@brand.example` : undefined,
      originalHeaders: i % 2 ? [`X-Repute-Tenant: tenant${i % 4}; t=1795000000; s=${'ab'.repeat(32)}`] : [],
      received:
        i % 4 === 0
          ? [
              ['203.0.113.7', 'relay.example'],
              [`198.51.100.${i % 250}`, 'out.example'],
            ]
          : undefined,
      bodyBytes: 100 + i * 37,
    });
    out.push(i % 2 ? Buffer.from(msg.toString('latin1').replace(/\r\n/g, '\n'), 'latin1') : msg);
  }
  return out;
}

describe('the fast path for plain feedback reports', () => {
  it.each(corpus)('gives exactly what mailparser gives for %s', async (file) => {
    const raw = readFileSync(corpusPath(file));
    expect(await parseMessage(raw)).toEqual(await parseMessage(raw, { fastPath: false }));
  });

  it('gives exactly what mailparser gives for generated reports of every shape', async () => {
    let taken = 0;
    for (const raw of generated()) {
      if (fastView(raw)) taken++;
      expect(await parseMessage(raw)).toEqual(await parseMessage(raw, { fastPath: false }));
    }
    // The point of the fast path: the common shape takes it.
    expect(taken).toBe(120);
  });

  it('reads reports cut off before their closing boundary as mailparser does', async () => {
    for (const [i, raw] of generated().slice(0, 30).entries()) {
      const text = raw.toString('latin1');
      const cut = Buffer.from(text.slice(0, text.lastIndexOf('--arf-boundary') - (i % 3)), 'latin1');
      expect(fastView(cut)).not.toBeNull();
      expect(await parseMessage(cut)).toEqual(await parseMessage(cut, { fastPath: false }));
    }
  });

  // Classes of message the fuzz harness found the fast path reading differently from mailparser.
  const base = buildArf({ id: 7, sourceIp: '192.0.2.7' }).toString('latin1');
  const variant = (from: string | RegExp, to: string) => Buffer.from(base.replace(from, to), 'latin1');
  it.each([
    [
      'a part with an empty header section',
      variant('Content-Type: text/plain; charset="US-ASCII"\r\n', ''),
      true,
    ],
    [
      'a boundary parameter written twice',
      variant('boundary="arf-boundary-7"', 'boundary="arf-boundary-7"; boundary="other"'),
      true,
    ],
    [
      'a report-type parameter written twice',
      variant('report-type=feedback-report;', 'report-type=feedback-report; report-type=delivery-status;'),
      true,
    ],
    [
      'an LF message whose header section ends in a line holding a CR',
      Buffer.from(base.replace(/\r\n/g, '\n').replace('\n\n--arf', '\n\r\n--arf'), 'latin1'),
      true,
    ],
  ])('reads %s as mailparser does', async (_case, raw, fast) => {
    expect(fastView(raw) !== null).toBe(fast);
    expect(await parseMessage(raw)).toEqual(await parseMessage(raw, { fastPath: false }));
  });

  it.each([
    [
      'Content-Disposition: form-data',
      variant('Content-Disposition: inline', 'Content-Disposition: form-data; name="f"'),
    ],
    [
      'an encoded Content-Disposition',
      variant('Content-Disposition: inline', 'Content-Disposition: =?utf-8?q?inline?='),
    ],
    ['format=flowed', variant('charset="US-ASCII"', 'charset="US-ASCII"; format=flowed')],
    [
      'a CR before a delimiter',
      variant(
        '\r\n\r\n--arf-boundary-7\r\nContent-Type: message/feedback-report',
        '\r\n\r\r--arf-boundary-7\r\nContent-Type: message/feedback-report',
      ),
    ],
    [
      'an encoded word in a parameter',
      variant('Content-Type: message/rfc822', 'Content-Type: message/rfc822; name="=?utf-8?q?spam=2Eeml?="'),
    ],
    [
      'two addresses in From',
      variant('From: <fbl@fbl-partner.example>', 'From: fbl@fbl-partner.example, other@fbl-partner.example'),
    ],
    [
      'an unbalanced quote in From',
      variant('From: <fbl@fbl-partner.example>', 'From: "FBL <fbl@fbl-partner.example>'),
    ],
    ['a group in From', variant('From: <fbl@fbl-partner.example>', 'From: FBL: fbl@fbl-partner.example;')],
    ['a comment in From', variant('From: <fbl@fbl-partner.example>', 'From: fbl@fbl-partner.example (FBL)')],
    [
      'a second From',
      variant('From: <fbl@fbl-partner.example>', 'From: <fbl@fbl-partner.example>\r\nFrom: <x@y.example>'),
    ],
    [
      'a type only a file name tells',
      variant(
        'Content-Type: message/rfc822\r\nContent-Disposition: inline',
        'Content-Disposition: attachment; filename="spam.eml"',
      ),
    ],
    [
      'folding after trailing spaces',
      variant('Subject: FW: Offer number 7', 'Subject: FW:  \r\n\tOffer number 7'),
    ],
    [
      'a part header line longer than RFC 5322 allows',
      variant('Content-Type: message/rfc822', `Content-Type: message/rfc822${' \t'.repeat(100_000)}`),
    ],
  ])('leaves %s to mailparser', async (_case, raw) => {
    expect(fastView(raw)).toBeNull();
    expect(await parseMessage(raw)).toEqual(await parseMessage(raw, { fastPath: false }));
  });

  it('leaves anything unusual to mailparser', () => {
    const base = buildArf({ id: 1, sourceIp: '192.0.2.1' }).toString('latin1');
    const variants = [
      base.replace(
        'Content-Type: message/rfc822',
        'Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64',
      ),
      base.replace('Subject: FW: Offer number 1', 'Subject: =?utf-8?q?caf=C3=A9?='),
      base.replace(
        'Content-Type: text/plain; charset="US-ASCII"',
        'Content-Type: text/plain; charset="iso-2022-jp"',
      ),
      base.replace('multipart/report', 'multipart/alternative'),
    ];
    for (const v of variants) expect(fastView(Buffer.from(v, 'latin1'))).toBeNull();
  });
});
