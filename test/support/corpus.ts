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
  feedbackType: string[];
  sourceIp: string[];
  senderDomain: string[];
}

export function readManifest(): ManifestRow[] {
  const lines = readFileSync(corpusPath('MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const [file, expect, reports, feedbackType, sourceIp, senderDomain] = line.split('\t');
    return {
      file: file!,
      expect: expect as ManifestRow['expect'],
      reports: Number(reports),
      feedbackType: feedbackType!.split(';'),
      sourceIp: sourceIp!.split(';'),
      senderDomain: senderDomain!.split(';'),
    };
  });
}
