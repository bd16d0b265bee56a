import { findSourceHop } from './received-chain.ts';
import type { OriginalMessage, SourceIpOrigin } from './types.ts';

export interface SourceIp {
  sourceIp?: string;
  sourceIpOrigin?: SourceIpOrigin;
}

/** An IP the report itself names, and where it named it. */
export interface NamedIp {
  ip: string;
  origin: SourceIpOrigin;
}

/**
 * The IP the report is about, best answer first: what the report names (ARF Source-IP, an X-ARF
 * Source, a JMRP subject, SpamCop's "Email from"), what the embedded Received chain shows, and
 * last what is only a guess (an IP a forwarding recipient wrote in the subject or text).
 */
export function chooseSourceIp(
  original: OriginalMessage,
  named: ReadonlyArray<NamedIp | undefined> = [],
  guesses: ReadonlyArray<NamedIp | undefined> = [],
): SourceIp {
  const stated = named.find((candidate) => candidate !== undefined);
  if (stated) return { sourceIp: stated.ip, sourceIpOrigin: stated.origin };
  const hop = findSourceHop(original.received);
  if (hop?.fromIp) return { sourceIp: hop.fromIp, sourceIpOrigin: 'received' };
  const guess = guesses.find((candidate) => candidate !== undefined);
  return guess ? { sourceIp: guess.ip, sourceIpOrigin: guess.origin } : {};
}

/** A NamedIp when there is an IP. */
export function namedIp(ip: string | undefined, origin: SourceIpOrigin): NamedIp | undefined {
  return ip ? { ip, origin } : undefined;
}

/** When the reported message reached the recipient: the date of its topmost Received hop. */
export function receivedDate(original: OriginalMessage): string | undefined {
  return original.received.find((hop) => hop.date)?.date;
}
