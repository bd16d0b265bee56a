import { FEEDBACK_TYPES, type FeedbackType } from './types.ts';

// Values seen before RFC 5965 settled the list, or from generators that never read it.
// draft-shafranovich-feedback-report had opt-out and opt-out-list (a recipient asking to be
// removed: a complaint, but a mild one) and miscategorized; the DKIM reporting drafts that
// became RFC 6591 used dkim; "spam" and "phishing" are what home-grown generators write.
const LEGACY: Record<string, FeedbackType> = {
  'opt-out': 'other',
  'opt-out-list': 'other',
  optout: 'other',
  unsubscribe: 'other',
  miscategorized: 'other',
  dkim: 'auth-failure',
  spf: 'auth-failure',
  dmarc: 'auth-failure',
  authfailure: 'auth-failure',
  notspam: 'not-spam',
  ham: 'not-spam',
  spam: 'abuse',
  complaint: 'abuse',
  phishing: 'fraud',
  phish: 'fraud',
  malware: 'virus',
};

export interface NormalisedFeedbackType {
  feedbackType: FeedbackType;
  /** Set when the written value is not a known type: it was read as `other`. */
  unknown: boolean;
}

/** RFC 5965 §3.5 / RFC 6650 / RFC 6591 feedback type, case-insensitive, with legacy values mapped. */
export function normaliseFeedbackType(written: string): NormalisedFeedbackType {
  const token = (/^[a-z0-9_\s-]+/i.exec(written.trim())?.[0] ?? '').trim().toLowerCase();
  const canonical = FEEDBACK_TYPES.find((type) => type === token);
  if (canonical) return { feedbackType: canonical, unknown: false };
  const squashed = token.replace(/[\s_]+/g, '-');
  const known =
    FEEDBACK_TYPES.find((type) => type === squashed) ??
    LEGACY[squashed] ??
    LEGACY[squashed.replace(/-/g, '')];
  if (known) return { feedbackType: known, unknown: false };
  return { feedbackType: 'other', unknown: true };
}
