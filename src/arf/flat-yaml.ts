// X-ARF v0.1/v0.2 reports are YAML, but only its flattest form: one `Key: value` a line, values
// sometimes quoted, now and then a list or a folded block. A YAML library would read anything
// YAML can say (anchors, aliases, tags: a billion laughs away from a hostile report); this reads
// what X-ARF senders write, line by line, in bounded time and space, and nothing else.

const KEY_LINE = /^([A-Za-z][A-Za-z0-9_.-]{0,63})[ \t]*:(?:[ \t]+(.*))?$/;
const DOCUMENT_START = /^---[ \t]*$/;
const DOCUMENT_END = /^(?:\.\.\.|---)[ \t]*$/;
/** Lines of one document read at most: an X-ARF report has a dozen or two. */
const MAX_LINES = 200;
const MAX_VALUE_CHARS = 4000;

/** One `key: value` of a flat YAML document: key lower-cased, value unquoted. */
export type YamlField = [key: string, value: string];

function unquoted(value: string): string {
  const text = value.trim();
  const quote = text[0];
  if (quote === '"') {
    let out = '';
    for (let i = 1; i < text.length; i++) {
      const char = text[i]!;
      if (char === '"') return out;
      if (char === '\\' && i + 1 < text.length) {
        i += 1;
        const escaped = text[i]!;
        out += escaped === 'n' ? ' ' : escaped === 't' ? ' ' : escaped;
      } else {
        out += char;
      }
    }
    return out;
  }
  if (quote === "'") {
    // '' is a quote inside a single-quoted scalar.
    const end = text.indexOf("'", 1);
    let out = '';
    let from = 1;
    let at = end;
    while (at !== -1 && text[at + 1] === "'") {
      out += `${text.slice(from, at)}'`;
      from = at + 2;
      at = text.indexOf("'", from);
    }
    return out + text.slice(from, at === -1 ? text.length : at);
  }
  // A comment starts at " #" in a plain scalar.
  const comment = text.indexOf(' #');
  return (comment === -1 ? text : text.slice(0, comment)).trim();
}

/**
 * Reads the flat YAML document that starts at `lines[start]` (a `---` line or the first key).
 * Indented lines continue the value above them (a folded block, or the first item of a list);
 * reading stops at the end of the document, or at the first line that is neither.
 */
export function readFlatYaml(lines: readonly string[], start: number): YamlField[] {
  const fields: YamlField[] = [];
  let i = start;
  if (i < lines.length && DOCUMENT_START.test(lines[i]!)) i += 1;
  const end = Math.min(lines.length, i + MAX_LINES);
  for (; i < end; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (DOCUMENT_END.test(line)) break;
    if (line.trim() === '') continue;
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line)) {
      if (!last) break;
      const item = line.trim().replace(/^-[ \t]+/, '');
      // `Key: |` or `Key: >` or a list: the value is what the indented lines hold.
      if (last[1] === '' || last[1] === '|' || last[1] === '>') last[1] = unquoted(item);
      else if (last[1].length < MAX_VALUE_CHARS) last[1] = `${last[1]} ${item}`;
      continue;
    }
    const match = KEY_LINE.exec(line);
    if (!match) break;
    fields.push([match[1]!.toLowerCase(), unquoted((match[2] ?? '').slice(0, MAX_VALUE_CHARS))]);
  }
  return fields;
}
