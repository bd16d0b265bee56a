import { ImapFlow } from 'imapflow';
import type { Logger } from '../log.ts';
import { type ImapTarget, isLoopback } from './imap-config.ts';

/**
 * One imapflow connection to the mailbox. IDLE is started by the poller itself (only
 * when it waits for mail), never automatically between commands. imapflow's own chatter
 * goes to our logger one level down, so `info` stays readable; it never logs credentials.
 */
export function createImapClient(target: ImapTarget, log: Logger): ImapFlow {
  const client = new ImapFlow({
    host: target.host,
    port: target.port,
    secure: target.secure,
    // imap:// to loopback stays in cleartext (a test server, a local proxy); elsewhere it
    // upgrades with STARTTLS when the server offers it.
    ...(!target.secure && isLoopback(target.host) ? { doSTARTTLS: false } : {}),
    auth: target.accessToken
      ? { user: target.user, accessToken: target.accessToken }
      : { user: target.user, pass: target.pass ?? '' },
    clientInfo: { name: 'repute', vendor: 'repute' },
    disableAutoIdle: true,
    // RFC 2177: a client should re-issue IDLE at least every 29 minutes.
    maxIdleTime: 10 * 60 * 1000,
    connectionTimeout: 30_000,
    greetingTimeout: 16_000,
    socketTimeout: 5 * 60 * 1000,
    logger: {
      debug: (o: object) => log.trace(o),
      info: (o: object) => log.debug(o),
      warn: (o: object) => log.debug(o),
      error: (o: object) => log.debug(o),
    },
  });
  // imapflow emits at most one error per connection and closes it; the poller learns of
  // that from the failed command or the `close` event. Without a listener it would crash us.
  client.on('error', (err: Error) => log.debug({ err: err.message }, 'imap connection error'));
  return client;
}
