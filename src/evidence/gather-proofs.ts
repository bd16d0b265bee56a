import type { ParsedReport } from '../arf/types.ts';
import { headerFieldsOf, signingDomainsIn, verifiedSignatures } from './dkim-signatures.ts';
import type { PartnerProof, PlatformSignature, Proofs } from './evidence-level.ts';
import type { ProofSources } from './proof-sources.ts';

export interface InboundFacts {
  raw: Buffer;
  channel: string;
  /** The partner token's name for the webhook; the envelope sender for mail. */
  reporter: string | null;
}

const countOf = (fields: ReadonlyArray<[string, string]>, name: string) =>
  fields.reduce((n, [field]) => (field === name ? n + 1 : n), 0);

/**
 * Whether a feedback-loop partner sent this message: the webhook takes partner tokens only;
 * mail counts when its own DKIM signature, covering its From and its whole body, verifies
 * for a domain registered to a partner (with the key the partner publishes in DNS).
 */
async function partnerProof(
  inbound: InboundFacts,
  sources: ProofSources,
  now: Date,
): Promise<{ proof: PartnerProof | null; warnings: string[] }> {
  if (inbound.channel === 'webhook') {
    return { proof: { partner: inbound.reporter ?? 'webhook', via: 'token' }, warnings: [] };
  }
  const fields = headerFieldsOf(inbound.raw);
  if (!signingDomainsIn(fields).some((d) => sources.partnerFor(d))) return { proof: null, warnings: [] };
  const check = await verifiedSignatures(inbound.raw, sources.partnerKey, now);
  const warnings = check.skipped ? [`evidence.${check.skipped}`] : [];
  for (const sig of check.signatures) {
    const partner = sources.partnerFor(sig.domain);
    if (partner && sig.bodyVerified && sig.signedFields.includes('from')) {
      return { proof: { partner, via: 'dkim', domain: sig.domain }, warnings };
    }
  }
  return { proof: null, warnings };
}

/**
 * A platform signature on the reported original. It must cover From and Message-ID, and the
 * original must have one of each: DKIM signs the bottom instance of a field, so a second one
 * added above would be read by people and by the message key but vouched for by nobody.
 */
async function platformSignature(
  report: ParsedReport,
  sources: ProofSources,
  now: Date,
): Promise<{ signature: PlatformSignature | null; warnings: string[] }> {
  const bytes = report.originalBytes;
  if (!bytes || !report.original.dkimDomains.some((d) => sources.hasPlatformKey(d))) {
    return { signature: null, warnings: [] };
  }
  const check = await verifiedSignatures(bytes, sources.platformKey, now);
  const warnings = check.skipped ? [`evidence.${check.skipped}`] : [];
  const single = countOf(check.fields, 'from') === 1 && countOf(check.fields, 'message-id') === 1;
  const usable = check.signatures.filter(
    (s) => single && s.signedFields.includes('from') && s.signedFields.includes('message-id'),
  );
  if (check.signatures.length > 0 && usable.length === 0) warnings.push('evidence.signature_too_narrow');
  const best = usable.find((s) => s.bodyVerified) ?? usable[0];
  return { signature: best ?? null, warnings };
}

/** The proofs of each report of one inbound message, in order. */
export async function gatherProofs(
  inbound: InboundFacts,
  reports: readonly ParsedReport[],
  sources: ProofSources,
  now: Date,
): Promise<Array<Proofs & { warnings: string[] }>> {
  const partner = await partnerProof(inbound, sources, now);
  const out: Array<Proofs & { warnings: string[] }> = [];
  for (const report of reports) {
    const platform = await platformSignature(report, sources, now);
    out.push({
      partner: partner.proof,
      platformSignature: platform.signature,
      warnings: [...partner.warnings, ...platform.warnings],
    });
  }
  return out;
}
