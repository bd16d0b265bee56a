import { describe, expect, it } from 'vitest';
import { describeTarget, parseImapUrl } from '../../../src/mailbox/imap-config.ts';

const failure = (fn: () => unknown): { code: string; message: string } => {
  try {
    fn();
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected a failure');
};

describe('parseImapUrl', () => {
  it('reads an imaps URL with user, password, port and folder', () => {
    expect(parseImapUrl('imaps://abuse:s3cret@mail.example.net:993/INBOX')).toEqual({
      host: 'mail.example.net',
      port: 993,
      secure: true,
      user: 'abuse',
      pass: 's3cret',
      mailbox: 'INBOX',
    });
  });

  it('percent-decodes the user name, the password and the folder', () => {
    const t = parseImapUrl('imaps://abuse%40example.com:p%40ss%2Fw%3Ard@imap.example.com/Abuse%20Desk/In');
    expect(t).toMatchObject({ user: 'abuse@example.com', pass: 'p@ss/w:rd', mailbox: 'Abuse Desk/In' });
  });

  it('defaults the port by scheme and the folder to INBOX', () => {
    expect(parseImapUrl('imaps://u:p@h.example')).toMatchObject({ port: 993, mailbox: 'INBOX' });
    expect(parseImapUrl('imap://u:p@127.0.0.1/')).toMatchObject({
      port: 143,
      secure: false,
      mailbox: 'INBOX',
    });
  });

  it('takes an OAuth2 access token instead of a password', () => {
    const t = parseImapUrl('imaps://abuse%40contoso.com@outlook.office365.com/INBOX', {
      accessToken: 'eyJ0eXAi',
    });
    expect(t).toMatchObject({ user: 'abuse@contoso.com', accessToken: 'eyJ0eXAi' });
    expect(t).not.toHaveProperty('pass');
  });

  it('allows plain imap:// on loopback only, unless told otherwise', () => {
    for (const host of ['127.0.0.1', 'localhost', '[::1]', '127.1.2.3']) {
      expect(parseImapUrl(`imap://u:p@${host}:1143/INBOX`).secure).toBe(false);
    }
    const e = failure(() => parseImapUrl('imap://u:p@mail.example.net/INBOX'));
    expect(e.code).toBe('config.invalid');
    expect(e.message).toMatch(/imaps:\/\//);
    expect(parseImapUrl('imap://u:p@mail.example.net/INBOX', { allowPlain: true }).secure).toBe(false);
  });

  it('refuses what it cannot use, with a config.invalid that never shows the password', () => {
    const bad = [
      'https://u:hunter2@mail.example.net/',
      'imaps://mail.example.net/INBOX',
      'imaps://u@mail.example.net/INBOX',
      'imaps://u:hunter2@mail.example.net/INBOX?x=1',
      'not a url hunter2',
    ];
    for (const url of bad) {
      const e = failure(() => parseImapUrl(url));
      expect(e.code).toBe('config.invalid');
      expect(e.message).not.toContain('hunter2');
    }
    expect(failure(() => parseImapUrl('imaps://u:p@h.example/', { accessToken: 't' })).message).toMatch(
      /not both/,
    );
  });

  it('describes the target for logs without the secret', () => {
    const t = parseImapUrl('imaps://abuse%40example.com:hunter2@[2001:db8::1]:10993/INBOX');
    expect(describeTarget(t)).toBe('imaps://abuse%40example.com@[2001:db8::1]:10993/INBOX');
  });
});
