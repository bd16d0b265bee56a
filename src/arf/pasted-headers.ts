import { type HeaderField, splitHeaderFields } from './header-fields.ts';

// Recipients who were told "send us the full headers" paste them into the body. A pasted header
// section starts with a trace field and carries the sender's From.
const TRACE_FIELD_LINE =
  /^(?:received|return-path|delivered-to|x-received|arc-seal|authentication-results)[ \t]*:/i;

/** The fields of a header section pasted into the body text, or undefined when there is none. */
export function findPastedHeaders(text: string): HeaderField[] | undefined {
  const lines = text.split(/\r?\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/^(?:\s*>)+\s?/, '');
    if (!TRACE_FIELD_LINE.test(line)) continue;
    const section = lines
      .slice(i)
      .map((candidate) => candidate.replace(/^(?:\s*>)+\s?/, ''))
      .join('\n');
    const fields = splitHeaderFields(section).fields;
    const names = new Set(fields.map(([name]) => name));
    if (names.has('from') || names.has('received')) {
      if (fields.length >= 2) return fields;
    }
    return undefined;
  }
  return undefined;
}
