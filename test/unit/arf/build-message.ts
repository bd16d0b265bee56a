// Builds test messages that read like the real thing: a header section, then a body that is
// either text or MIME parts. Line endings are CRLF unless a test asks for LF.

export type Fields = Array<[name: string, value: string]>;

export interface Part {
  headers: Fields;
  body: string;
}

export interface MessageSpec {
  headers: Fields;
  /** A plain body, or the parts of a multipart body (then `contentType` names the multipart type). */
  body?: string;
  parts?: Part[];
  contentType?: string;
  boundary?: string;
  eol?: '\r\n' | '\n';
}

function fieldLines(fields: Fields): string[] {
  return fields.map(([name, value]) => `${name}: ${value}`);
}

/** The bytes of a message built from its header fields and body or parts. */
export function buildMessage(spec: MessageSpec): Buffer {
  const eol = spec.eol ?? '\r\n';
  const lines = fieldLines(spec.headers);
  if (spec.parts) {
    const boundary = spec.boundary ?? 'test-boundary-42';
    lines.push(`Content-Type: ${spec.contentType ?? 'multipart/mixed'}; boundary="${boundary}"`, '');
    for (const part of spec.parts) {
      lines.push(`--${boundary}`, ...fieldLines(part.headers), '', part.body);
    }
    lines.push(`--${boundary}--`, '');
  } else {
    lines.push('', spec.body ?? '');
  }
  return Buffer.from(lines.join('\n').replace(/\r?\n/g, eol), 'utf8');
}

/** The header fields every test report carries. */
export function reportHeaders(subject = 'Abuse report', from = 'fbl@provider.example'): Fields {
  return [
    ['From', `Feedback Loop <${from}>`],
    ['To', 'abuse@platform.example'],
    ['Subject', subject],
    ['Date', 'Fri, 20 Nov 2026 10:00:00 +0000'],
    ['Message-ID', '<report-1@provider.example>'],
    ['MIME-Version', '1.0'],
  ];
}

/** A reported message as a provider or a recipient would attach it. */
export function spamMessage(
  options: { from?: string; returnPath?: string; ip?: string; subject?: string; extraHeaders?: Fields } = {},
): string {
  const ip = options.ip ?? '198.51.100.23';
  return [
    ...(options.returnPath ? [`Return-Path: <${options.returnPath}>`] : []),
    `Received: from out.platform.example (out.platform.example [${ip}])`,
    '\tby mx.recipient.example with ESMTPS id 1a2b; Fri, 20 Nov 2026 09:00:00 +0000',
    'DKIM-Signature: v=1; a=rsa-sha256; d=deals.example; s=s1; h=from; bh=AA; b=BB',
    `From: Deals <${options.from ?? 'offers@deals.example'}>`,
    'To: someone@recipient.example',
    `Subject: ${options.subject ?? 'Huge savings'}`,
    'Date: Fri, 20 Nov 2026 08:59:58 +0000',
    'Message-ID: <spam-1@deals.example>',
    ...fieldLines(options.extraHeaders ?? []),
    '',
    'Buy now.',
  ].join('\r\n');
}

/** An RFC 5965 report: human part, feedback part (the given field lines), the original. */
export function arfReport(
  feedbackLines: string[],
  options: {
    original?: string;
    originalType?: string;
    withoutOriginal?: boolean;
    headers?: Fields;
    eol?: '\r\n' | '\n';
  } = {},
): Buffer {
  const parts: Part[] = [
    { headers: [['Content-Type', 'text/plain; charset=us-ascii']], body: 'This is an abuse report.' },
    { headers: [['Content-Type', 'message/feedback-report']], body: feedbackLines.join('\r\n') },
  ];
  if (!options.withoutOriginal) {
    parts.push({
      headers: [['Content-Type', options.originalType ?? 'message/rfc822']],
      body: options.original ?? spamMessage(),
    });
  }
  const spec: MessageSpec = {
    headers: options.headers ?? reportHeaders(),
    contentType: 'multipart/report; report-type=feedback-report',
    parts,
  };
  if (options.eol) spec.eol = options.eol;
  return buildMessage(spec);
}

/** The feedback fields of an ordinary abuse report. */
export const ABUSE_FIELDS = [
  'Feedback-Type: abuse',
  'User-Agent: TestFBL/1.0',
  'Version: 1',
  'Original-Mail-From: <bounce@mail.deals.example>',
  'Original-Rcpt-To: <someone@recipient.example>',
  'Arrival-Date: Fri, 20 Nov 2026 09:00:00 +0000',
  'Source-IP: 198.51.100.23',
];

/** Content base64-encoded in lines of 76 characters, as mail clients write it. */
export function base64Lines(content: string | Buffer): string {
  return Buffer.from(content).toString('base64').replace(/.{76}/g, '$&\r\n');
}

/** A message attached as an .eml file: application/octet-stream, base64. */
export function emlAttachment(message: string | Buffer, headers: Fields = []): Part {
  return {
    headers: [
      ['Content-Type', 'application/octet-stream; name="spam.eml"'],
      ...headers,
      ['Content-Transfer-Encoding', 'base64'],
    ],
    body: base64Lines(message),
  };
}
