import type { ParsedMail } from 'mailparser';
import { MAX_SCANNED_BODY_CHARS } from './bounds.ts';
import { decodeEncodedWords } from './encoded-words.ts';
import { type HeaderField, splitHeaderFields } from './header-fields.ts';
import { addressIn } from './mailbox-address.ts';

/** A MIME leaf mailparser kept as an attachment: the feedback part, embedded originals, files. */
export interface MailPart {
  /** Lower-cased MIME type; mailparser guesses it from the file name for application/octet-stream. */
  contentType: string;
  filename?: string;
  /** Decoded content (transfer encoding removed). */
  content: Buffer;
  /** The part's own header fields, as mailparser parsed them. */
  headers: ReadonlyMap<string, unknown>;
}

/** The parts of a parsed message the parser reasons about, independent of mailparser's shapes. */
export interface MailView {
  /** Top-level header fields, names lower-cased, values unfolded. */
  fields: HeaderField[];
  subject: string;
  /** Top-level MIME type, lower-cased. */
  contentType: string;
  /** The report-type parameter of a multipart/report, lower-cased. */
  reportType?: string;
  /** The report's own From address. */
  from?: string;
  parts: MailPart[];
  /** Plain text body, bounded. */
  text: string;
  /** HTML body, bounded; only looked at when there is no plain text. */
  html: string;
}

function structured(value: unknown): { value: string; params: Record<string, string> } | undefined {
  if (typeof value !== 'object' || value === null || !('value' in value)) return undefined;
  const params =
    'params' in value && typeof value.params === 'object' && value.params !== null ? value.params : {};
  return { value: String(value.value), params: params as Record<string, string> };
}

function reportFrom(mail: ParsedMail, fields: readonly HeaderField[]): string | undefined {
  // The field as written decides, as on the fast path: mailparser makes an address of a broken
  // one (`<john smith@example>` gives smith@example). Its reading is taken only when the address
  // is inside an encoded word, where the written field shows no @ at all.
  const written = fields.find(([name]) => name === 'from')?.[1];
  const parsed = mail.from?.value.find((entry) => entry.address)?.address;
  const address = addressIn(written) ?? (written?.includes('@') ? undefined : addressIn(parsed));
  return address?.toLowerCase();
}

export function viewOf(mail: ParsedMail): MailView {
  const headerText = (mail.headerLines ?? []).map((line) => line.line).join('\n');
  const fields = splitHeaderFields(headerText).fields;
  const contentType = structured(mail.headers?.get('content-type'));
  const rawSubject = fields.find(([name]) => name === 'subject')?.[1];
  const view: MailView = {
    fields,
    subject: typeof mail.subject === 'string' ? mail.subject : decodeEncodedWords(rawSubject ?? ''),
    contentType: (contentType?.value ?? 'text/plain').toLowerCase(),
    parts: (mail.attachments ?? []).map((attachment) => {
      const part: MailPart = {
        // The type alone: mailparser keeps what follows it on an overlong or broken line.
        contentType:
          (attachment.contentType ?? '').trim().split(/[\s;]/, 1)[0]!.toLowerCase() ||
          'application/octet-stream',
        content: Buffer.isBuffer(attachment.content) ? attachment.content : Buffer.alloc(0),
        headers: attachment.headers ?? new Map(),
      };
      if (attachment.filename) part.filename = attachment.filename;
      return part;
    }),
    text: (mail.text ?? '').slice(0, MAX_SCANNED_BODY_CHARS),
    html: typeof mail.html === 'string' ? mail.html.slice(0, MAX_SCANNED_BODY_CHARS) : '',
  };
  const reportType = contentType?.params['report-type'];
  if (reportType) view.reportType = reportType.toLowerCase().trim();
  const from = reportFrom(mail, fields);
  if (from) view.from = from;
  return view;
}

/** First value of a top-level field. */
export function topField(view: MailView, name: string): string | undefined {
  for (const [fieldName, value] of view.fields) if (fieldName === name) return value;
  return undefined;
}
