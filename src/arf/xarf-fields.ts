import { MAX_SCANNED_BODY_CHARS } from './bounds.ts';
import type { EmbeddedOriginal } from './embedded-originals.ts';
import { readFlatYaml, type YamlField } from './flat-yaml.ts';
import { type MailView, topField } from './mail-view.ts';

// X-ARF (x-arf.org), the abuse reports of fail2ban, blocklist.de and many CERTs and hosters:
//   v0.1/v0.2  multipart/mixed with `X-XARF: PLAIN` (v0.1: `X-ARF: YES`): a text/plain note, a
//              text/plain part (often name="report.txt") of flat YAML (Reported-From, Category,
//              Report-Type, Service, Version, User-Agent, Date, Source-Type, Source, Port,
//              Report-ID, Schema-URL, Attachment), and the evidence (a message/rfc822, logs);
//   v3         JSON: {Version, ReporterInfo: {...}, Report: {ReportClass, ReportType, Date,
//              SourceIp | Source, SourceType, SourcePort, SmtpMailFromAddress, Samples: [...]}};
//   v4         JSON: {xarf_version, category, type, timestamp, source_identifier, source_port,
//              smtp_from, smtp_to, reporter: {contact}, evidence: [{content_type, payload}]}.
// The JSON travels as an application/json part (often xarf.json), or as the text itself.

/** What an X-ARF report says, in whichever version it was written. */
export interface XarfFields {
  version?: string;
  category?: string;
  reportType?: string;
  source?: string;
  sourceType?: string;
  port?: string;
  date?: string;
  userAgent?: string;
  reportedFrom?: string;
  mailFrom?: string;
  rcptTo?: string;
  /** Evidence carried inside the JSON (base64 payloads of message/rfc822 and header samples). */
  originals: EmbeddedOriginal[];
}

// Keys that only an X-ARF document has (Source alone, or Date, is in every other report too).
const DISTINCTIVE_KEYS = new Set([
  'reported-from',
  'category',
  'report-type',
  'source-type',
  'schema-url',
  'report-id',
]);
const YAML_START = /^(?:---|(?:reported-from|category|report-type|source-type|schema-url|report-id)[ \t]*:)/i;
const YAML_PART_TYPES = new Set([
  'text/plain',
  'text/yaml',
  'text/x-yaml',
  'application/yaml',
  'application/x-yaml',
]);
const JSON_PART_TYPES = new Set(['application/json', 'text/json', 'application/x-json']);
/** Documents looked at before giving up, so a text full of `---` lines costs bounded time. */
const MAX_CANDIDATES = 10;
/** Larger JSON is not an X-ARF report (v4 caps evidence at 5 MB, but real ones are small). */
const MAX_JSON_BYTES = 2 * 1024 * 1024;
const MAX_EVIDENCE_ITEMS = 10;
const MESSAGE_EVIDENCE = /^(?:message\/(?:rfc822|global)|text\/rfc822-headers?|message\/rfc822-headers)\b/i;

/** True when the sender says the message is an X-ARF report. */
function saysXarf(view: MailView): boolean {
  const plain = topField(view, 'x-xarf') ?? topField(view, 'x-arf');
  return plain !== undefined && /^\s*(?:plain|yes|secure|bulk)\b/i.test(plain);
}

function fromYaml(fields: readonly YamlField[]): XarfFields {
  const get = (key: string) => fields.find(([name]) => name === key)?.[1] || undefined;
  const result: XarfFields = { originals: [] };
  const set = (name: keyof Omit<XarfFields, 'originals'>, value: string | undefined) => {
    if (value) result[name] = value;
  };
  set('version', get('version'));
  set('category', get('category'));
  set('reportType', get('report-type'));
  set('source', get('source'));
  set('sourceType', get('source-type'));
  set('port', get('port') ?? get('source-port'));
  set('date', get('date'));
  set('userAgent', get('user-agent'));
  set('reportedFrom', get('reported-from'));
  return result;
}

