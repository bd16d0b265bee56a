import { describe, expect, it } from 'vitest';
import { readFeedbackBlock } from '../../../src/arf/feedback-fields.ts';

const block = (...lines: string[]): string => lines.join('\r\n');

describe('the message/feedback-report field block', () => {
  it('reads the fields of RFC 5965 whatever the case of their names', () => {
    const fields = readFeedbackBlock(
      block(
        'FEEDBACK-TYPE: Abuse',
        'user-agent: SomeGenerator/1.0',
        'Version: 1',
        'Source-Ip: 192.0.2.1',
        'Original-Mail-From: <somespammer@Example.NET>',
        'Original-Rcpt-To: <user@example.com>',
        'Arrival-Date: Thu, 8 Mar 2005 14:00:00 EDT',
        'Reporting-MTA: dns; mail.example.com',
        'Source-Port: 25123',
        'Incidents: 3',
        'Reported-Domain: example.net',
        'Reported-Domain: Example.ORG',
        'Reported-Uri: http://example.net/earn_money.html',
        'Reported-Uri: <mailto:user@example.com>',
      ),
    );
    expect(fields).toMatchObject({
      feedbackType: 'abuse',
      rawFeedbackType: 'Abuse',
      userAgent: 'SomeGenerator/1.0',
      version: '1',
      sourceIp: '192.0.2.1',
      originalMailFrom: 'somespammer@example.net',
      originalRcptTo: ['user@example.com'],
      arrivalDate: '2005-03-08T18:00:00.000Z',
      reportingMta: 'mail.example.com',
      sourcePort: 25123,
      incidents: 3,
      reportedDomains: ['example.net', 'example.org'],
      reportedUris: ['http://example.net/earn_money.html', 'mailto:user@example.com'],
    });
    expect(fields.warnings).toEqual([]);
  });

  it('takes Original-Mail-From without angle brackets too', () => {
    expect(
      readFeedbackBlock('Feedback-Type: abuse\nOriginal-Mail-From: kijitora@example.net').originalMailFrom,
    ).toBe('kijitora@example.net');
  });

  it('maps the pre-RFC opt-out type to other and keeps what was written', () => {
    const fields = readFeedbackBlock('Feedback-Type: opt-out\nVersion: 0.1\nUser-Agent: x');
    expect(fields).toMatchObject({ feedbackType: 'other', rawFeedbackType: 'opt-out' });
    expect(fields.warnings).not.toContain('arf.unknown_feedback_type');
  });

  it('maps the pre-RFC 6591 dkim type to auth-failure', () => {
    expect(readFeedbackBlock('Feedback-Type: dkim').feedbackType).toBe('auth-failure');
  });

  it('reads an unknown feedback type as other, with a warning', () => {
    const fields = readFeedbackBlock('Feedback-Type: x-grumpy\nVersion: 1\nUser-Agent: x');
    expect(fields).toMatchObject({ feedbackType: 'other', rawFeedbackType: 'x-grumpy' });
    expect(fields.warnings).toEqual(['arf.unknown_feedback_type']);
  });

  it('reads the RFC 6591 auth-failure fields', () => {
    const fields = readFeedbackBlock(
      block(
        'Feedback-Type: auth-failure',
        'Auth-Failure: DMARC',
        'DKIM-Domain: Example.net',
        'Authentication-Results: example.net; dmarc=fail header.from=example.net',
      ),
    );
    expect(fields).toMatchObject({
      feedbackType: 'auth-failure',
      authFailure: 'dmarc',
      dkimDomain: 'example.net',
      authenticationResults: 'example.net; dmarc=fail header.from=example.net',
    });
  });

  it('warns about a missing Version and User-Agent without failing', () => {
    const fields = readFeedbackBlock('Feedback-Type: abuse');
    expect(fields.feedbackType).toBe('abuse');
    expect(fields.warnings).toEqual(['arf.missing_version', 'arf.missing_user_agent']);
  });

  it('reads Received-Date as the arrival date', () => {
    expect(readFeedbackBlock('Received-Date: Thu, 29 Apr 2009 00:00:00 -0000 (EST)').arrivalDate).toBe(
      '2009-04-29T00:00:00.000Z',
    );
  });

  it('keeps an unreadable arrival date as written, with a warning', () => {
    const fields = readFeedbackBlock('Feedback-Type: abuse\nArrival-Date: yesterday-ish');
    expect(fields.arrivalDate).toBeUndefined();
    expect(fields.rawArrivalDate).toBe('yesterday-ish');
    expect(fields.warnings).toContain('arf.bad_arrival_date');
  });

  it('warns about a Source-IP, Source-Port or Incidents that is not one', () => {
    const fields = readFeedbackBlock(
      'Feedback-Type: abuse\nSource-IP: 192.0.2.999\nSource-Port: 99999\nIncidents: many',
    );
    expect(fields.sourceIp).toBeUndefined();
    expect(fields.sourcePort).toBeUndefined();
    expect(fields.incidents).toBeUndefined();
    expect(fields.warnings).toEqual(
      expect.arrayContaining(['arf.bad_source_ip', 'arf.bad_source_port', 'arf.bad_incidents']),
    );
  });

  it('accepts a bracketed or IPv6 Source-IP', () => {
    expect(readFeedbackBlock('Source-IP: [192.0.2.5]').sourceIp).toBe('192.0.2.5');
    expect(readFeedbackBlock('Source-IP: IPv6:2001:db8::a').sourceIp).toBe('2001:db8::a');
    expect(readFeedbackBlock('Source-IP: ::ffff:192.0.2.6').sourceIp).toBe('192.0.2.6');
  });

  it.each([
    ['192.0.2.7 (mx.sender.example)', '192.0.2.7'],
    ['mx.sender.example [192.0.2.7]', '192.0.2.7'],
    ['<192.0.2.7>', '192.0.2.7'],
    ['"192.0.2.7"', '192.0.2.7'],
    ['192.0.2.7, reported by FBL', '192.0.2.7'],
    ['IP: 192.0.2.7.', '192.0.2.7'],
    ['2001:DB8::7 (IPv6)', '2001:db8::7'],
  ])('reads the address of a sloppy Source-IP: %s', (written, ip) => {
    const fields = readFeedbackBlock(`Feedback-Type: abuse\nSource-IP: ${written}`);
    expect(fields.sourceIp).toBe(ip);
    expect(fields.warnings).not.toContain('arf.bad_source_ip');
  });

  it('still warns about a Source-IP with no address in it', () => {
    expect(readFeedbackBlock('Source-IP: unknown (not recorded)').warnings).toContain('arf.bad_source_ip');
  });

  it('keeps the first of a repeated single field and warns', () => {
    const fields = readFeedbackBlock('Feedback-Type: abuse\nSource-IP: 192.0.2.1\nSource-IP: 192.0.2.2');
    expect(fields.sourceIp).toBe('192.0.2.1');
    expect(fields.warnings).toContain('arf.repeated_field');
  });

  it('tolerates Removal-Recipient, Redacted-Address and vendor fields', () => {
    const fields = readFeedbackBlock(
      block(
        'Feedback-Type: abuse',
        'Version: 1',
        'User-Agent: x',
        'Removal-Recipient: user@example.com',
        'Redacted-Address: redacted@',
        'Abuse-Type: complaint',
        'Subscription-Link: https://fbl.example/manage',
      ),
    );
    expect(fields.warnings).toEqual([]);
  });

  it('skips blank lines ahead of the fields and stops at the first blank line after them', () => {
    const fields = readFeedbackBlock('\r\n\r\nFeedback-Type: fraud\r\n\r\nSource-IP: 192.0.2.1\r\n');
    expect(fields.feedbackType).toBe('fraud');
    expect(fields.sourceIp).toBeUndefined();
  });
});
