import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/arf/parse-message.ts';
import type { ParseOutcome } from '../../../src/arf/types.ts';
import { CORPUS_DIR, corpusPath } from '../../support/corpus.ts';
import { seededRandom } from '../../support/prng.ts';
import {
  ABUSE_FIELDS,
  arfReport,
  buildMessage,
  type Part,
  reportHeaders,
  spamMessage,
} from './build-message.ts';
import { expectWellFormed, onlyReport, readingOf, reportsOf } from './outcome-checks.ts';

function randomBytes(random: () => number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/** Flips, deletes, duplicates or truncates pieces of a real message. */
function mutate(random: () => number, message: Buffer): Buffer {
  let bytes = Buffer.from(message);
  const edits = 1 + Math.floor(random() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * Math.max(1, bytes.length));
    const length = Math.floor(random() * 200);
    switch (Math.floor(random() * 4)) {
      case 0:
        for (let i = at; i < Math.min(bytes.length, at + 8); i++) bytes[i] = Math.floor(random() * 256);
        break;
      case 1:
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + length)]);
        break;
      case 2:
        bytes = Buffer.concat([bytes.subarray(0, at + length), bytes.subarray(at)]);
        break;
      default:
        bytes = bytes.subarray(0, at);
    }
  }
  return bytes;
}

async function settle(raw: Uint8Array, options?: { maxReports?: number }): Promise<ParseOutcome> {
  const outcome = await parseMessage(raw, options);
  expectWellFormed(outcome);
  return outcome;
}

