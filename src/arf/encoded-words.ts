// RFC 2047 encoded words, for the few header values shown to people (Subject, display names).
// Addresses and field values the parser reasons about are ASCII and need no decoding.
const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
const BETWEEN_ENCODED_WORDS = /(\?=)\s+(=\?)/g;

function decoderFor(charset: string): TextDecoder {
  // RFC 2231 §5 allows a language suffix: =?utf-8*en?Q?...?=
  const label = charset.split('*')[0]!.trim().toLowerCase();
  try {
    return new TextDecoder(label);
  } catch {
    return new TextDecoder('utf-8');
  }
}

function wordBytes(encoding: string, text: string): Uint8Array {
  if (encoding === 'b' || encoding === 'B') return Buffer.from(text, 'base64');
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '_') {
      bytes.push(0x20);
    } else if (char === '=' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(char.charCodeAt(0) & 0xff);
    }
  }
  return Uint8Array.from(bytes);
}

/** Decodes the encoded words of a header value; anything malformed is left as written. */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  // Whitespace between two adjacent encoded words is not part of the text (RFC 2047 §6.2).
  return value
    .replace(BETWEEN_ENCODED_WORDS, '$1$2')
    .replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
      try {
        return decoderFor(charset).decode(wordBytes(encoding, text));
      } catch {
        return word;
      }
    });
}
