import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/arf/parse-message.ts';
import { base64Lines, buildMessage, type Fields, spamMessage } from './build-message.ts';
import { onlyReport } from './outcome-checks.ts';

const forwardHeaders = (subject = 'Fwd: spam'): Fields => [
  ['From', 'Victim <Victim@Recipient.example>'],
  ['To', 'abuse@platform.example'],
  ['Subject', subject],
  ['Date', 'Fri, 20 Nov 2026 10:00:00 +0000'],
];
const textForward = (body: string): Buffer => buildMessage({ headers: forwardHeaders(), body });

describe('junk forwarded inline', () => {
  it.each([
    [
      'Outlook',
      'Please stop this.\n\n-----Original Message-----\nFrom: Deals <offers@deals.example>\nSent: Friday, November 20, 2026 10:41 AM\nTo: Victim <victim@recipient.example>\nSubject: Huge savings\n\nBuy now.',
    ],
    [
      'Outlook in German',
      '-----Ursprüngliche Nachricht-----\nVon: Deals <offers@deals.example>\nGesendet: Freitag, 20. November 2026 10:41\nAn: victim@recipient.example\nBetreff: Huge savings\n\nBuy now.',
    ],
    [
      'Outlook, plain text with [mailto:]',
      '-----Original Message-----\nFrom: Deals [mailto:offers@deals.example]\nSent: Friday\nSubject: Huge savings\n\nBuy now.',
    ],
    [
      'Gmail',
      'spam\n\n---------- Forwarded message ---------\nFrom: Deals <offers@deals.example>\nDate: Fri, 20 Nov 2026 at 11:58\nSubject: Huge savings\nTo: <victim@recipient.example>\n\n\nBuy now.',
    ],
    [
      'Apple Mail',
      'Look at this.\n\nBegin forwarded message:\n\nFrom: Deals <offers@deals.example>\nSubject: Huge savings\nDate: 20 November 2026 at 10:41:00 GMT\nTo: victim@recipient.example\n\nBuy now.',
    ],
    [
      'Apple Mail, quoted',
      'Begin forwarded message:\n\n> From: Deals <offers@deals.example>\n> Subject: Huge savings\n> Date: 20 November 2026\n\n> Buy now.',
    ],
    [
      'Thunderbird',
      '\n\n-------- Forwarded Message --------\nSubject: \tHuge savings\nDate: \tFri, 20 Nov 2026 10:41:00 +0000\nFrom: \tDeals <offers@deals.example>\nTo: \tvictim@recipient.example\n\nBuy now.',
    ],
    [
      'Outlook without its marker line',
      'FYI\n\nFrom: Deals <offers@deals.example>\nSent: Friday, November 20, 2026 10:41 AM\nTo: victim@recipient.example\nSubject: Huge savings\n\nBuy now.',
    ],
  ])('reads the sender of a message forwarded by %s', async (_client, body) => {
    const report = onlyReport(await parseMessage(textForward(body)));
    expect(report).toMatchObject({
      format: 'forward',
      feedbackType: 'abuse',
      evidence: 'complaint',
      reporter: 'victim@recipient.example',
      senderDomain: 'deals.example',
    });
    expect(report.original).toMatchObject({ headersOnly: true, from: 'offers@deals.example' });
    expect(report.original.subject).toBe('Huge savings');
    expect(report.sourceIp).toBeUndefined();
  });

  it('reads an Outlook forward that only has HTML', async () => {
    const html =
      '<html><body><p>Spam again</p><div><hr>' +
      '<b>From:</b> Deals &lt;offers@deals.example&gt;<br><b>Sent:</b> Friday<br>' +
      '<b>Subject:</b> Huge savings</div><p>Buy now.</p></body></html>';
    const raw = buildMessage({
      headers: [...forwardHeaders(), ['Content-Type', 'text/html; charset=utf-8']],
      body: html,
    });
    expect(onlyReport(await parseMessage(raw)).senderDomain).toBe('deals.example');
  });

  it('looks past a colleague who forwarded it first', async () => {
    const body = [
      'Passing this on to the platform.',
      '',
      '-----Original Message-----',
      'From: Colleague <colleague@recipient.example>',
      'Sent: Friday',
      'Subject: FW: Huge savings',
      '',
      'Got this junk.',
      '',
      '-----Original Message-----',
      'From: Deals <offers@deals.example>',
      'Sent: Friday',
      'Subject: Huge savings',
      '',
      'Buy now.',
    ].join('\n');
    expect(onlyReport(await parseMessage(textForward(body))).senderDomain).toBe('deals.example');
  });

  it('reads header fields a recipient pasted into the body', async () => {
    const report = onlyReport(
      await parseMessage(textForward(`Here are the headers:\n\n${spamMessage({ ip: '198.51.100.31' })}`)),
    );
    expect(report).toMatchObject({
      senderDomain: 'deals.example',
      sourceIp: '198.51.100.31',
      sourceIpOrigin: 'received',
    });
  });

  it('keeps a forward with no original as one report that knows no sender', async () => {
    const report = onlyReport(await parseMessage(textForward('Your platform keeps sending me spam!')));
    expect(report.senderDomain).toBeUndefined();
    expect(report.warnings).toEqual(['forward.no_original']);
  });

  it('takes an IP the recipient wrote in the subject when nothing else names one', async () => {
    const raw = buildMessage({
      headers: forwardHeaders('Spam from 198.51.100.23 again'),
      body: '-----Original Message-----\nFrom: Deals <offers@deals.example>\nSent: Friday\nSubject: Buy\n\nBuy now.',
    });
    expect(onlyReport(await parseMessage(raw))).toMatchObject({
      sourceIp: '198.51.100.23',
      sourceIpOrigin: 'subject',
      senderDomain: 'deals.example',
    });
  });

  it('takes an IP the recipient wrote in the text, but not one in a link of the spam', async () => {
    const raw = textForward(
      'This came from IP 198.51.100.31.\n\n-----Original Message-----\nFrom: Deals <offers@deals.example>\nSent: Friday\nSubject: Buy\n\nBuy at http://203.0.113.9/shop now.',
    );
    expect(onlyReport(await parseMessage(raw))).toMatchObject({
      sourceIp: '198.51.100.31',
      sourceIpOrigin: 'text',
    });
    const linkOnly = textForward('Look: http://203.0.113.9/shop and mail@192.0.2.1, from 10.0.0.7');
    expect(onlyReport(await parseMessage(linkOnly)).sourceIp).toBeUndefined();
  });

  it('prefers the Received chain of an attached original to an IP written in the subject', async () => {
    const raw = buildMessage({
      headers: forwardHeaders('spam from 203.0.113.50'),
      parts: [{ headers: [['Content-Type', 'message/rfc822']], body: spamMessage({ ip: '198.51.100.9' }) }],
    });
    expect(onlyReport(await parseMessage(raw))).toMatchObject({
      sourceIp: '198.51.100.9',
      sourceIpOrigin: 'received',
    });
  });

  it('ignores a message with nothing in it as ignored.empty', async () => {
    expect(await parseMessage(textForward(''))).toMatchObject({ status: 'ignored', reason: 'ignored.empty' });
  });
});

