/** A recipient forwarding one junk message as an attachment: the everyday abuse-mailbox complaint. */
export function buildForward(o: {
  reporter: string;
  id: string | number;
  sendingIp: string;
  sender: string;
}): Buffer {
  const boundary = `fwd-${o.id}`;
  return Buffer.from(
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
      'Content-Type: message/rfc822',
      '',
      `Received: from out.platform.example (out.platform.example [${o.sendingIp}])`,
      '\tby mx.recipient.example with ESMTPS id 1; Mon, 23 Nov 2026 09:00:00 +0000',
      `From: Deals <${o.sender}>`,
      `To: ${o.reporter}`,
      `Subject: Offer ${o.id}`,
      `Message-ID: <offer-${o.id}@${o.sender.split('@')[1]}>`,
      '',
      'Buy now.',
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}