describe('hostile and broken input', () => {
  it('fails an empty message with arf.no_content', async () => {
    const outcome = await settle(new Uint8Array(0));
    expect(outcome).toMatchObject({ status: 'failed', code: 'arf.no_content' });
  });

  it('fails bytes that are not a message with arf.unreadable', async () => {
    expect(await settle(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj'))).toMatchObject({
      status: 'failed',
      code: 'arf.unreadable',
    });
    expect(await settle(Buffer.from('Subject: hi\0\0\0\r\n\r\nbody'))).toMatchObject({
      code: 'arf.unreadable',
    });
  });

  it('fails something that is not bytes at all instead of throwing', async () => {
    const outcome = await parseMessage(undefined as unknown as Uint8Array);
    expect(outcome).toMatchObject({ status: 'failed', code: 'arf.no_content' });
  });

  it('never throws on random bytes (300 seeded cases)', async () => {
    const random = seededRandom(0x5eed);
    for (let i = 0; i < 300; i++) {
      const bytes = randomBytes(random, Math.floor(random() * 4000));
      // every other case starts like a message, so the bytes get past the first check
      const raw = i % 2 === 0 ? bytes : Buffer.concat([Buffer.from('Subject: fuzz\r\n'), bytes]);
      await settle(raw);
    }
  });

  it('never throws on mangled corpus messages (400 seeded cases)', async () => {
    const random = seededRandom(42);
    const corpus = readdirSync(CORPUS_DIR)
      .filter((file) => file.endsWith('.eml'))
      .map((file) => readFileSync(corpusPath(file)));
    for (let i = 0; i < 400; i++) {
      await settle(mutate(random, corpus[i % corpus.length]!));
    }
  });

  it('still reports when the message is cut off after the feedback part', async () => {
    const whole = arfReport(ABUSE_FIELDS).toString('latin1');
    const cut = Buffer.from(whole.slice(0, whole.indexOf('Source-IP: 198.51.100.23') + 24), 'latin1');
    const report = onlyReport(await settle(cut));
    expect(report).toMatchObject({ format: 'arf', feedbackType: 'abuse', sourceIp: '198.51.100.23' });
    expect(report.warnings).toContain('arf.no_original_message');
  });

  it('keeps a report whose feedback part has no Feedback-Type, as abuse with a warning', async () => {
    const report = onlyReport(
      await settle(arfReport(ABUSE_FIELDS.filter((line) => !line.startsWith('Feedback-Type')))),
    );
    expect(report.feedbackType).toBe('abuse');
    expect(report.warnings).toContain('arf.missing_feedback_type');
  });

  it('unfolds folded feedback fields', async () => {
    const report = onlyReport(
      await settle(
        arfReport([
          'Feedback-Type:',
          '  abuse',
          'User-Agent: Folding/1.0',
          'Version: 1',
          'Source-IP:',
          '\t192.0.2.77',
          'Authentication-Results: mx.provider.example;',
          '     spf=fail smtp.mailfrom=deals.example;',
          '     dkim=none',
        ]),
      ),
    );
    expect(report.sourceIp).toBe('192.0.2.77');
    expect(report.authenticationResults).toBe(
      'mx.provider.example; spf=fail smtp.mailfrom=deals.example; dkim=none',
    );
  });

  it('reads an IPv6 Source-IP and writes it in canonical form', async () => {
    const report = onlyReport(
      await settle(arfReport(['Feedback-Type: abuse', 'Source-IP: 2001:DB8:0:0:0::25'])),
    );
    expect(report).toMatchObject({ sourceIp: '2001:db8::25', sourceIpOrigin: 'arf' });
  });

  it('keeps 50 of 10,000 Original-Rcpt-To lines and still reads the fields after them', async () => {
    const recipients = Array.from(
      { length: 10_000 },
      (_, i) => `Original-Rcpt-To: <user${i}@recipient.example>`,
    );
    const report = onlyReport(
      await settle(
        arfReport(['Feedback-Type: abuse', 'Version: 1', ...recipients, 'Source-IP: 192.0.2.200']),
      ),
    );
    expect(report.originalRcptTo).toHaveLength(50);
    expect(report.originalRcptTo[0]).toBe('user0@recipient.example');
    expect(report.sourceIp).toBe('192.0.2.200');
    expect(report.warnings).toContain('arf.too_many_values');
  });

  it('survives a header line of 1 MB, storing a bounded value', async () => {
    const huge = 'x'.repeat(1024 * 1024);
    const raw = arfReport(ABUSE_FIELDS, {
      headers: [...reportHeaders(), ['X-Huge', huge]],
      original: spamMessage({ extraHeaders: [['X-Also-Huge', huge]] }),
    });
    const report = onlyReport(await settle(raw));
    expect(report.sourceIp).toBe('198.51.100.23');
    const kept = report.original.headers.find(([name]) => name === 'x-also-huge');
    expect(kept?.[1].length).toBe(2000);
  });

  it('gives up on 200,000 header fields with arf.too_complex rather than working through them', async () => {
    const raw = Buffer.from(`From: a@b.example\r\n${'X-Filler: yes\r\n'.repeat(200_000)}\r\nbody`);
    expect(await settle(raw)).toMatchObject({ status: 'failed', code: 'arf.too_complex' });
  });

  it('keeps 100 of 5,000 header fields of an original, most of them from the bottom', async () => {
    const filler: Array<[string, string]> = Array.from({ length: 5000 }, (_, i) => ['X-Trace', `hop ${i}`]);
    const original = [
      ...filler.map(([name, value]) => `${name}: ${value}`),
      spamMessage({ extraHeaders: [['X-Tenant', 't-42']] }),
    ].join('\r\n');
    const report = onlyReport(await settle(arfReport(ABUSE_FIELDS, { original })));
    expect(report.original.headers).toHaveLength(100);
    expect(report.original.headers).toContainEqual(['x-tenant', 't-42']);
    expect(report.original.from).toBe('offers@deals.example');
    expect(report.warnings).toContain('original.too_many_headers');
  });

  it('reads CRLF and LF line endings alike', async () => {
    const crlf = await settle(arfReport(ABUSE_FIELDS, { eol: '\r\n' }));
    const lf = await settle(arfReport(ABUSE_FIELDS, { eol: '\n' }));
    expect(readingOf(lf)).toEqual(readingOf(crlf));
    expect(onlyReport(lf).senderDomain).toBe('mail.deals.example');
  });

  it('turns 200 attached messages into 20 reports and says it dropped the rest', async () => {
    const parts: Part[] = Array.from({ length: 200 }, (_, i) => ({
      headers: [['Content-Type', 'message/rfc822']],
      body: spamMessage({ ip: `198.51.100.${i % 250}`, from: `sender${i}@spam${i}.example` }),
    }));
    const raw = buildMessage({
      headers: reportHeaders('Fwd: lots of spam', 'victim@recipient.example'),
      parts,
    });

    const reports = reportsOf(await settle(raw));
    expect(reports).toHaveLength(20);
    expect(reports[19]?.senderDomain).toBe('spam19.example');
    expect(reports.every((report) => report.warnings.includes('forward.too_many_attachments'))).toBe(true);

    expect(reportsOf(await settle(raw, { maxReports: 500 }))).toHaveLength(200);
    expect(reportsOf(await settle(raw, { maxReports: 3 }))).toHaveLength(3);
  });

  it('reads moderately nested MIME and refuses absurdly nested MIME as arf.too_complex', async () => {
    const nest = (depth: number): Buffer => {
      let body = `Content-Type: message/rfc822\r\n\r\n${spamMessage()}`;
      for (let level = depth; level > 0; level--) {
        body = `Content-Type: multipart/mixed; boundary="n${level}"\r\n\r\n--n${level}\r\n${body}\r\n--n${level}--`;
      }
      return Buffer.from(
        `From: victim@recipient.example\r\nSubject: nested\r\nMIME-Version: 1.0\r\n${body}\r\n`,
      );
    };
    expect(onlyReport(await settle(nest(50))).senderDomain).toBe('deals.example');
    expect(await settle(nest(3000))).toMatchObject({ status: 'failed', code: 'arf.too_complex' });
  });

  it('ignores a bounce and an auto-reply', async () => {
    const bounce = buildMessage({
      headers: [
        ['From', 'MAILER-DAEMON@mx.example'],
        ['To', 'abuse@platform.example'],
        ['Subject', 'Undelivered Mail Returned to Sender'],
      ],
      contentType: 'multipart/report; report-type=delivery-status',
      parts: [
        { headers: [['Content-Type', 'text/plain']], body: 'It bounced.' },
        {
          headers: [['Content-Type', 'message/delivery-status']],
          body: 'Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; x@y.example\r\nAction: failed\r\nStatus: 5.1.1',
        },
      ],
    });
    const autoReply = buildMessage({
      headers: [
        ['From', 'someone@recipient.example'],
        ['Subject', 'Automatic reply: Abuse report'],
        ['Auto-Submitted', 'auto-replied'],
      ],
      body: 'I am out of the office.',
    });
    expect(await settle(bounce)).toMatchObject({ status: 'ignored', reason: 'ignored.bounce' });
    expect(await settle(autoReply)).toMatchObject({ status: 'ignored', reason: 'ignored.auto_reply' });
  });

  it('reads a 1.9 MB report full of quoted recipients in well under a second', async () => {
    // Each value is a quote followed by 2,000 escaped quotes: a regex over quoted strings
    // rescanned it from every quote, and this message took 5 s (a 38 MB one, 97 s).
    const value = `"${'\\"'.repeat(2000)}`;
    const original = [
      'From: x@deals.example',
      ...Array.from({ length: 480 }, () => `X-HmXmrOriginalRecipient: ${value}`),
      '',
      'Buy now.',
    ].join('\r\n');
    const raw = buildMessage({
      headers: reportHeaders('complaint about message from 192.0.2.9'),
      parts: [{ headers: [['Content-Type', 'message/rfc822']], body: original }],
    });
    expect(raw.length).toBeGreaterThan(1_900_000);
    const started = performance.now();
    const report = onlyReport(await settle(raw));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(report.sourceIp).toBe('192.0.2.9');
  });

  it('keeps at most 50 DKIM domains of an original, each a domain of at most 253 characters', async () => {
    const signatures = [
      `DKIM-Signature: v=1; d=${'a'.repeat(10_000)}.example; s=s1; b=x`,
      ...Array.from({ length: 80 }, (_, i) => `DKIM-Signature: v=1; d=signer${i}.example; s=s1; b=x`),
    ];
    const original = spamMessage({ extraHeaders: [] }).replace(
      /^DKIM-Signature:.*$/m,
      signatures.join('\r\n'),
    );
    const report = onlyReport(await settle(arfReport(ABUSE_FIELDS, { original })));
    expect(report.original.dkimDomains).toHaveLength(50);
    expect(report.original.dkimDomains[0]).toBe('signer0.example');
  });

  it('keeps NUL, control characters, bidi overrides and lone surrogates out of an ignored detail', async () => {
    const autoReply = buildMessage({
      headers: [
        ['From', 'someone@recipient.example'],
        ['Subject', '=?utf-8?q?Out_of_office=00=07_=E2=80=AEnoitacav?='],
        ['Auto-Submitted', 'auto-replied \u202e\u0007'],
      ],
      body: 'Away.',
    });
    const outcome = await settle(autoReply);
    expect(outcome).toMatchObject({ status: 'ignored', reason: 'ignored.auto_reply' });
  });

  it('keeps lone surrogates written as HTML entities out of what it stores', async () => {
    const raw = buildMessage({
      headers: [
        ['From', 'victim@recipient.example'],
        ['Subject', 'Fwd: spam'],
        ['Content-Type', 'text/html; charset=utf-8'],
      ],
      body: '<p>-----Original Message-----<br>From: Deals &lt;offers@deals.example&gt;<br>Sent: Friday<br>Subject: Win &#xD800;big&#xDFFF; &#x202E;now</p>',
    });
    const report = onlyReport(await settle(raw));
    expect(report.original.subject).toBe('Win big now');
  });

  it('strips control characters from what it stores', async () => {
    const original = spamMessage({ subject: 'Win\u0007 big\u001b[31m now\u202e' });
    const report = onlyReport(await settle(arfReport(ABUSE_FIELDS, { original })));
    expect(report.original.subject).toBe('Win big[31m now');
  });
});
