/**
 * What proves that the platform sent the mail a report complains about. Every complaint
 * may be forged; these are the proofs a stranger cannot make:
 *
 * - verified: the reported original carries a DKIM signature that verifies with one of the
 *   platform's own keys (covering From and Message-ID), or a tenant header whose HMAC binds
 *   the tenant, the original's Message-ID and the time;
 * - partner: the report came from a feedback-loop partner: posted with a partner token, or
 *   mailed with a DKIM signature of a domain registered to a partner;
 * - claimed: anything else, a stranger's word.
 *
 * Only verified and partner evidence can block an IP or restrict a tenant.
 */
export const EVIDENCE_LEVELS = ['verified', 'partner', 'claimed'] as const;
export type EvidenceLevel = (typeof EVIDENCE_LEVELS)[number];

/** The report came from a feedback-loop partner. */
export interface PartnerProof {
  partner: string;
  via: 'token' | 'dkim';
  /** The signing domain, for `dkim`. */
  domain?: string;
}

/** A platform DKIM signature on the reported original. */
export interface PlatformSignature {
  domain: string;
  selector: string;
  /** Header fields the signature covers, lower-cased. */
  signedFields: string[];
  bodyVerified: boolean;
}

export interface Proofs {
  partner: PartnerProof | null;
  platformSignature: PlatformSignature | null;
}

export const NO_PROOFS: Proofs = { partner: null, platformSignature: null };

export interface Evidence {
  level: EvidenceLevel;
  /** Which proof, for people reading the report. */
  detail: string | null;
}

export const isTrusted = (level: EvidenceLevel): boolean => level !== 'claimed';

/** The strongest level the proofs give; a valid message-bound tenant header verifies on its own. */
export function evidenceOf(proofs: Proofs, tenantHeaderBound: boolean): Evidence {
  const sig = proofs.platformSignature;
  const p = proofs.partner;
  const said: string[] = [];
  if (sig) said.push(`DKIM ${sig.domain} s=${sig.selector}${sig.bodyVerified ? '' : ' (header fields)'}`);
  if (tenantHeaderBound) said.push('signed tenant header');
  if (p)
    said.push(p.via === 'token' ? `partner token ${p.partner}` : `partner ${p.partner}, DKIM ${p.domain}`);
  const level: EvidenceLevel = sig || tenantHeaderBound ? 'verified' : p ? 'partner' : 'claimed';
  return { level, detail: said.length > 0 ? said.join('; ') : null };
}
