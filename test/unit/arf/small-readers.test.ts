import { describe, expect, it } from 'vitest';
import { decodeEncodedWords } from '../../../src/arf/encoded-words.ts';
import { normaliseFeedbackType } from '../../../src/arf/feedback-type.ts';
import { isInternalIp, normaliseIp, publicIpInText } from '../../../src/arf/ip-address.ts';
import { parseMailDate } from '../../../src/arf/mail-date.ts';
import { addressIn, domainOf } from '../../../src/arf/mailbox-address.ts';

describe('dates as mail writes them', () => {
  it.each([
    ['Thu, 8 Mar 2005 14:00:00 EDT', '2005-03-08T18:00:00.000Z'],
    ['Thu, 29 Apr 2009 00:00:00 -0000 (GMT)', '2009-04-29T00:00:00.000Z'],
    ['Thu, 9 Apr 2006 23:34:45 JST', '2006-04-09T14:34:45.000Z'],
    ['29 Apr 2016 23:34:45.0000 (UTC)', '2016-04-29T23:34:45.000Z'],
    ['Sat, 31 Oct 20 18:02:57 +0100', '2020-10-31T17:02:57.000Z'],
    ['2020-10-31T18:02:57Z', '2020-10-31T18:02:57.000Z'],
    ['2020-10-31 18:02:57+02:00', '2020-10-31T16:02:57.000Z'],
  ])('reads %s', (written, iso) => {
    expect(parseMailDate(written)).toBe(iso);
  });

  it.each(['yesterday', '31 Feb 2020 10:00:00 +0000', '', 'Fri, 20 Nov 2026 at 11:58'])(
    'does not guess at "%s"',
    (written) => {
      expect(parseMailDate(written)).toBeUndefined();
    },
  );
});

describe('addresses', () => {
  it.each([
    ['Deals <Offers@Deals.EXAMPLE>', 'Offers@deals.example'],
    ['"Smith, Robert" <robert@recipient.example>', 'robert@recipient.example'],
    ['"a <fake@evil.example>" <real@deals.example>', 'real@deals.example'],
    ['offers@deals.example (Deals)', 'offers@deals.example'],
    ['Deals [mailto:offers@deals.example]', 'offers@deals.example'],
    ['<@relay.example:offers@deals.example>', 'offers@deals.example'],
  ])('finds the address in %s', (value, address) => {
    expect(addressIn(value)).toBe(address);
  });

  it.each([
    'Name <john smith@example.com>',
    '<a[b]@example.com>',
    '"john smith"@example.com',
    `user@${'a'.repeat(300)}.example`,
  ])('finds no address in %s', (value) => {
    expect(addressIn(value)).toBeUndefined();
  });

  it('knows the null path has no address', () => {
    expect(addressIn('<>')).toBeUndefined();
    expect(domainOf(addressIn('redacted@'))).toBeUndefined();
  });
});

describe('IP addresses', () => {
  it('writes addresses in one canonical form', () => {
    expect(normaliseIp('[IPv6:2001:DB8::0:1]')).toBe('2001:db8::1');
    expect(normaliseIp('192.0.2.1:25')).toBe('192.0.2.1');
    expect(normaliseIp('::FFFF:192.0.2.9')).toBe('192.0.2.9');
    expect(normaliseIp('192.0.2')).toBeUndefined();
    expect(normaliseIp('010.0.0.1')).toBeUndefined();
  });

  it.each([
    ['Spam from 192.0.2.1.', '192.0.2.1'],
    ['sender IP: [192.0.2.1]:25, at 10:00:00', '192.0.2.1'],
    ['sent at 10:00:00 from 2001:DB8::25:', '2001:db8::25'],
    ['from 10.1.1.1 via 192.0.2.8', '192.0.2.8'],
    ['see https://192.0.2.1/x or 1.2.3', undefined],
    ['version 2026.11.20, ticket 4711', undefined],
  ])('finds the first Internet address a person wrote in "%s"', (text, ip) => {
    expect(publicIpInText(text)).toBe(ip);
  });

  it('tells internal addresses from Internet ones, documentation ranges counting as Internet', () => {
    expect(['10.1.1.1', '192.168.0.1', '127.0.0.1', '::1', 'fd00::1', '100.64.0.1'].every(isInternalIp)).toBe(
      true,
    );
    expect(['192.0.2.1', '198.51.100.23', '203.0.113.9', '2001:db8::1'].some(isInternalIp)).toBe(false);
  });
});

describe('feedback types', () => {
  it.each([
    ['Abuse', 'abuse'],
    ['NOT-SPAM', 'not-spam'],
    ['not spam', 'not-spam'],
    ['opt-out-list', 'other'],
    ['dkim', 'auth-failure'],
    ['abuse; comment', 'abuse'],
  ])('reads %s as %s', (written, type) => {
    expect(normaliseFeedbackType(written)).toEqual({ feedbackType: type, unknown: false });
  });
});

describe('encoded words (RFC 2047)', () => {
  it('decodes B and Q words and joins adjacent ones', () => {
    expect(decodeEncodedWords('=?utf-8?B?44OQ44Km44Oz44K5?= =?utf-8?Q?_caf=C3=A9?=')).toBe('バウンス café');
    expect(decodeEncodedWords('=?iso-8859-1?q?caf=E9?=')).toBe('café');
    expect(decodeEncodedWords('=?x-unknown?Q?plain?=')).toBe('plain');
  });
});
