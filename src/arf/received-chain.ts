import { cleanText, MAX_LIST_ITEMS } from './bounds.ts';
import { isInternalIp, normaliseIp } from './ip-address.ts';
import { parseMailDate } from './mail-date.ts';
import type { ReceivedHop } from './types.ts';

// RFC 5321 §4.4: Received: from <host> (<TCP-info>) by <host> (<comment>) with <protocol> id <id>
// for <path>; <date>. Real MTAs write every variation: the connecting IP in brackets inside the
// comment (Postfix, sendmail, Exim), in parentheses without brackets (qmail, Exchange), as the
// host itself ("from [192.0.2.1]"), with a port, or with an IPv6: prefix.

const KEYWORDS = new Set(['from', 'by', 'via', 'with', 'id', 'for']);

interface Clause {
  keyword: string;
  value?: string;
  comments: string[];
}

interface ReceivedParts {
  clauses: Clause[];
  date?: string;
}

function splitReceived(text: string): ReceivedParts {
  const clauses: Clause[] = [];
  let current: Clause = { keyword: '', comments: [] };
  clauses.push(current);
  let i = 0;
  const addWord = (word: string): void => {
    const lower = word.toLowerCase();
    if (KEYWORDS.has(lower) && (current.keyword === '' || current.value !== undefined)) {
      current = { keyword: lower, comments: [] };
      clauses.push(current);
    } else if (current.value === undefined && current.keyword !== '') {
      current.value = word;
    }
  };
  while (i < text.length) {
    const char = text[i]!;
    if (char === ';') {
      return { clauses, date: text.slice(i + 1).trim() };
    }
    if (char === '(') {
      let depth = 1;
      let j = i + 1;
      while (j < text.length && depth > 0) {
        const inner = text[j]!;
        if (inner === '\\') j += 1;
        else if (inner === '(') depth += 1;
        else if (inner === ')') depth -= 1;
        j += 1;
      }
      current.comments.push(text.slice(i + 1, depth === 0 ? j - 1 : j));
      i = j;
      continue;
    }
    if (char === ' ' || char === '\t') {
      i += 1;
      continue;
    }
    let j = i;
    while (j < text.length) {
      const inner = text[j]!;
      if (inner === ' ' || inner === '\t' || inner === '(' || inner === ';') break;
      if (inner === '[') {
        const close = text.indexOf(']', j);
        j = close === -1 ? text.length : close + 1;
        continue;
      }
      j += 1;
    }
    addWord(text.slice(i, j));
    i = j;
  }
  return { clauses };
}

/** The IP the receiving host saw, from the `from` clause; HELO/EHLO names are claims, not seen. */
function connectingIp(from: Clause): string | undefined {
  for (const comment of from.comments) {
    for (const literal of comment.matchAll(/\[([^\]]{2,60})\](?::\d{1,5})?/g)) {
      const ip = normaliseIp(literal[1]!);
      if (ip) return ip;
    }
  }
  for (const comment of from.comments) {
    const tokens = comment.split(/[\s,]+/);
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t]!;
      if (/^e?helo$/i.test(token)) {
        t += 1;
        continue;
      }
      if (/^e?helo=/i.test(token)) continue;
      // qmail writes "(user@192.0.2.1)" for an authenticated submission
      const ip = normaliseIp(token.slice(token.lastIndexOf('@') + 1).replace(/^\(|\)$/g, ''));
      if (ip) return ip;
    }
  }
  return from.value ? normaliseIp(from.value) : undefined;
}

function hostName(value: string | undefined): string | undefined {
  if (!value || value.startsWith('[') || normaliseIp(value)) return undefined;
  const host = cleanText(value.replace(/\.$/, ''), 255).toLowerCase();
  return host || undefined;
}

/** One Received field value (unfolded) as a hop. */
export function parseReceivedHop(value: string): ReceivedHop {
  const { clauses, date } = splitReceived(value);
  const hop: ReceivedHop = {};
  const from = clauses.find((clause) => clause.keyword === 'from');
  if (from) {
    const ip = connectingIp(from);
    if (ip) hop.fromIp = ip;
    const host = hostName(from.value);
    if (host) hop.fromHost = host;
  }
  const by = clauses.find((clause) => clause.keyword === 'by');
  if (by?.value) hop.by = cleanText(by.value.replace(/\.$/, ''), 255).toLowerCase();
  const withClause = clauses.find((clause) => clause.keyword === 'with');
  if (withClause?.value) hop.protocol = cleanText(withClause.value, 40).toUpperCase();
  const when = parseMailDate(date);
  if (when) hop.date = when;
  return hop;
}

/** Every Received field of a header section as hops, topmost (newest) first, bounded. */
export function readReceivedChain(values: readonly string[]): ReceivedHop[] {
  return values.slice(0, MAX_LIST_ITEMS).map(parseReceivedHop);
}

function isFinalDelivery(hop: ReceivedHop): boolean {
  // LMTP (RFC 2033) hands a message to the mailbox store inside the receiving site: its
  // `from` is the site's own MX, never the sender.
  return hop.protocol?.startsWith('LMTP') === true;
}

/**
 * The hop that most likely received the message from its sender, as far as the message alone
 * tells: the topmost hop whose `from` IP is an Internet address, skipping final-delivery hops.
 * Attribution knows more (the platform's own IPs) and looks at every hop itself.
 */
export function findSourceHop(hops: readonly ReceivedHop[]): ReceivedHop | undefined {
  const external = hops.filter((hop) => hop.fromIp !== undefined && !isInternalIp(hop.fromIp));
  return external.find((hop) => !isFinalDelivery(hop)) ?? external[0];
}
