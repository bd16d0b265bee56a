import { domainOf } from './mailbox-address.ts';
import type { OriginalMessage } from './types.ts';

/**
 * The domain that sent the message a provider reports: of the original MAIL FROM (ARF
 * Original-Mail-From), else of the embedded Return-Path (the MAIL FROM as the provider received
 * it), else of the embedded From.
 */
export function senderDomainOf(
  originalMailFrom: string | undefined,
  original: OriginalMessage,
): string | undefined {
  return domainOf(originalMailFrom) ?? domainOf(original.returnPath) ?? domainOf(original.from);
}

/**
 * The domain that sent the message a recipient forwards: of its From, else of its Return-Path.
 * The From is what the recipient complains about; the Return-Path of a forwarded copy is the
 * envelope of its last hop, which the recipient's own forwarding (SRS, RFC 5321 §3.9 relays) or
 * mail client may have rewritten.
 */
export function forwardedSenderDomainOf(original: OriginalMessage): string | undefined {
  return domainOf(original.from) ?? domainOf(original.returnPath);
}
