import { readdirSync, readFileSync } from 'node:fs';
import { buildArf } from '../support/build-arf.ts';
import { buildForward } from '../support/build-forward.ts';
import { CORPUS_DIR, corpusPath } from '../support/corpus.ts';
import {
  ABUSE_FIELDS,
  arfReport,
  base64Lines,
  buildMessage,
  reportHeaders,
  spamMessage,
} from '../unit/arf/build-message.ts';
import {
  eximDmarcReport,
  spamcopReport,
  xarfJsonReport,
  xarfV3,
  xarfYamlReport,
} from '../unit/arf/build-reports.ts';

/** A message the fuzzer starts from, and what it is called in a finding. */
export interface Seed {
  name: string;
  bytes: Buffer;
}

/** Every message of the shared corpus. */
export function corpusSeeds(): Seed[] {
  return readdirSync(CORPUS_DIR)
    .filter((file) => file.endsWith('.eml'))
    .sort()
    .map((file) => ({ name: file, bytes: readFileSync(corpusPath(file)) }));
}

/** Built messages of every kind the parser reads, beside the corpus's. */
export function builtSeeds(): Seed[] {
  return [
    {
      name: 'built:arf',
      bytes: buildArf({ id: 'f1', sourceIp: '198.51.100.23', originalHeaders: ['X-Repute-Tenant: acme'] }),
    },
    { name: 'built:arf-lf', bytes: arfReport(ABUSE_FIELDS, { eol: '\n' }) },
    {
      name: 'built:arf-headers-only',
      bytes: arfReport(ABUSE_FIELDS, { originalType: 'text/rfc822-headers' }),
    },
    {
      name: 'built:forward',
      bytes: buildForward({
        reporter: 'v@recipient.example',
        id: 'f2',
        sendingIp: '198.51.100.31',
        sender: 'a@deals.example',
      }),
    },
    {
      name: 'built:forward-html',
      bytes: buildMessage({
        headers: [
          ...reportHeaders('Fwd: spam from 198.51.100.9', 'victim@recipient.example'),
          ['Content-Type', 'text/html; charset=utf-8'],
        ],
        body: '<p>-----Original Message-----<br>From: Deals &lt;offers@deals.example&gt;<br>Sent: Friday<br>Subject: Buy</p>',
      }),
    },
    { name: 'built:x-arf-yaml', bytes: xarfYamlReport() },
    { name: 'built:x-arf-json', bytes: xarfJsonReport(xarfV3()) },
    { name: 'built:spamcop', bytes: spamcopReport() },
    { name: 'built:spamcop-attached', bytes: spamcopReport({ attached: true }) },
    { name: 'built:exim-dmarc', bytes: eximDmarcReport() },
    {
      name: 'built:base64-original',
      bytes: buildMessage({
        headers: reportHeaders('Fwd: spam', 'victim@recipient.example'),
        parts: [
          {
            headers: [
              ['Content-Type', 'message/rfc822'],
              ['Content-Transfer-Encoding', 'base64'],
            ],
            body: base64Lines(spamMessage()),
          },
        ],
      }),
    },
  ];
}
