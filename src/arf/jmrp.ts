import type { EmbeddedOriginal } from './embedded-originals.ts';
import { normaliseIp } from './ip-address.ts';

// Microsoft's Junk Mail Reporting Program (JMRP) sends a complaint as multipart/mixed with the
// reported message attached and no message/feedback-report part; the sending IP is only in the
// subject ("complaint about message from 192.0.2.222") and the attachment carries
// X-HmXmrOriginalRecipient.
const COMPLAINT_SUBJECT = /\bcomplaint about message from\s+\[?([0-9a-f.:]{2,45})\]?/i;
const JMRP_FIELD = /^x-hmxmroriginalrecipient[ \t]*:/im;

/** The IP a JMRP-style subject names, if any. */
export function ipFromComplaintSubject(subject: string): string | undefined {
  const match = COMPLAINT_SUBJECT.exec(subject.slice(0, 500));
  return match ? normaliseIp(match[1]!) : undefined;
}

/** True when a message without a feedback part is still a provider's complaint. */
export function isJmrpLike(subject: string, originals: readonly EmbeddedOriginal[]): boolean {
  if (COMPLAINT_SUBJECT.test(subject.slice(0, 500))) return true;
  return originals.some((original) =>
    JMRP_FIELD.test(original.content.subarray(0, 16 * 1024).toString('latin1')),
  );
}
