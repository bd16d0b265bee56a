import { describe, expect, it } from 'vitest';
import { readFlatYaml } from '../../../src/arf/flat-yaml.ts';
import { parseMessage } from '../../../src/arf/parse-message.ts';
import { reportHeaders, spamMessage } from './build-message.ts';
import { xarfJsonReport, xarfV3, xarfYamlReport } from './build-reports.ts';
import { expectWellFormed, onlyReport } from './outcome-checks.ts';

const yamlWith = (lines: string[]) => [
  'Reported-From: abuse@reporter.example',
  'Version: 0.2',
  'Source-Type: ipv4',
  'Source: 198.51.100.23',
  ...lines,
];

describe('X-ARF v0.1/v0.2 (YAML)', () => {
  it('reads the report part, the source IP and the attached evidence', async () => {
    const outcome = await parseMessage(xarfYamlReport());
    expectWellFormed(outcome);
    expect(onlyReport(outcome)).toMatchObject({
      format: 'x-arf',
      evidence: 'complaint',
      feedbackType: 'abuse',
      rawFeedbackType: 'spam',
      userAgent: 'Reporter X-ARF 1.0',
      version: '0.2',
      sourceIp: '198.51.100.23',
      sourceIpOrigin: 'arf',
      sourcePort: 25,
      arrivalDate: '2026-11-20T08:00:00.000Z',
      reporter: 'fbl@provider.example',
      senderDomain: 'deals.example',
      original: { from: 'offers@deals.example', subject: 'Huge savings' },
    });
  });

  it.each([
    ['spam', 'abuse', 'abuse'],
    ['phishing', 'fraud', 'fraud'],
    ['fraud', 'fraud', 'fraud'],
    ['malware', 'malware', 'virus'],
    ['login-attack', 'abuse', 'other'],
    ['port-scan', 'abuse', 'other'],
  ])('maps Report-Type %s (Category %s) to %s', async (reportType, category, feedbackType) => {
    const raw = xarfYamlReport({ yaml: yamlWith([`Category: ${category}`, `Report-Type: ${reportType}`]) });
    expect(onlyReport(await parseMessage(raw)).feedbackType).toBe(feedbackType);
  });

  it('reads the YAML from an attachment, and without the X-XARF header when it is plainly X-ARF', async () => {
    const raw = xarfYamlReport({
      headers: reportHeaders('abuse report'),
      disposition: 'attachment',
      yaml: yamlWith([
        'Category: abuse',
        'Report-Type: spam',
        'Schema-URL: http://www.x-arf.org/schema/x.json',
      ]),
    });
    expect(onlyReport(await parseMessage(raw))).toMatchObject({ format: 'x-arf', sourceIp: '198.51.100.23' });
  });

  it('keeps logs as evidence and knows the report has no original message', async () => {
    const raw = xarfYamlReport({
      yaml: yamlWith(['Category: abuse', 'Report-Type: login-attack', 'Port: 22']),
      evidence: {
        headers: [['Content-Type', 'text/plain; name="logfile.log"']],
        body: 'Nov 20 09:00:00 host sshd[1]: Failed password for root from 198.51.100.23',
      },
    });
    const report = onlyReport(await parseMessage(raw));
    expect(report).toMatchObject({ feedbackType: 'other', sourcePort: 22, sourceIp: '198.51.100.23' });
    expect(report.warnings).toContain('arf.no_original_message');
  });

  it('takes a URI source as a reported URI, and the IP from the evidence', async () => {
    const raw = xarfYamlReport({
      yaml: [
        'Category: fraud',
        'Report-Type: phishing',
        'Source-Type: uri',
        'Source: http://phish.example/login',
      ],
    });
    expect(onlyReport(await parseMessage(raw))).toMatchObject({
      feedbackType: 'fraud',
      reportedUris: ['http://phish.example/login'],
      sourceIp: '198.51.100.23',
      sourceIpOrigin: 'received',
    });
  });

  it('does not take a letter with a "Category:" line for X-ARF', async () => {
    const raw = Buffer.from(
      `${reportHeaders('Fwd: spam')
        .map(([n, v]) => `${n}: ${v}`)
        .join('\r\n')}\r\n\r\nHi,\r\nCategory: spam\r\nplease look at this.\r\n`,
    );
    expect(onlyReport(await parseMessage(raw)).format).toBe('forward');
  });

  it('is told before the auto-reply rules: X-ARF senders mark their reports auto-replied too', async () => {
    const raw = xarfYamlReport({
      headers: [
        ...reportHeaders('Automatic abuse report'),
        ['X-XARF', 'PLAIN'],
        ['Auto-Submitted', 'auto-replied'],
      ],
    });
    expect(onlyReport(await parseMessage(raw)).format).toBe('x-arf');
  });
});

