import type { MessageEnvelopeObject } from 'imapflow';

const ADDRESS = /^[^\s<>@]+@[^\s<>@]+$/;

/**
 * Who brought a message: the envelope sender (the Return-Path the delivering MTA wrote),
 * else the From address. A null sender (`<>`, a bounce) falls back to From too.
 */
export function reporterOf(
  returnPathHeader: Buffer | string | undefined,
  envelope?: MessageEnvelopeObject,
): string | null {
  const text = returnPathHeader?.toString('latin1') ?? '';
  // Only the topmost Return-Path counts: the last MTA wrote it.
  const first = /^return-path:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(text)?.[1] ?? '';
  const inBrackets = /<([^<>]*)>/.exec(first)?.[1] ?? first.trim();
  const envelopeSender = inBrackets.trim().toLowerCase();
  if (ADDRESS.test(envelopeSender)) return envelopeSender;
  const from = envelope?.from?.[0]?.address?.trim().toLowerCase();
  return from && ADDRESS.test(from) ? from : null;
}
