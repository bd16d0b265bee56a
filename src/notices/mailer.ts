import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';
import { ReputeError } from '../errors.ts';
import type { Logger } from '../log.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Throws `mail.unavailable` when the SMTP server does not take the message. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * Mail through nodemailer to SMTP_URL, from MAIL_FROM. Without SMTP_URL (a developer's
 * machine, a first try) nothing is sent: the whole mail is logged at info instead, so
 * that whoever runs it can follow a delist link from the log (`repute start` says so
 * when it starts). Set SMTP_URL wherever the log is read by more people than the mail.
 */
export function createMailer(config: Config['mail'], log: Logger): Mailer {
  if (!config.smtpUrl) {
    return {
      send: async (mail) => {
        log.info(
          { to: mail.to, subject: mail.subject, text: mail.text },
          'mail not sent (SMTP_URL is not set); its text is in this line',
        );
      },
      close: () => {},
    };
  }
  const transport = nodemailer.createTransport(config.smtpUrl);
  return {
    send: async (mail) => {
      try {
        await transport.sendMail({ from: config.from, to: mail.to, subject: mail.subject, text: mail.text });
      } catch (err) {
        throw new ReputeError(
          'mail.unavailable',
          'The mail server did not take the message; try again shortly.',
          err,
        );
      }
    },
    close: () => transport.close(),
  };
}