describe('X-ARF v3/v4 (JSON)', () => {
  it('reads a v3 report, its source and the spam carried as a base64 sample', async () => {
    const outcome = await parseMessage(xarfJsonReport(xarfV3('192.0.2.44')));
    expectWellFormed(outcome);
    expect(onlyReport(outcome)).toMatchObject({
      format: 'x-arf',
      feedbackType: 'abuse',
      rawFeedbackType: 'Spam',
      version: '3',
      sourceIp: '192.0.2.44',
      sourcePort: 25,
      originalMailFrom: 'bounce@deals.example',
      senderDomain: 'deals.example',
      arrivalDate: '2026-11-20T09:00:00.000Z',
      original: { from: 'offers@deals.example' },
    });
  });

  it('reads a v4 report (flat, snake_case)', async () => {
    const v4 = {
      xarf_version: '4.0.0',
      report_id: 'b3f1',
      timestamp: '2026-11-20T09:00:00Z',
      reporter: { org: 'Example', contact: 'abuse@security.example', domain: 'security.example' },
      source_identifier: '2001:db8::25',
      source_port: 587,
      category: 'messaging',
      type: 'spam',
      smtp_from: 'bounce@deals.example',
      evidence: [{ content_type: 'message/rfc822', payload: Buffer.from(spamMessage()).toString('base64') }],
    };
    expect(onlyReport(await parseMessage(xarfJsonReport(v4)))).toMatchObject({
      format: 'x-arf',
      feedbackType: 'abuse',
      sourceIp: '2001:db8::25',
      sourcePort: 587,
      senderDomain: 'deals.example',
    });
  });

  it('reads JSON sent as the body itself, and a phishing report as fraud', async () => {
    const report = onlyReport(
      await parseMessage(xarfJsonReport(xarfV3('192.0.2.45', 'Phishing'), { inBody: true })),
    );
    expect(report).toMatchObject({ format: 'x-arf', feedbackType: 'fraud', sourceIp: '192.0.2.45' });
  });

  it('keeps lone surrogates and control characters written as JSON escapes out of the report', async () => {
    const document = xarfV3() as { Report: Record<string, unknown> };
    document.Report.ReportType = 'Spam\ud800\u0000\u202e';
    const outcome = await parseMessage(xarfJsonReport(document));
    expectWellFormed(outcome);
    expect(onlyReport(outcome).rawFeedbackType).toBe('Spam');
  });
});

describe('the flat YAML reader', () => {
  it('reads quoted values, comments, folded blocks and the first item of a list', () => {
    const lines = [
      '---',
      `Source: "192.0.2.1"`,
      "User-Agent: 'it''s me'",
      'Port: 22 # ssh',
      'Comment: |',
      '  first line',
      '  second line',
      'Ports:',
      '  - 22',
      '  - 2222',
      '...',
      'After: ignored',
    ];
    expect(readFlatYaml(lines, 0)).toEqual([
      ['source', '192.0.2.1'],
      ['user-agent', "it's me"],
      ['port', '22'],
      ['comment', 'first line second line'],
      ['ports', '22 2222'],
    ]);
  });
});
