import { describe, expect, it } from 'vitest';
import { findSourceHop, parseReceivedHop } from '../../../src/arf/received-chain.ts';

describe('a Received field', () => {
  it.each([
    [
      'Postfix',
      'from mail.example.net (mail.example.net [192.0.2.50]) by mx.example.com (Postfix) with ESMTPS id 4Hx2; Fri, 20 Nov 2026 09:30:12 +0000',
      { fromIp: '192.0.2.50', fromHost: 'mail.example.net', by: 'mx.example.com', protocol: 'ESMTPS' },
    ],
    [
      'sendmail, host name folded away from its address',
      'from mta-002.rr.example.com (mta-002.rr.example.com [192.0.2.22]) by mxg.example.net (8.13.1/8.13.1) with ESMTP id t3P0',
      { fromIp: '192.0.2.22', fromHost: 'mta-002.rr.example.com', by: 'mxg.example.net' },
    ],
    [
      'qmail, address in parentheses without brackets',
      'from email.example.com (HELO example.com) (192.0.2.4) by example.com with SMTP; 29 Apr 2009 00:00:00 -0000',
      { fromIp: '192.0.2.4', fromHost: 'email.example.com', by: 'example.com' },
    ],
    [
      'qmail, with a HELO that names an IP',
      'from unknown (HELO 10.9.8.7) (203.0.113.9) by mx.example.com with SMTP',
      { fromIp: '203.0.113.9' },
    ],
    [
      'Exim, address as the host',
      'from [192.0.2.222] (helo=mta-2.example.org) by example.org with esmtps id 1',
      { fromIp: '192.0.2.222', by: 'example.org' },
    ],
    [
      'Exim, address with a port',
      'from mta2.relay2.example.org ([192.0.2.222]:22222) by nyaan.example.com with esmtps',
      { fromIp: '192.0.2.222', fromHost: 'mta2.relay2.example.org' },
    ],
    [
      'ecelerity, address with a port inside the brackets',
      'from [192.0.2.222] ([192.0.2.222:222] helo=mta-2.example.org) by example.org (envelope-from <a@example.org>)',
      { fromIp: '192.0.2.222' },
    ],
    [
      'Exchange, address in parentheses and the by host with its own',
      'from EX01.contoso.example (10.1.2.3) by EX02.contoso.example (10.1.2.4) with Microsoft SMTP Server id 15.1.2',
      { fromIp: '10.1.2.3', fromHost: 'ex01.contoso.example', by: 'ex02.contoso.example' },
    ],
    [
      'an IPv6 literal',
      'from ietf.example.com (localhost [IPv6:::1]) by ietf.example.com (Postfix) with ESMTP id E',
      { fromIp: '::1' },
    ],
    [
      'Google, host name with a trailing dot',
      'from CAT000-NEKO2.example.com (cat000-neko2.example.com. [203.0.113.25]) by mx.example.com with ESMTPS id f',
      { fromIp: '203.0.113.25', fromHost: 'cat000-neko2.example.com' },
    ],
  ])('reads the connecting IP of %s', (_name, value, expected) => {
    expect(parseReceivedHop(value)).toMatchObject(expected);
  });

  it('has no from IP when the hop has no from clause', () => {
    const hop = parseReceivedHop('by 192.0.2.25 with SMTP id fffff; Thu, 29 Apr 2016 23:34:45 +0000 (UTC)');
    expect(hop).toEqual({ by: '192.0.2.25', protocol: 'SMTP', date: '2016-04-29T23:34:45.000Z' });
  });

  it('ignores a "from" inside a comment', () => {
    expect(
      parseReceivedHop('(qmail 1234 invoked from network); 29 Apr 2009 00:00:00 -0000').fromIp,
    ).toBeUndefined();
  });

  it('reads the date after the semicolon', () => {
    expect(parseReceivedHop('from a (a [192.0.2.1]) by b; Fri, 20 Nov 2026 09:14:02 +0100').date).toBe(
      '2026-11-20T08:14:02.000Z',
    );
  });
});

describe('the hop a message came from', () => {
  it('skips final delivery over LMTP and internal addresses', () => {
    const hops = [
      { fromIp: '127.0.0.1', by: 'store' },
      { fromIp: '192.0.2.10', by: 'mailbox', protocol: 'LMTP' },
      { fromIp: '10.0.0.5', by: 'mx2' },
      { fromIp: '198.51.100.23', by: 'mx1', protocol: 'ESMTPS' },
      { fromIp: '203.0.113.1', by: 'relay' },
    ];
    expect(findSourceHop(hops)?.fromIp).toBe('198.51.100.23');
  });

  it('takes an LMTP hop when it is the only one from the Internet', () => {
    expect(findSourceHop([{ fromIp: '192.0.2.10', protocol: 'LMTP' }])?.fromIp).toBe('192.0.2.10');
  });

  it('finds none when every hop is internal', () => {
    expect(findSourceHop([{ fromIp: '10.0.0.1' }, { fromIp: '::1' }, {}])).toBeUndefined();
  });
});
