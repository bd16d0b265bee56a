import type { HeaderField } from './header-fields.ts';
import { addressIn, domainOf } from './mailbox-address.ts';

// The header block mail clients write when a message is forwarded inline:
//   Outlook        -----Original Message----- / From: / Sent: / To: / Subject:
//                  (or, from HTML, a line of underscores and the same fields)
//   Gmail          ---------- Forwarded message --------- / From: / Date: / Subject: / To:
//   Apple Mail     Begin forwarded message: / From: / Subject: / Date: / To:
//   Thunderbird    -------- Forwarded Message -------- / Subject: / Date: / From: / To:
// in the user's language.

const DASHED_MARKER =
  /^-{2,}\s*(?:original message|forwarded message|ursprüngliche nachricht|weitergeleitete nachricht|originalnachricht|message d'origine|message transféré|mensaje original|mensaje reenviado|messaggio originale|messaggio inoltrato|oorspronkelijk bericht|doorgestuurd bericht|mensagem original|mensagem encaminhada|originalmeddelande|vidarebefordrat meddelande)\s*-*\s*$/i;
const BEGIN_MARKER =
  /^(?:begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|inicio del mensaje reenviado)\s*:?\s*$/i;
const RULE_MARKER = /^_{8,}\s*$/;
const QUOTE_PREFIX = /^(?:\s*>)+\s?/;
const FIELD = /^\s*\*{0,2}([\p{L}][\p{L} -]{0,24}?)\*{0,2}\s*[:：]\s*\*{0,2}\s*(.*)$/u;

const FIELD_NAMES: Record<string, string> = {
  from: 'from',
  von: 'from',
  de: 'from',
  da: 'from',
  van: 'from',
  från: 'from',
  fra: 'from',
  od: 'from',
  sent: 'date',
  date: 'date',
  gesendet: 'date',
  datum: 'date',
  envoyé: 'date',
  enviado: 'date',
  fecha: 'date',
  inviato: 'date',
  data: 'date',
  verzonden: 'date',
  skickat: 'date',
  sendt: 'date',
  to: 'to',
  an: 'to',
  à: 'to',
  a: 'to',
  para: 'to',
  aan: 'to',
  till: 'to',
  til: 'to',
  cc: 'cc',
  kopie: 'cc',
  subject: 'subject',
  betreff: 'subject',
  objet: 'subject',
  asunto: 'subject',
  oggetto: 'subject',
  onderwerp: 'subject',
  assunto: 'subject',
  ämne: 'subject',
  emne: 'subject',
  'reply-to': 'reply-to',
};
const MAX_BLOCK_LINES = 40;
// Forward blocks looked at before giving up: real messages have a handful, not thousands.
const MAX_CANDIDATE_BLOCKS = 20;

function unquoted(line: string): string {
  return line.replace(QUOTE_PREFIX, '');
}

function fieldOf(line: string): HeaderField | undefined {
  const match = FIELD.exec(unquoted(line));
  if (!match) return undefined;
  const name = FIELD_NAMES[match[1]!.trim().toLowerCase()];
  return name ? [name, match[2]!.trim()] : undefined;
}

function isMarker(lines: readonly string[], index: number): boolean {
  const line = unquoted(lines[index]!).trim();
  if (DASHED_MARKER.test(line) || BEGIN_MARKER.test(line)) return true;
  // Outlook's HTML forward: a rule, then straight into From:
  if (RULE_MARKER.test(line)) return fieldOf(lines[index + 1] ?? '')?.[0] === 'from';
  return false;
}

/** The fields of the block that starts after `marker`, or undefined if there is none with a From. */
function blockAfter(lines: readonly string[], marker: number): HeaderField[] | undefined {
  const fields: HeaderField[] = [];
  let i = marker + 1;
  while (i < lines.length && unquoted(lines[i]!).trim() === '' && i < marker + 4) i += 1;
  for (; i < lines.length && i < marker + MAX_BLOCK_LINES; i++) {
    const line = lines[i]!;
    if (unquoted(line).trim() === '') break;
    const field = fieldOf(line);
    if (field) {
      fields.push(field);
      continue;
    }
    // Outlook wraps long To:/Cc: lists onto the next lines.
    const last = fields[fields.length - 1];
    if (last && (last[0] === 'to' || last[0] === 'cc')) {
      last[1] = `${last[1]} ${unquoted(line).trim()}`;
      continue;
    }
    break;
  }
  return fields.some(([name, value]) => name === 'from' && addressIn(value)) ? fields : undefined;
}

/** Outlook without its marker line: "From: ..." directly followed by "Sent: ..." */
function isBareOutlookBlock(lines: readonly string[], index: number): boolean {
  const first = fieldOf(lines[index]!);
  const second = fieldOf(lines[index + 1] ?? '');
  return (
    first?.[0] === 'from' && second?.[0] === 'date' && /^\s*(?:>\s*)*\*{0,2}sent\b/i.test(lines[index + 1]!)
  );
}

/**
 * The header fields of an inline-forwarded message (names normalised to from, date, to, cc,
 * subject), or undefined when the text has no forward block.
 *
 * The outermost block is the one the reporter's client wrote. When its From is in the reporter's
 * own domain, the message went round a colleague first (a user forwarding to their help desk,
 * which forwards to us), so the next block inward is taken.
 */
export function findInlineForward(text: string, reporter?: string): HeaderField[] | undefined {
  const lines = text.split(/\r?\n|\r/);
  const reporterDomain = domainOf(reporter);
  let chosen: HeaderField[] | undefined;
  let candidates = 0;
  for (let i = 0; i < lines.length && candidates < MAX_CANDIDATE_BLOCKS; i++) {
    let block: HeaderField[] | undefined;
    if (isMarker(lines, i)) {
      candidates += 1;
      block = blockAfter(lines, i);
    } else if (isBareOutlookBlock(lines, i)) {
      candidates += 1;
      block = blockAfter(lines, i - 1);
    }
    if (!block) continue;
    chosen ??= block;
    const from = block.find(([name]) => name === 'from')?.[1];
    if (!reporterDomain || domainOf(addressIn(from)) !== reporterDomain) return block;
  }
  return chosen;
}
