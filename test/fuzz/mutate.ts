// Ways to damage a message the way transport, careless generators and hostile senders do. Each
// takes the bytes and a seeded random source and says what it did, so a finding can be read.

export type Random = () => number;

export interface Mutation {
  bytes: Buffer;
  what: string;
}

const pick = <T>(rnd: Random, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
const int = (rnd: Random, max: number): number => Math.floor(rnd() * max);

// Text that has broken parsers: controls, bidi overrides, lone surrogates (as entities, JSON
// escapes and encoded words), MIME parameters written twice or encoded, odd dispositions and
// formats, pathological runs for regexes that backtrack.
const HOSTILE_SNIPPETS = [
  '\u0000',
  '\u0007\u001b[31m',
  '\u202e\u2066',
  '&#xD800;&#x202E;',
  '\\ud800\\u0000',
  '=?utf-8?q?=00=E2=80=AE?=',
  '=?utf-8?b?AA==?=',
  '=?x-unknown?q?a?=',
  '; boundary="other"; boundary="second"',
  '; report-type=feedback-report; report-type=delivery-status',
  '; format=flowed; delsp=yes',
  '; name="=?utf-8?b?c3BhbS5lbWw=?="',
  "; name*=utf-8''sp%61m.eml",
  ' (comment) ',
  '\r',
  '\t',
  ' ',
  '"',
  '\\',
  '<>',
  '<a b@c.example>',
  '<a[b]@c.example>',
  'Source-IP: 192.0.2.1 (host.example)',
  'Source-IP: [2001:db8::1]:25 trailing',
  'Auto-Submitted: auto-generated',
  'Auto-Submitted: auto-replied',
  'X-XARF: PLAIN',
  '[ Offending message ]',
  'Email from 192.0.2.7 / Fri, 20 Nov 2026 09:00:00 +0000',
  'DMARC Forensic Report for deals.example from IP 192.0.2.8',
  '---\nCategory: abuse\nReport-Type: spam\nSource: 192.0.2.9\nSource-Type: ipv4',
];

const STRAY_FIELDS = [
  'Content-Transfer-Encoding: base64',
  'Content-Transfer-Encoding: quoted-printable',
  'Content-Type: application/octet-stream; name="x.eml"',
  'Content-Type: text/plain; format=flowed',
  'Content-Type: message/rfc822',
  'Content-Disposition: form-data; name="file"',
  'Content-Disposition: =?utf-8?q?attachment?=',
  'Content-Disposition: attachment; filename="report.txt"',
  'Content-Description: hello',
  'MIME-Version: 1.0',
  'From ',
  'From: "unbalanced <x@y.example>',
  'From: =?utf-8?q?Name?= <x@y.example>',
  'From: a@b.example, c@d.example',
  'Subject: spam from 192.0.2.10',
  'X-Long: '.padEnd(2000, 'y'),
];

const RUNS = ['"\\', '(', '<', '\\"', 'a.', '.', '=?', '-', '@', '::', ' \t'];

function lines(bytes: Buffer): string[] {
  return bytes.toString('latin1').split('\n');
}
const join = (parts: string[]): Buffer => Buffer.from(parts.join('\n'), 'latin1');
/** Text in UTF-8, spliced into latin1-decoded lines without losing its bytes. */
const latin1 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

type Mutator = (bytes: Buffer, rnd: Random, other: () => Buffer, maxBytes: number) => Mutation;

const MUTATORS: Mutator[] = [
  (bytes, rnd) => {
    const at = int(rnd, bytes.length + 1);
    return { bytes: bytes.subarray(0, at), what: `truncated at ${at}` };
  },
  (bytes, rnd) => {
    const all = lines(bytes);
    const at = int(rnd, all.length);
    all.splice(at, 1);
    return { bytes: join(all), what: `line ${at} removed` };
  },
  (bytes, rnd) => {
    const all = lines(bytes);
    const at = int(rnd, all.length);
    all.splice(at, 0, all[at] ?? '');
    return { bytes: join(all), what: `line ${at} doubled` };
  },
  (bytes, rnd) => {
    const copy = Buffer.from(bytes);
    const flips = 1 + int(rnd, 4);
    for (let i = 0; i < flips && copy.length > 0; i++) copy[int(rnd, copy.length)] = int(rnd, 256);
    return { bytes: copy, what: `${flips} bytes flipped` };
  },
  (bytes, rnd) => {
    const all = lines(bytes);
    const at = int(rnd, all.length);
    const upper = rnd() < 0.5;
    all[at] = upper ? (all[at] ?? '').toUpperCase() : (all[at] ?? '').toLowerCase();
    return { bytes: join(all), what: `line ${at} ${upper ? 'upper' : 'lower'}-cased` };
  },
  (bytes, rnd) => {
    const all = lines(bytes);
    const at = int(rnd, all.length);
    const tail = pick(rnd, [' ', '\t', '  ', ' \r']);
    all[at] = `${(all[at] ?? '').replace(/\r$/, '')}${tail}${all[at]?.endsWith('\r') ? '\r' : ''}`;
    return { bytes: join(all), what: `white space after line ${at}` };
  },
  (bytes, rnd) => {
    const all = lines(bytes);
    const at = int(rnd, all.length);
    const field = pick(rnd, STRAY_FIELDS);
    all.splice(at, 0, field);
    return { bytes: join(all), what: `"${field.slice(0, 40)}" inserted at line ${at}` };
  },
  (bytes, rnd) => {
    const all = lines(bytes);
    const at = int(rnd, all.length);
    const snippet = pick(rnd, HOSTILE_SNIPPETS);
    const line = all[at] ?? '';
    const col = int(rnd, line.length + 1);
    all[at] = line.slice(0, col) + latin1(snippet) + line.slice(col);
    return { bytes: join(all), what: `${JSON.stringify(snippet.slice(0, 30))} put in line ${at}` };
  },
  (bytes, rnd) => {
    const style = pick(rnd, ['cr', 'crlf', 'lf', 'mixed'] as const);
    const text = bytes.toString('latin1');
    const converted =
      style === 'cr'
        ? text.replace(/\r?\n/g, '\r')
        : style === 'crlf'
          ? text.replace(/\r?\n/g, '\r\n')
          : style === 'lf'
            ? text.replace(/\r\n/g, '\n')
            : text.replace(/\r?\n/g, () => pick(rnd, ['\n', '\r\n', '\r']));
    return { bytes: Buffer.from(converted, 'latin1'), what: `line endings made ${style}` };
  },
  (bytes, rnd) => {
    // Fold a line at a space (RFC 5322 §2.2.3), sometimes after trailing white space.
    const all = lines(bytes);
    const at = int(rnd, all.length);
    const line = all[at] ?? '';
    const space = line.indexOf(' ', int(rnd, line.length + 1));
    if (space <= 0) return { bytes, what: 'nothing folded' };
    const cr = line.endsWith('\r') ? '\r' : '';
    const pad = rnd() < 0.5 ? '  ' : '';
    all.splice(at, 1, `${line.slice(0, space)}${pad}${cr}`, `\t${line.slice(space + 1)}`);
    return { bytes: join(all), what: `line ${at} folded${pad ? ' after trailing spaces' : ''}` };
  },
  (bytes, rnd, _other, maxBytes) => {
    // Inflate: one line repeated, or a pathological run put in a line.
    const all = lines(bytes);
    const at = int(rnd, all.length);
    if (rnd() < 0.5) {
      const line = all[at] ?? '';
      const times = Math.min(1 + int(rnd, 20_000), Math.floor(maxBytes / (line.length + 1)));
      all.splice(at, 1, ...Array.from({ length: Math.max(1, times) }, () => line));
      return { bytes: join(all), what: `line ${at} repeated ${times} times` };
    }
    const run = pick(rnd, RUNS);
    const times = Math.min(1 + int(rnd, 200_000), Math.floor(maxBytes / run.length));
    all[at] = `${all[at] ?? ''}${run.repeat(Math.max(1, times))}`;
    return { bytes: join(all), what: `${JSON.stringify(run)} × ${times} put in line ${at}` };
  },
  (bytes, rnd) => {
    // An empty header section for a part: the blank line straight after a delimiter.
    const all = lines(bytes);
    const delimiters = all.flatMap((line, i) => (line.startsWith('--') ? [i] : []));
    if (delimiters.length === 0) return { bytes, what: 'no delimiter to touch' };
    const at = pick(rnd, delimiters);
    const change = pick(rnd, ['blank after', 'CR before', 'removed'] as const);
    if (change === 'blank after') all.splice(at + 1, 0, all[at]?.endsWith('\r') ? '\r' : '');
    else if (change === 'CR before' && at > 0) all[at - 1] = `${all[at - 1]}\r`;
    else all.splice(at, 1);
    return { bytes: join(all), what: `delimiter at line ${at}: ${change}` };
  },
  (bytes, rnd, other) => {
    const second = other();
    const cutA = int(rnd, bytes.length + 1);
    const cutB = int(rnd, second.length + 1);
    return {
      bytes: Buffer.concat([bytes.subarray(0, cutA), second.subarray(cutB)]),
      what: `spliced at ${cutA} with another seed from ${cutB}`,
    };
  },
];

/** Random bytes, sometimes after a header line so they get past the first check. */
export function randomMessage(rnd: Random): Mutation {
  const length = int(rnd, 4000);
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = int(rnd, 256);
  if (rnd() < 0.5) return { bytes, what: `${length} random bytes` };
  return {
    bytes: Buffer.concat([
      Buffer.from('Subject: fuzz\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'),
      bytes,
    ]),
    what: `a header section and ${length} random bytes`,
  };
}

/** One to three mutations of `bytes`. */
export function mutate(bytes: Buffer, rnd: Random, other: () => Buffer, maxBytes: number): Mutation {
  let current = bytes;
  const what: string[] = [];
  const count = 1 + int(rnd, 3);
  for (let i = 0; i < count; i++) {
    const step = pick(rnd, MUTATORS)(current, rnd, other, maxBytes);
    current = step.bytes.length > maxBytes * 2 ? current : step.bytes;
    what.push(step.what);
  }
  return { bytes: current, what: what.join('; ') };
}
