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
 * machine) nothing is sent: the mail is logged instead, its text only at debug level
 * because a delist mail carries a live one-time link.
 */
export function createMailer(config: Config['mail'], log: Logger): Mailer {
  if (!config.smtpUrl) {
    let warned = false;
    return {
      send: async (mail) => {
        if (!warned) log.warn('SMTP_URL is not set: mail is logged, not sent');
        warned = true;
        log.info({ to: mail.to, subject: mail.subject }, 'mail not sent (no SMTP_URL)');
        log.debug({ to: mail.to, text: mail.text }, 'unsent mail');
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
