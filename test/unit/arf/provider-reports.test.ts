import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/arf/parse-message.ts';
import {
  ABUSE_FIELDS,
  arfReport,
  buildMessage,
  emlAttachment,
  reportHeaders,
  spamMessage,
} from './build-message.ts';
import { onlyReport, reportsOf } from './outcome-checks.ts';

describe('ARF reports', () => {
  it('keeps an auth-failure report as evidence, not as a complaint', async () => {
    const report = onlyReport(
      await parseMessage(
        arfReport(['Feedback-Type: auth-failure', 'Auth-Failure: dmarc', 'Source-IP: 192.0.2.8']),
      ),
    );
    expect(report).toMatchObject({
      evidence: 'auth-evidence',
      feedbackType: 'auth-failure',
      authFailure: 'dmarc',
    });
  });

  it('reports everything else as a complaint', async () => {
    for (const type of ['abuse', 'fraud', 'virus', 'other', 'not-spam']) {
      const report = onlyReport(await parseMessage(arfReport([`Feedback-Type: ${type}`])));
      expect(report).toMatchObject({ evidence: 'complaint', feedbackType: type });
    }
  });

  it('takes the sender domain from Original-Mail-From, then the Return-Path, then the From', async () => {
    const original = spamMessage({
      returnPath: 'bounce@rp.deals.example',
      from: 'offers@from.deals.example',
    });
    const withMailFrom = onlyReport(await parseMessage(arfReport(ABUSE_FIELDS, { original })));
    const withoutMailFrom = onlyReport(await parseMessage(arfReport(['Feedback-Type: abuse'], { original })));
    const fromOnly = onlyReport(
      await parseMessage(arfReport(['Feedback-Type: abuse'], { original: spamMessage() })),
    );
    expect(withMailFrom.senderDomain).toBe('mail.deals.example');
    expect(withoutMailFrom.senderDomain).toBe('rp.deals.example');
    expect(fromOnly.senderDomain).toBe('deals.example');
  });

  it('falls back to the embedded Received chain when Source-IP is missing or broken', async () => {
    const report = onlyReport(
      await parseMessage(
        arfReport(['Feedback-Type: abuse', 'Source-IP: not-an-ip'], {
          original: spamMessage({ ip: '203.0.113.7' }),
        }),
      ),
    );
    expect(report).toMatchObject({ sourceIp: '203.0.113.7', sourceIpOrigin: 'received' });
    expect(report.warnings).toContain('arf.bad_source_ip');
  });

  it('reads a text/rfc822-headers original as headers only', async () => {
    const headers = spamMessage().split('\r\n\r\n')[0]!;
    const report = onlyReport(
      await parseMessage(arfReport(ABUSE_FIELDS, { original: headers, originalType: 'text/rfc822-headers' })),
    );
    expect(report.original).toMatchObject({
      headersOnly: true,
      from: 'offers@deals.example',
      dkimDomains: ['deals.example'],
    });
  });

  it('reads feedback fields that were put in the part header for want of a blank line', async () => {
    const raw = buildMessage({
      headers: reportHeaders(),
      contentType: 'multipart/report; report-type=feedback-report',
      parts: [
        { headers: [['Content-Type', 'text/plain']], body: 'Report.' },
        {
          headers: [
            ['Content-Type', 'message/feedback-report'],
            ['Feedback-Type', 'fraud'],
            ['Source-IP', '192.0.2.44'],
          ],
          body: '',
        },
      ],
    });
    const report = onlyReport(await parseMessage(raw));
    expect(report).toMatchObject({ feedbackType: 'fraud', sourceIp: '192.0.2.44' });
    expect(report.warnings).toContain('arf.feedback_fields_in_part_header');
  });

  it('reads feedback fields sent as text/plain in a feedback-report', async () => {
    const raw = buildMessage({
      headers: reportHeaders(),
      contentType: 'multipart/report; report-type=feedback-report',
      parts: [
        { headers: [['Content-Type', 'text/plain']], body: 'Report.' },
        { headers: [['Content-Type', 'text/plain']], body: 'Feedback-Type: abuse\r\nSource-IP: 192.0.2.45' },
        { headers: [['Content-Type', 'message/rfc822']], body: spamMessage() },
      ],
    });
    const report = onlyReport(await parseMessage(raw));
    expect(report.sourceIp).toBe('192.0.2.45');
    expect(report.warnings).toContain('arf.feedback_part_as_text');
  });

  it('fails a feedback-report with neither feedback part nor original as arf.no_feedback_part', async () => {
    const raw = buildMessage({
      headers: reportHeaders(),
      contentType: 'multipart/report; report-type=feedback-report',
      parts: [{ headers: [['Content-Type', 'text/plain']], body: 'Someone complained.' }],
    });
    expect(await parseMessage(raw)).toMatchObject({ status: 'failed', code: 'arf.no_feedback_part' });
  });
});

describe('Microsoft JMRP reports', () => {
  const jmrp = (subject: string, original: string): Buffer =>
    buildMessage({
      headers: [
        ['From', 'staff@hotmail.example'],
        ['To', 'fbl@platform.example'],
        ['Subject', subject],
      ],
      parts: [{ headers: [['Content-Type', 'message/rfc822']], body: original }],
    });
  const jmrpOriginal = spamMessage({
    ip: '203.0.113.245',
    extraHeaders: [['X-HmXmrOriginalRecipient', 'victim@outlook.example']],
  });

  it('takes the source IP from the subject of a Microsoft JMRP report', async () => {
    const report = onlyReport(
      await parseMessage(jmrp('complaint about message from 192.0.2.222', jmrpOriginal)),
    );
    expect(report).toMatchObject({
      format: 'arf',
      feedbackType: 'abuse',
      sourceIp: '192.0.2.222',
      sourceIpOrigin: 'subject',
      originalRcptTo: ['victim@outlook.example'],
      reporter: 'staff@hotmail.example',
    });
    expect(report.original.received[0]?.fromIp).toBe('203.0.113.245');
  });

  it('takes the source IP from the Received chain when the subject names none', async () => {
    const report = onlyReport(await parseMessage(jmrp('complaint', jmrpOriginal)));
    expect(report).toMatchObject({ format: 'arf', sourceIp: '203.0.113.245', sourceIpOrigin: 'received' });
  });
});

describe('limits', () => {
  it('reads an .eml sent as application/octet-stream in base64', async () => {
    const raw = buildMessage({
      headers: [
        ['From', 'victim@recipient.example'],
        ['Subject', 'spam'],
      ],
      parts: [
        emlAttachment(spamMessage({ from: 'x@coins.example' }), [
          ['Content-Disposition', 'attachment; filename="spam.eml"'],
        ]),
      ],
    });
    expect(onlyReport(await parseMessage(raw))).toMatchObject({
      format: 'forward',
      senderDomain: 'coins.example',
    });
  });

  it('treats a maxReports below one as one', async () => {
    const raw = buildMessage({
      headers: [['From', 'victim@recipient.example']],
      parts: [1, 2].map(() => ({ headers: [['Content-Type', 'message/rfc822']], body: spamMessage() })),
    });
    expect(reportsOf(await parseMessage(raw, { maxReports: 0 }))).toHaveLength(1);
  });
});
