import { describe, expect, it } from 'vitest';
import { withBoundedHeaderFields } from '../../../src/arf/bounded-header-fields.ts';
import { parseMessage } from '../../../src/arf/parse-message.ts';
import { ABUSE_FIELDS, arfReport, reportHeaders } from './build-message.ts';
import { expectWellFormed, onlyReport } from './outcome-checks.ts';

describe('header fields cut before mailparser', () => {
  it('leaves an ordinary header section alone', () => {
    const raw = arfReport(ABUSE_FIELDS);
    expect(withBoundedHeaderFields(raw)).toBe(raw);
  });

  it('cuts each field of a huge header section to 64 KB, folded lines included, and keeps the body', () => {
    const folded = Array.from({ length: 2000 }, () => ` ${'b'.repeat(98)}`).join('\r\n');
    const raw = Buffer.from(
      `From: a@b.example\r\nX-Huge: ${'a'.repeat(300_000)}\r\nX-Folded: start\r\n${folded}\r\nSubject: kept\r\n\r\nbody\r\n`,
    );
    const text = withBoundedHeaderFields(raw).toString();
    const [head, body] = text.split('\r\n\r\n');
    expect(body).toBe('body\r\n');
    const fields = head!.split(/\r\n(?![ \t])/);
    expect(fields.map((field) => field.split(':')[0])).toEqual(['From', 'X-Huge', 'X-Folded', 'Subject']);
    for (const field of fields) expect(field.length).toBeLessThanOrEqual(64 * 1024);
    expect(fields[3]).toBe('Subject: kept');
  });

  it('reads a report under 7 MB of address fields full of quotes and backslashes', async () => {
    // mailparser parses every address field in full (0.6 s for 3.5 MB of these) and refuses a
    // header section over 4 MB; cut, the fields cost little and the report is read.
    const field = (name: string) => `${name}: ${'"\\'.repeat(250_000)}`;
    const headers = reportHeaders().filter(([name]) => name !== 'From');
    const raw = Buffer.concat([
      Buffer.from(`${Array.from({ length: 14 }, (_, i) => field(i % 2 ? 'To' : 'Cc')).join('\r\n')}\r\n`),
      arfReport(ABUSE_FIELDS, { headers }),
    ]);
    expect(raw.length).toBeGreaterThan(7_000_000);
    const outcome = await parseMessage(raw);
    expectWellFormed(outcome);
    expect(onlyReport(outcome).sourceIp).toBe('198.51.100.23');
  });
});