describe('junk forwarded as attachments', () => {
  it('takes the sender from the From of the attached message, and the IP from its Received chain', async () => {
    const raw = buildMessage({
      headers: forwardHeaders(),
      parts: [
        { headers: [['Content-Type', 'text/plain']], body: 'See attached.' },
        {
          headers: [['Content-Type', 'message/rfc822']],
          body: spamMessage({
            returnPath: 'SRS0=ab=cd=deals.example=offers@forwarder.example',
            ip: '198.51.100.9',
          }),
        },
      ],
    });
    const report = onlyReport(await parseMessage(raw));
    expect(report).toMatchObject({
      senderDomain: 'deals.example',
      sourceIp: '198.51.100.9',
      sourceIpOrigin: 'received',
    });
    expect(report.arrivalDate).toBe('2026-11-20T09:00:00.000Z');
    expect(report.original.headersOnly).toBe(false);
  });

  it('reads a message pasted into a text attachment', async () => {
    const raw = buildMessage({
      headers: forwardHeaders(),
      parts: [
        {
          headers: [
            ['Content-Type', 'text/plain; name="headers.txt"'],
            ['Content-Disposition', 'attachment; filename="headers.txt"'],
          ],
          body: spamMessage(),
        },
      ],
    });
    expect(onlyReport(await parseMessage(raw)).senderDomain).toBe('deals.example');
  });

  it.each([
    ['message/rfc822 without a Content-Transfer-Encoding', 'message/rfc822'],
    ['text/rfc822-headers without a Content-Transfer-Encoding', 'text/rfc822-headers'],
    ['application/octet-stream without a name', 'application/octet-stream'],
  ])('reads an original sent base64-encoded as %s', async (_case, type) => {
    const raw = buildMessage({
      headers: forwardHeaders(),
      parts: [
        { headers: [['Content-Type', 'text/plain']], body: 'See attached.' },
        {
          headers: [['Content-Type', type]],
          body: base64Lines(spamMessage({ ip: '198.51.100.9' })),
        },
      ],
    });
    expect(onlyReport(await parseMessage(raw))).toMatchObject({
      senderDomain: 'deals.example',
      sourceIp: '198.51.100.9',
    });
  });

  it('reads an original sent as two attachments, its header section and its body, as one', async () => {
    const [headers, body] = spamMessage({ ip: '198.51.100.9' }).split('\r\n\r\n');
    const raw = buildMessage({
      headers: forwardHeaders(),
      parts: [
        { headers: [['Content-Type', 'text/plain']], body: 'Headers and body attached.' },
        { headers: [['Content-Type', 'text/rfc822-headers; name="headers.txt"']], body: headers! },
        { headers: [['Content-Type', 'message/rfc822; name="body.txt"']], body: `\r\n${body}` },
      ],
    });
    const report = onlyReport(await parseMessage(raw));
    expect(report).toMatchObject({ senderDomain: 'deals.example', sourceIp: '198.51.100.9' });
    expect(report.original.headersOnly).toBe(true);
  });

  it('warns about an Outlook .msg item it cannot read', async () => {
    const raw = buildMessage({
      headers: forwardHeaders(),
      parts: [
        { headers: [['Content-Type', 'text/plain']], body: 'Attached.' },
        {
          headers: [
            ['Content-Type', 'application/vnd.ms-outlook; name="spam.msg"'],
            ['Content-Disposition', 'attachment; filename="spam.msg"'],
            ['Content-Transfer-Encoding', 'base64'],
          ],
          body: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).toString('base64'),
        },
      ],
    });
    expect(onlyReport(await parseMessage(raw)).warnings).toEqual([
      'forward.unsupported_attachment',
      'forward.no_original',
    ]);
  });
});
