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

/** A SpamCop report: the summary lines, the spam quoted after "[ Offending message ]" or attached. */
export function spamcopReport(
  options: { ip?: string; spam?: string; attached?: boolean; spamvertised?: string; subject?: string } = {},
): Buffer {
  const ip = options.ip ?? '198.51.100.23';
  const spam = options.spam ?? spamMessage({ ip });
  const summary = [
    '[ SpamCop V5.4.0 ]',
    'This message is brief for your comfort.  Please use links below for details.',
    '',
    ...(options.spamvertised
      ? [
          `Spamvertised web site: ${options.spamvertised}`,
          'http://www.spamcop.net/w3m?i=z7283950301z1b2c3d',
          'www.deals.example is 203.0.113.80; Fri, 20 Nov 2026 09:05:00 +0000',
        ]
      : [
          `Email from ${ip} / Fri, 20 Nov 2026 09:00:00 +0000`,
          'http://www.spamcop.net/w3m?i=z7283950301z1b2c3d',
        ]),
    '',
  ];
  const headers: Fields = [
    ['From', '7283950301@reports.spamcop.net'],
    ['To', 'abuse@platform.example'],
    ['Subject', options.subject ?? `[SpamCop (${ip}) id:7283950301]Huge savings`],
    ['Date', 'Fri, 20 Nov 2026 10:00:00 +0000'],
    ['Message-ID', '<rid_7283950301@msgid.spamcop.net>'],
    ['X-Mailer', 'http://www.spamcop.net/ v5.4.0'],
  ];
  if (options.attached) {
    return buildMessage({
      headers: [...headers, ['MIME-Version', '1.0']],
      parts: [
        { headers: [['Content-Type', 'text/plain; charset=us-ascii']], body: summary.join('\r\n') },
        { headers: [['Content-Type', 'message/rfc822']], body: spam },
      ],
    });
  }
  return buildMessage({ headers, body: [...summary, '[ Offending message ]', spam].join('\r\n') });
}

/** An Exim (or cPanel) DMARC failure report: plain text, the failing message's headers copied in. */
export function eximDmarcReport(options: { ip?: string; domain?: string; from?: string } = {}): Buffer {
  const ip = options.ip ?? '198.51.100.23';
  const domain = options.domain ?? 'deals.example';
  const headers = spamMessage({ ip, returnPath: `bounce@${domain}` }).split('\r\n\r\n')[0]!;
  return buildMessage({
    headers: [
      ['Auto-Submitted', 'auto-replied'],
      ['From', options.from ?? 'Mail Delivery System <Mailer-Daemon@mx.recipient.example>'],
      ['To', `dmarc-ruf@${domain}`],
      ['Subject', `DMARC Forensic Report for ${domain} from IP ${ip}`],
      ['Message-Id', '<E1abc-0001@mx.recipient.example>'],
      ['Date', 'Fri, 20 Nov 2026 09:00:05 +0000'],
    ],
    body: [
      'A message claiming to be from you has failed the published DMARC',
      'policy for your domain.',
      '',
      `  Sender Domain: ${domain}`,
      `  Sender IP Address: ${ip}`,
      '  Received Date: Fri, 20 Nov 2026 09:00:00 +0000',
      '  SPF Alignment: no',
      '  DKIM Alignment: no',
      '  DMARC Results: Reject',
      '',
      '------ This is a copy of the headers that were received before the error',
      '       was detected.',
      '',
      headers,
      '',
    ].join('\r\n'),
  });
}
