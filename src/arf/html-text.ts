// Just enough HTML-to-text to find an inline forward block in a message that has no plain text
// part: line breaks where blocks end, tags dropped, entities decoded. Not a renderer. Written as
// a scan rather than regexes so that unclosed tags and comments cost linear time.

// Line breaks in HTML source are just white space; lines come from the tags.
const SOURCE_LINE_BREAKS = /[\r\n]+/g;
const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};
const SKIPPED_ELEMENTS = new Set(['script', 'style', 'head', 'title']);
const LINE_BREAK_TAGS = new Set(['br', 'hr']);
const BLOCK_END_TAGS = new Set([
  'p',
  'div',
  'tr',
  'li',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'table',
]);

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (entity, body: string) => {
    if (body[0] === '#') {
      const code =
        body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}

export function htmlToText(html: string): string {
  const lower = html.toLowerCase();
  const pieces: string[] = [];
  let i = 0;
  while (i < html.length) {
    const open = html.indexOf('<', i);
    if (open === -1) {
      pieces.push(html.slice(i).replace(SOURCE_LINE_BREAKS, ' '));
      break;
    }
    pieces.push(html.slice(i, open).replace(SOURCE_LINE_BREAKS, ' '));
    if (html.startsWith('<!--', open)) {
      const end = html.indexOf('-->', open + 4);
      if (end === -1) break;
      i = end + 3;
      continue;
    }
    const close = html.indexOf('>', open + 1);
    if (close === -1) break;
    const tag = /^(\/?)([a-z][a-z0-9]*)/i.exec(html.slice(open + 1, Math.min(close, open + 20)));
    i = close + 1;
    if (!tag) continue;
    const closing = tag[1] === '/';
    const name = tag[2]!.toLowerCase();
    if (!closing && SKIPPED_ELEMENTS.has(name)) {
      const end = lower.indexOf(`</${name}`, i);
      if (end === -1) break;
      const endClose = html.indexOf('>', end);
      if (endClose === -1) break;
      i = endClose + 1;
    } else if (LINE_BREAK_TAGS.has(name) || (closing && BLOCK_END_TAGS.has(name))) {
      pieces.push('\n');
    }
  }
  return decodeEntities(pieces.join(''))
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n');
}
