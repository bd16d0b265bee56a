/**
 * Every error Repute raises on purpose carries a stable code. HTTP status, job
 * retry behaviour and what the trust team sees are all chosen from the code.
 */
export class ReputeError extends Error {
  readonly code: string;
  readonly detail?: unknown;
  constructor(code: string, message: string, detail?: unknown) {
    super(message);
    this.name = 'ReputeError';
    this.code = code;
    this.detail = detail;
  }
}

export const isReputeError = (e: unknown): e is ReputeError => e instanceof ReputeError;
