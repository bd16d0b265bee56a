/** A small, readable builder of RFC 5965 feedback reports for tests and the benchmark. */
export interface ArfOptions {
  feedbackType?: string;
  sourceIp?: string;
  mailFrom?: string;
  from?: string;
  /** Makes the bytes unique: one report per value. */
  id: string | number;
  /** Extra header lines of the embedded original, e.g. a tenant header. */
  originalHeaders?: string[];
  /** Received hops of the original, topmost first, as `[ip, host]`. */
  received?: Array<[ip: string, host: string]>;
  /** Size of the original's body in bytes (a realistic report is a few KB). */
  bodyBytes?: number;
  reporter?: string;
}

export function buildArf(o: ArfOptions): Buffer {
  const boundary = `arf-boundary-${o.id}`;
  const mailFrom = o.mailFrom ?? 'news@example.com';
  const from = o.from ?? mailFrom;
  const received = (o.received ?? (o.sourceIp ? [[o.sourceIp, 'out.example.com']] : [])).map(
    ([ip, host]) =>
      `Received: from ${host} (${host} [${ip}])\r\n\tby mx.fbl-partner.example with ESMTPS id ${o.id}; Mon, 23 Nov 2026 10:00:00 +0000`,
  );
  const body = bodyText(o.bodyBytes ?? 600);
  const original = [
    ...received,
    `Return-Path: <${mailFrom}>`,
    `From: Sender <${from}>`,
    'To: someone@recipient.example',
    `Subject: Offer number ${o.id}`,
    'Date: Mon, 23 Nov 2026 09:59:58 +0000',
    `Message-ID: <offer-${o.id}@${from.split('@')[1] ?? 'example.com'}>`,
    ...(o.originalHeaders ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
  ].join('\r\n');
  const feedback = [
    `Feedback-Type: ${o.feedbackType ?? 'abuse'}`,
    'User-Agent: TestFBL/1.0',
    'Version: 1',
    `Original-Mail-From: <${mailFrom}>`,
    'Original-Rcpt-To: <someone@recipient.example>',
    'Arrival-Date: Mon, 23 Nov 2026 10:00:00 +0000',
    'Reporting-MTA: dns; mx.fbl-partner.example',
    ...(o.sourceIp ? [`Source-IP: ${o.sourceIp}`] : []),
    'Incidents: 1',
  ].join('\r\n');
  return Buffer.from(
    [
      `From: <${o.reporter ?? 'fbl@fbl-partner.example'}>`,
      'To: <abuse@platform.example>',
      `Subject: FW: Offer number ${o.id}`,
      'Date: Mon, 23 Nov 2026 10:05:00 +0000',
      `Message-ID: <report-${o.id}@fbl-partner.example>`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=feedback-report; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset="US-ASCII"',
      '',
      'This is an email abuse report for an email message received from',
      `IP ${o.sourceIp ?? 'unknown'} on Mon, 23 Nov 2026 10:00:00 +0000.`,
      '',
      `--${boundary}`,
      'Content-Type: message/feedback-report',
      '',
      feedback,
      '',
      `--${boundary}`,
      'Content-Type: message/rfc822',
      'Content-Disposition: inline',
      '',
      original,
      `--${boundary}--`,
      '',
    ].join('\r\n'),
    'utf8',
  );
}

function bodyText(bytes: number): string {
  const line = 'Limited time offer: buy one, get one free on all items in our catalogue today.';
  const lines: string[] = [];
  let n = 0;
  while (n < bytes) {
    lines.push(line);
    n += line.length + 2;
  }
  return lines.join('\r\n');
}