function yamlIn(text: string, told: boolean): XarfFields | undefined {
  const lines = text.slice(0, MAX_SCANNED_BODY_CHARS).split('\n');
  let candidates = 0;
  for (let i = 0; i < lines.length && candidates < MAX_CANDIDATES; i++) {
    if (!YAML_START.test(lines[i]!)) continue;
    candidates += 1;
    const fields = readFlatYaml(lines, i);
    const distinctive = new Set(fields.map(([key]) => key).filter((key) => DISTINCTIVE_KEYS.has(key)));
    const typed = distinctive.has('category') || distinctive.has('report-type');
    // Without the X-XARF header, it takes more than a stray "Category:" line in a letter.
    if (typed && (told || distinctive.size >= 3)) return fromYaml(fields);
  }
  return undefined;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A member of a JSON object by any of its spellings (ReportType, report_type, reporttype). */
function member(object: Json | undefined, ...names: string[]): unknown {
  if (!object) return undefined;
  for (const [key, value] of Object.entries(object)) {
    if (names.includes(key.replace(/[_-]/g, '').toLowerCase())) return value;
  }
  return undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return text(value[0]);
  return undefined;
}

function evidenceOriginals(items: unknown): EmbeddedOriginal[] {
  const originals: EmbeddedOriginal[] = [];
  if (!Array.isArray(items)) return originals;
  for (const item of items.slice(0, MAX_EVIDENCE_ITEMS)) {
    if (!isObject(item)) continue;
    const type = text(member(item, 'contenttype', 'type')) ?? '';
    const payload = text(member(item, 'payload', 'data', 'content'));
    if (!payload || !MESSAGE_EVIDENCE.test(type)) continue;
    const base64 = member(item, 'base64encoded', 'encoding');
    const decoded =
      base64 === false || (typeof base64 === 'string' && !/base64/i.test(base64))
        ? Buffer.from(payload, 'utf8')
        : Buffer.from(payload, 'base64');
    originals.push({ content: decoded, headersOnly: /headers/i.test(type) });
  }
  return originals;
}

function fromJson(document: Json): XarfFields | undefined {
  const report = isObject(member(document, 'report')) ? (member(document, 'report') as Json) : undefined;
  // v3 keeps everything under Report; v4 is flat.
  const body = report ?? document;
  const reportType = text(member(body, 'reporttype', 'type'));
  const category = text(member(body, 'reportclass', 'category', 'class'));
  if (!reportType && !category) return undefined;
  const reporter = member(document, 'reporterinfo', 'reporter');
  const result: XarfFields = {
    originals: evidenceOriginals(
      member(body, 'samples', 'evidence') ?? member(document, 'samples', 'evidence'),
    ),
  };
  const set = (name: keyof Omit<XarfFields, 'originals'>, value: string | undefined) => {
    if (value) result[name] = value;
  };
  set('version', text(member(document, 'version', 'xarfversion')));
  set('category', category);
  set('reportType', reportType);
  set('source', text(member(body, 'sourceip', 'source', 'sourceidentifier', 'ip')));
  set('sourceType', text(member(body, 'sourcetype')));
  set('port', text(member(body, 'sourceport', 'port')));
  set('date', text(member(body, 'date', 'timestamp', 'time')));
  set('userAgent', text(member(document, 'useragent', 'generator')));
  if (isObject(reporter)) set('reportedFrom', text(member(reporter, 'reporterorgemail', 'contact', 'email')));
  set('mailFrom', text(member(body, 'smtpmailfromaddress', 'smtpfrom', 'mailfrom')));
  set('rcptTo', text(member(body, 'smtprcpttoaddress', 'smtpto', 'rcptto')));
  return result;
}

function jsonIn(content: string): XarfFields | undefined {
  const start = content.indexOf('{');
  if (start === -1 || content.slice(0, start).trim() !== '' || content.length > MAX_JSON_BYTES)
    return undefined;
  try {
    // JSON.parse is linear and builds plain data; nothing in it is evaluated.
    const document: unknown = JSON.parse(content);
    return isObject(document) ? fromJson(document) : undefined;
  } catch {
    return undefined;
  }
}

/** The X-ARF report a message carries, or undefined when it carries none. */
export function findXarf(view: MailView): XarfFields | undefined {
  const told = saysXarf(view);
  for (const part of view.parts) {
    const named = part.filename?.toLowerCase() ?? '';
    if (JSON_PART_TYPES.has(part.contentType) || named.endsWith('.json')) {
      const found = jsonIn(part.content.toString('utf8'));
      if (found) return found;
    } else if (YAML_PART_TYPES.has(part.contentType) || /\.(?:txt|ya?ml)$/.test(named)) {
      const content = part.content.subarray(0, MAX_SCANNED_BODY_CHARS).toString('utf8');
      const found = yamlIn(content, told) ?? jsonIn(content);
      if (found) return found;
    }
  }
  return yamlIn(view.text, told) ?? jsonIn(view.text.trim());
}
