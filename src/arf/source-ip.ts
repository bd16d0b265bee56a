import { findSourceHop } from './received-chain.ts';
import type { OriginalMessage, SourceIpOrigin } from './types.ts';

export interface SourceIp {
  sourceIp?: string;
  sourceIpOrigin?: SourceIpOrigin;
}

/**
 * The IP the report is about, best answer first: what the reporter states (ARF Source-IP), what a
 * JMRP subject names, what the embedded Received chain shows.
 */
export function chooseSourceIp(
  arfIp: string | undefined,
  subjectIp: string | undefined,
  original: OriginalMessage,
): SourceIp {
  if (arfIp) return { sourceIp: arfIp, sourceIpOrigin: 'arf' };
  if (subjectIp) return { sourceIp: subjectIp, sourceIpOrigin: 'subject' };
  const hop = findSourceHop(original.received);
  return hop?.fromIp ? { sourceIp: hop.fromIp, sourceIpOrigin: 'received' } : {};
}

/** When the reported message reached the recipient: the date of its topmost Received hop. */
export function receivedDate(original: OriginalMessage): string | undefined {
  return original.received.find((hop) => hop.date)?.date;
}
