import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared corpus sits beside the repository (../shared/corpus), or where REPUTE_CORPUS_DIR says. */
export const CORPUS_DIR =
  process.env.REPUTE_CORPUS_DIR ?? fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

export const corpusPath = (file: string): string => join(CORPUS_DIR, file);

export interface ManifestRow {
  file: string;
  expect: 'complaint' | 'auth-evidence' | 'ignored';
  reports: number;
  /** Per report, in order (`;` in the file); one value stands for every report. */
  feedbackTypes: string[];
  sourceIps: string[];
  senderDomains: string[];
  notes: string;
}

const COLUMNS = ['file', 'expect', 'reports', 'feedback_type', 'source_ip', 'sender_domain'];

/** MANIFEST.tsv, as its README describes it; a changed header is an error, not a silent misreading. */
export function readManifest(): ManifestRow[] {
  const [header, ...lines] = readFileSync(corpusPath('MANIFEST.tsv'), 'utf8').split(/\r?\n/);
  const columns = header?.split('\t').slice(0, COLUMNS.length);
  if (columns?.join() !== COLUMNS.join()) throw new Error(`MANIFEST.tsv columns are ${columns?.join(', ')}`);
  return lines
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [
        file = '',
        expected = '',
        reports = '0',
        feedbackType = '-',
        sourceIp = '-',
        senderDomain = '-',
        notes = '',
      ] = line.split('\t');
      return {
        file,
        expect: expected as ManifestRow['expect'],
        reports: Number(reports),
        feedbackTypes: feedbackType.split(';'),
        sourceIps: sourceIp.split(';'),
        senderDomains: senderDomain.split(';'),
        notes,
      };
    });
}
