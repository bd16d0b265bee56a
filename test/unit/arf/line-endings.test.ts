import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { endsLinesWithBareCr, withLineFeeds } from '../../../src/arf/line-endings.ts';
import { parseMessage } from '../../../src/arf/parse-message.ts';
import { CORPUS_DIR, corpusPath } from '../../support/corpus.ts';
import { buildMessage, emlAttachment, spamMessage } from './build-message.ts';
import { onlyReport, readingOf } from './outcome-checks.ts';

const corpus = readdirSync(CORPUS_DIR).filter((file) => file.endsWith('.eml'));
const toBareCr = (bytes: Buffer): Buffer =>
  Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r'), 'latin1');

describe('line endings', () => {
  it.each(corpus)(
    'reads %s with classic Mac (CR-only) line endings exactly as the original',
    async (file) => {
      const original = readFileSync(corpusPath(file));
      expect(readingOf(await parseMessage(toBareCr(original)))).toEqual(
        readingOf(await parseMessage(original)),
      );
    },
  );

  it('reads a CR-only .eml attached to an ordinary forward', async () => {
    const raw = buildMessage({
      headers: [
        ['From', 'victim@recipient.example'],
        ['Subject', 'spam'],
      ],
      parts: [emlAttachment(toBareCr(Buffer.from(spamMessage({ from: 'x@coins.example' }))))],
    });
    expect(onlyReport(await parseMessage(raw))).toMatchObject({
      senderDomain: 'coins.example',
      sourceIp: '198.51.100.23',
    });
  });

  it('tells bare-CR line endings by the first line break and leaves CRLF and LF alone', () => {
    expect(endsLinesWithBareCr(Buffer.from('Subject: a\rFrom: b\r\rbody'))).toBe(true);
    expect(endsLinesWithBareCr(Buffer.from('Subject: a\r\nFrom: b\r\n'))).toBe(false);
    expect(endsLinesWithBareCr(Buffer.from('Subject: a\nFrom: b\r\r'))).toBe(false);
    const mixed = Buffer.from('Subject: a\rFrom: b\r\n\rbody');
    expect(withLineFeeds(mixed).toString()).toBe('Subject: a\nFrom: b\r\n\nbody');
    const lf = Buffer.from('Subject: a\n\nbody');
    expect(withLineFeeds(lf)).toBe(lf);
  });
});
