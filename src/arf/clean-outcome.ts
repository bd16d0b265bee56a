import { cleanText } from './bounds.ts';
import type { ParseOutcome } from './types.ts';

// Every string the parser hands out is stored (a text column, a jsonb document, a log line) and
// shown to the trust team. The readers clean what they keep, field by field, with the bounds that
// suit each field; this walk is the guarantee behind them: whatever a reader or a new field
// forgets, no control character, NUL, bidi override or lone surrogate leaves the parser, and no
// string is longer than a stored value may be. Reports are small and a walk over one costs
// microseconds.

function cleanValue(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  // Bytes (an embedded original kept for a DKIM check) are data, not text to display.
  if (ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = cleanValue(value[i]);
    return value;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = cleanValue(record[key]);
  }
  return value;
}

/** The outcome with every string in it cleaned in place (see above); returns the same object. */
export function cleanOutcome(outcome: ParseOutcome): ParseOutcome {
  return cleanValue(outcome) as ParseOutcome;
}
