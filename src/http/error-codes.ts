/** HTTP status for every stable error code, chosen in one place. */
const STATUS: Record<string, number> = {
  'auth.missing_token': 401,
  'auth.bad_token': 401,
  'auth.forbidden': 403,
  'request.invalid': 400,
  'request.aborted': 400,
  'request.not_found': 404,
  'report.too_large': 413,
  'report.unsupported_type': 415,
  'report.empty': 400,
  'storage.unavailable': 503,
  'queue.unavailable': 503,
  'ip.unknown': 404,
  'tenant.unknown': 404,
  'tenant.exists': 409,
  'domain.taken': 409,
  'ip.already_blocked': 409,
  'ip.not_blocked': 409,
  'delist.limit_reached': 429,
  'delist.manual_block': 409,
  'tenant.already_restricted': 409,
  'tenant.not_restricted': 409,
  'tenant.checks_missing': 400,
  'auth.csrf': 403,
  'delist.rate_limited': 429,
  'mail.unavailable': 503,
  'inbound.unknown': 404,
  'inbound.not_failed': 409,
};

export const statusForCode = (code: string): number => STATUS[code] ?? 500;

/** Codes whose answer tells the client to come back later. */
export const RETRY_AFTER_SECONDS: Record<string, number> = {
  'storage.unavailable': 30,
  'queue.unavailable': 30,
};
