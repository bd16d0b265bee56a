/** HTTP status for every stable error code, chosen in one place. */
const STATUS: Record<string, number> = {
  'auth.missing_token': 401,
  'auth.bad_token': 401,
  'auth.forbidden': 403,
  'request.invalid': 400,
  'request.not_found': 404,
  'report.too_large': 413,
  'report.unsupported_type': 415,
  'report.empty': 400,
  'storage.unavailable': 503,
  'queue.unavailable': 503,
  'ip.unknown': 404,
  'tenant.unknown': 404,
};

export const statusForCode = (code: string): number => STATUS[code] ?? 500;

/** Codes whose answer tells the client to come back later. */
export const RETRY_AFTER_SECONDS: Record<string, number> = {
  'storage.unavailable': 30,
  'queue.unavailable': 30,
};
