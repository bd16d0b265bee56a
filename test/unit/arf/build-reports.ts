// Builders of the report formats beside ARF, shaped as their senders write them, for the unit
// tests and the fuzz harness's seeds.
import { buildMessage, type Fields, type Part, reportHeaders, spamMessage } from './build-message.ts';

/** x-arf.org v0.1/v0.2: a note, the flat YAML report, the evidence; X-XARF: PLAIN. */
export function xarfYamlReport(
  options: {
    yaml?: string[];
    evidence?: Part;
    headers?: Fields;
    /** Where the YAML goes: its own part named report.txt (default), or an attachment. */
    disposition?: 'inline' | 'attachment';
  } = {},
): Buffer {
  const yaml = options.yaml ?? [
    '---',
    'Reported-From: abuse@reporter.example',
    'Category: abuse',
    'Report-Type: spam',
    'Service: smtp',
    'Version: 0.2',
    "User-Agent: 'Reporter X-ARF 1.0'",
    'Date: "2026-11-20T09:00:00+01:00"',
    'Source-Type: ipv4',
    'Source: 198.51.100.23',
    'Port: 25',
    'Report-ID: 4711@reporter.example',
    'Schema-URL: http://www.x-arf.org/schema/abuse_spam_0.1.0.json',
    'Attachment: message/rfc822',
  ];
  const reportPart: Part = {
    headers: [
      ['Content-Type', 'text/plain; charset=utf-8; name="report.txt"'],
      ...(options.disposition === 'attachment'
        ? ([['Content-Disposition', 'attachment; filename="report.txt"']] as Fields)
        : []),
    ],
    body: yaml.join('\r\n'),
  };
  return buildMessage({
    headers: options.headers ?? [...reportHeaders('abuse report about 198.51.100.23'), ['X-XARF', 'PLAIN']],
    parts: [
      {
        headers: [['Content-Type', 'text/plain; charset=utf-8']],
        body: 'Dear abuse team,\r\nwe received spam from your network. The report is attached.',
      },
      reportPart,
      options.evidence ?? {
        headers: [['Content-Type', 'message/rfc822; name="evidence.eml"']],
        body: spamMessage(),
      },
    ],
  });
}

/** X-ARF v3 (`Report` object) or v4 (flat, snake_case) JSON, as an application/json part. */
export function xarfJsonReport(document: unknown, options: { inBody?: boolean } = {}): Buffer {
  const json = JSON.stringify(document, null, 2);
  if (options.inBody) {
    return buildMessage({
      headers: [...reportHeaders('X-ARF report'), ['Content-Type', 'application/json']],
      body: json,
    });
  }
  return buildMessage({
    headers: reportHeaders('X-ARF report'),
    parts: [
      { headers: [['Content-Type', 'text/plain']], body: 'An X-ARF report is attached.' },
      { headers: [['Content-Type', 'application/json; name="xarf.json"']], body: json },
    ],
  });
}

/** An X-ARF v3 document about a spam run from `ip`, with the spam as a base64 sample. */
export function xarfV3(ip = '198.51.100.23', reportType = 'Spam'): unknown {
  return {
    Version: '3',
    ReporterInfo: { ReporterOrg: 'Example Security', ReporterOrgEmail: 'abuse@security.example' },
    Disclosure: true,
    Report: {
      ReportClass: 'Activity',
      ReportType: reportType,
      Date: '2026-11-20T09:00:00Z',
      SourceIp: ip,
      SourcePort: 25,
      SmtpMailFromAddress: 'bounce@deals.example',
      Samples: [
        {
          ContentType: 'message/rfc822',
          Base64Encoded: true,
          Payload: Buffer.from(spamMessage({ ip })).toString('base64'),
        },
      ],
    },
  };
}
