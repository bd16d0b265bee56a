import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/arf/parse-message.ts';
import { spamMessage } from './build-message.ts';
import { spamcopReport } from './build-reports.ts';
import { expectWellFormed, onlyReport } from './outcome-checks.ts';

describe('SpamCop reports', () => {
  it('reads the source IP from "Email from" and the spam quoted after [ Offending message ]', async () => {
    const outcome = await parseMessage(spamcopReport({ ip: '198.51.100.31' }));
    expectWellFormed(outcome);
    expect(onlyReport(outcome)).toMatchObject({
      format: 'spamcop',
      evidence: 'complaint',
      feedbackType: 'abuse',
      userAgent: 'SpamCop V5.4.0',
      sourceIp: '198.51.100.31',
      sourceIpOrigin: 'text',
      arrivalDate: '2026-11-20T09:00:00.000Z',
      reporter: '7283950301@reports.spamcop.net',
      senderDomain: 'deals.example',
      original: { from: 'offers@deals.example', subject: 'Huge savings', headersOnly: false },
    });
  });

  it('reads the spam when SpamCop attaches it', async () => {
    const report = onlyReport(await parseMessage(spamcopReport({ attached: true })));
    expect(report).toMatchObject({ format: 'spamcop', sourceIp: '198.51.100.23' });
    expect(report.original.received.map((hop) => hop.fromIp)).toEqual(['198.51.100.23']);
  });

  it('takes the IP of the subject when the body names none', async () => {
    const raw = spamcopReport({ ip: '198.51.100.40' })
      .toString()
      .replace(/^Email from .*$/m, '');
    expect(onlyReport(await parseMessage(Buffer.from(raw)))).toMatchObject({
      sourceIp: '198.51.100.40',
      sourceIpOrigin: 'subject',
    });
  });

  it('does not take the web host of a spamvertised site for the sender', async () => {
    const report = onlyReport(
      await parseMessage(
        spamcopReport({ spamvertised: 'http://www.deals.example/buy', ip: '198.51.100.23' }),
      ),
    );
    expect(report).toMatchObject({
      reportedUris: ['http://www.deals.example/buy'],
      sourceIp: '198.51.100.23',
      sourceIpOrigin: 'received',
    });
  });

  it('keeps a report whose spam could not be read, with a warning', async () => {
    const report = onlyReport(await parseMessage(spamcopReport({ spam: '' })));
    expect(report.sourceIp).toBe('198.51.100.23');
    expect(report.warnings).toContain('arf.no_original_message');
  });

  it('is not fooled by a forward that only mentions SpamCop', async () => {
    const raw = spamcopReport({ subject: 'Fwd: is this SpamCop?' })
      .toString()
      .replace('7283950301@reports.spamcop.net', 'victim@recipient.example');
    expect(onlyReport(await parseMessage(Buffer.from(raw))).format).toBe('forward');
  });

  it('reads the quoted spam with the headers it had', async () => {
    const spam = spamMessage({ extraHeaders: [['X-Repute-Tenant', 'northwind']] });
    const report = onlyReport(await parseMessage(spamcopReport({ spam })));
    expect(report.original.headers).toContainEqual(['x-repute-tenant', 'northwind']);
  });
});
