import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/arf/parse-message.ts';
import { corpusPath, readManifest } from '../../support/corpus.ts';
import { readingOf } from './outcome-checks.ts';

// Every message of the shared corpus must come out as MANIFEST.tsv says (see its README).
const rows = readManifest();

/** The value for report `index`: `;` separates per-report values, a single value is for all. */
function valueFor(values: readonly string[], index: number): string {
  return (values.length === 1 ? values[0] : values[index]) ?? '-';
}

describe('the shared corpus', () => {
  it('has rows to check', () => {
    expect(rows.length).toBeGreaterThan(0);
  });

  it.each(rows)('reads $file as its manifest row says ($notes)', async (row) => {
    const outcome = await parseMessage(readFileSync(corpusPath(row.file)));

    if (row.expect === 'ignored') {
      expect(outcome.status).toBe('ignored');
      expect(row.reports).toBe(0);
      return;
    }
    if (outcome.status !== 'reports') throw new Error(`expected reports, got ${JSON.stringify(outcome)}`);
    expect(outcome.reports).toHaveLength(row.reports);
    outcome.reports.forEach((report, index) => {
      const sourceIp = valueFor(row.sourceIps, index);
      const senderDomain = valueFor(row.senderDomains, index);
      expect(report.evidence).toBe(row.expect);
      expect(report.feedbackType).toBe(valueFor(row.feedbackTypes, index));
      if (sourceIp === '-') expect(report.sourceIp).toBeUndefined();
      else expect(sourceIp.split('|')).toContain(report.sourceIp);
      if (senderDomain === '-') expect(report.senderDomain).toBeUndefined();
      else expect(report.senderDomain).toBe(senderDomain);
    });
  });

  it('reads a CRLF message exactly as the same message with LF line endings', async () => {
    const lf = await parseMessage(readFileSync(corpusPath('sisimai-bsd-arf-01.eml')));
    const crlf = await parseMessage(readFileSync(corpusPath('sisimai-dos-arf-01.eml')));
    expect(readingOf(crlf)).toEqual(readingOf(lf));
  });

  it('names the reporter of a forward and of a partner report by their From address, lower-cased', async () => {
    const forward = await parseMessage(readFileSync(corpusPath('fwd-attached-rfc822.eml')));
    const partner = await parseMessage(readFileSync(corpusPath('rfc5965-example.eml')));
    expect(forward.status === 'reports' && forward.reports[0]?.reporter).toBe('jane.doe@recipient.example');
    expect(partner.status === 'reports' && partner.reports[0]?.reporter).toBe('abusedesk@example.com');
  });

  it('keeps every Received hop of an attached original, so attribution can pick the platform hop', async () => {
    const outcome = await parseMessage(readFileSync(corpusPath('fwd-attached-rfc822.eml')));
    if (outcome.status !== 'reports') throw new Error('expected reports');
    expect(outcome.reports[0]?.original.received.map((hop) => hop.fromIp)).toEqual([
      '192.0.2.10',
      '198.51.100.23',
    ]);
    expect(outcome.reports[0]?.original.dkimDomains).toEqual(['northwind.example']);
  });
});
