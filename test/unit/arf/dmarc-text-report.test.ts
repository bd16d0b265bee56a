import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/arf/parse-message.ts';
import { eximDmarcReport } from './build-reports.ts';
import { expectWellFormed, onlyReport } from './outcome-checks.ts';

describe('Exim and cPanel DMARC failure reports (plain text)', () => {
  it('keeps one as auth-failure evidence, though it comes from MAILER-DAEMON marked auto-replied', async () => {
    const outcome = await parseMessage(eximDmarcReport({ ip: '198.51.100.31', domain: 'northwind.example' }));
    expectWellFormed(outcome);
    const report = onlyReport(outcome);
    expect(report).toMatchObject({
      format: 'arf',
      evidence: 'auth-evidence',
      feedbackType: 'auth-failure',
      authFailure: 'dmarc',
      sourceIp: '198.51.100.31',
      sourceIpOrigin: 'text',
      arrivalDate: '2026-11-20T09:00:00.000Z',
      reportedDomains: ['northwind.example'],
      senderDomain: 'northwind.example',
      reporter: 'mailer-daemon@mx.recipient.example',
      original: { headersOnly: true, from: 'offers@deals.example', subject: 'Huge savings' },
    });
    expect(report.warnings).toContain('arf.no_feedback_part');
  });

  it('reads one sent from a configured sender as well', async () => {
    const report = onlyReport(await parseMessage(eximDmarcReport({ from: 'dmarc@mx.recipient.example' })));
    expect(report).toMatchObject({ evidence: 'auth-evidence', sourceIp: '198.51.100.23' });
  });

  it('reads one whose subject was changed, by its lines', async () => {
    const raw = eximDmarcReport()
      .toString()
      .replace(/^Subject: .*$/m, 'Subject: [ruf] report');
    expect(onlyReport(await parseMessage(Buffer.from(raw)))).toMatchObject({
      feedbackType: 'auth-failure',
      sourceIp: '198.51.100.23',
    });
  });
});
