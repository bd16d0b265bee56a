import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitFor } from './test-env.ts';

export interface CaughtMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
}

/**
 * A real SMTP server on a loopback port that keeps what it is sent, for tests that
 * follow a mailed link. No TLS, no auth: it only ever listens on 127.0.0.1.
 */
export async function startSmtpSink(): Promise<{
  url: string;
  mails: CaughtMail[];
  next(to: string, what?: string): Promise<CaughtMail>;
  close(): Promise<void>;
}> {
  const mails: CaughtMail[] = [];
  const taken = new Set<CaughtMail>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
          });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    /** The next mail to `to` not handed out before. */
    next: (to, what = `a mail to ${to}`) =>
      waitFor(
        async () => {
          const m = mails.find((x) => !taken.has(x) && x.to.includes(to.toLowerCase()));
          if (m) taken.add(m);
          return m;
        },
        { what },
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The confirmation link in a delist mail. */
export function linkIn(mail: CaughtMail): URL {
  const m = /https?:\/\/\S+\/delist\/confirm\?token=[A-Za-z0-9_-]+/.exec(mail.text);
  if (!m) throw new Error(`no confirmation link in: ${mail.text}`);
  return new URL(m[0]);
}
