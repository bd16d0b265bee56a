import { isIP } from 'node:net';
import { ReputeError } from '../errors.ts';

/** Where the abuse mailbox is and how to log in to it. */
export interface ImapTarget {
  host: string;
  port: number;
  /** TLS from the first byte (imaps://). Plain imap:// is for loopback (tests, a local proxy). */
  secure: boolean;
  user: string;
  /** Exactly one of pass / accessToken is set. */
  pass?: string;
  accessToken?: string;
  /** The folder reports arrive in. */
  mailbox: string;
}

export const isLoopback = (host: string): boolean => {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1' || h === '0:0:0:0:0:0:0:1';
};

const invalid = (why: string) => new ReputeError('config.invalid', `IMAP_URL: ${why}`);

const decode = (part: string, what: string): string => {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(`the ${what} is not valid percent-encoding`);
  }
};

/**
 * Reads IMAP_URL (`imaps://user:pass@host:993/INBOX`, or `imap://` to a loopback host).
 * User and password are percent-decoded (`abuse%40example.com`). With an OAuth2 access
 * token the URL carries no password. Messages never include the password.
 */
export function parseImapUrl(
  input: string,
  options: { accessToken?: string | null; allowPlain?: boolean } = {},
): ImapTarget {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw invalid('not a URL; expected imaps://user:password@host:993/INBOX');
  }
  const scheme = url.protocol.toLowerCase();
  if (scheme !== 'imaps:' && scheme !== 'imap:')
    throw invalid(`scheme "${url.protocol}" is neither imaps: nor imap:`);
  const secure = scheme === 'imaps:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw invalid('no host');
  if (!secure && !options.allowPlain && !isLoopback(host)) {
    throw invalid(
      `imap:// sends the password unencrypted; use imaps:// for ${host} (or set IMAP_ALLOW_PLAIN=true)`,
    );
  }
  const user = decode(url.username, 'user name');
  if (!user) throw invalid('no user name (imaps://USER:password@host/INBOX)');
  const pass = url.password ? decode(url.password, 'password') : '';
  const accessToken = options.accessToken || '';
  if (pass && accessToken) throw invalid('give a password in the URL or IMAP_ACCESS_TOKEN, not both');
  if (!pass && !accessToken) throw invalid('no password in the URL and no IMAP_ACCESS_TOKEN');
  if (url.search || url.hash) throw invalid('query and fragment are not supported');
  const port = url.port ? Number(url.port) : secure ? 993 : 143;
  const mailbox = decode(url.pathname.replace(/^\/+/, '').replace(/\/+$/, ''), 'folder') || 'INBOX';
  return {
    host,
    port,
    secure,
    user,
    mailbox,
    ...(accessToken ? { accessToken } : { pass }),
  };
}

/** The target without secrets, for logs. */
export function describeTarget(t: ImapTarget): string {
  const host = isIP(t.host) === 6 ? `[${t.host}]` : t.host;
  return `${t.secure ? 'imaps' : 'imap'}://${encodeURIComponent(t.user)}@${host}:${t.port}/${t.mailbox}`;
}
