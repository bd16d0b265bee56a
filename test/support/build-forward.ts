const crlf = (b: Buffer | string) => Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');

/**
 * A recipient forwarding a message as an attachment (message/rfc822), or only its header
 * section (text/rfc822-headers), as mail clients do: the everyday abuse-mailbox complaint.
 */
export function forwardOf(
  original: Buffer,
  o: { reporter: string; id: string | number; headersOnly?: boolean },
): Buffer {
  const boundary = `fwd-${o.id}`;
  const body = crlf(original);
  const headerEnd = body.indexOf('\r\n\r\n');
  const attached = o.headersOnly && headerEnd > 0 ? body.subarray(0, headerEnd + 2) : body;
  return Buffer.concat([
    Buffer.from(
      [
        `From: Someone <${o.reporter}>`,
        'To: abuse@platform.example',
        `Subject: Fwd: junk ${o.id}`,
        'Date: Mon, 23 Nov 2026 10:00:00 +0000',
        `Message-ID: <fwd-${o.id}@${o.reporter.split('@')[1]}>`,
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Please make it stop.',
        '',
        `--${boundary}`,
        `Content-Type: ${o.headersOnly ? 'text/rfc822-headers' : 'message/rfc822'}`,
        '',
        '',
      ].join('\r\n'),
    ),
    attached,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

/** A forward of a junk message sent from one of the platform's IPs. */
export function buildForward(o: {
  reporter: string;
  id: string | number;
  sendingIp: string;
  sender: string;
}): Buffer {
  const original = [
    `Received: from out.platform.example (out.platform.example [${o.sendingIp}])`,
    '\tby mx.recipient.example with ESMTPS id 1; Mon, 23 Nov 2026 09:00:00 +0000',
    `From: Deals <${o.sender}>`,
    `To: ${o.reporter}`,
    `Subject: Offer ${o.id}`,
    `Message-ID: <offer-${o.id}@${o.sender.split('@')[1]}>`,
    '',
    'Buy now.',
    '',
  ].join('\r\n');
  return forwardOf(Buffer.from(original), o);
}
