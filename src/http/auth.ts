import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Sql } from '../db/client.ts';
import { ReputeError } from '../errors.ts';
import { findToken, type Role, type TokenOwner } from '../tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: TokenOwner;
  }
}

/** Who may do what; admin may do everything. */
export const CAN_READ: Role[] = ['viewer', 'analyst', 'admin'];
export const CAN_ACT: Role[] = ['analyst', 'admin'];

const CACHE_MS = 10_000;
const CACHE_MAX = 10_000;

/**
 * Bearer-token authentication with a short in-process cache: a token check per request
 * would be a Postgres round trip on every MTA check. A revoked token stops working
 * within CACHE_MS. While Postgres is unreachable, a token seen before stays as it was.
 */
export function tokenAuthenticator(sql: Sql) {
  const cache = new Map<string, { owner: TokenOwner | null; until: number }>();
  return async (token: string): Promise<TokenOwner | null> => {
    const now = Date.now();
    const hit = cache.get(token);
    if (hit && hit.until > now) return hit.owner;
    let owner: TokenOwner | null;
    try {
      owner = await findToken(sql, token);
    } catch (err) {
      // Stale beats down: an MTA's check keeps working through a Postgres outage.
      if (hit) return hit.owner;
      throw new ReputeError('storage.unavailable', 'Token store is unavailable; try again shortly.', err);
    }
    if (cache.size >= CACHE_MAX && !hit) cache.clear();
    cache.set(token, { owner, until: now + CACHE_MS });
    return owner;
  };
}

export type Authenticator = ReturnType<typeof tokenAuthenticator>;

/** An onRequest hook: runs before the body is read, so a bad token never costs an upload. */
export function requireRole(authenticate: Authenticator, roles: Role[]) {
  const allowed = new Set<Role>([...roles, 'admin']);
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match)
      throw new ReputeError('auth.missing_token', 'Send an API token as "Authorization: Bearer <token>".');
    const owner = await authenticate(match[1]!);
    if (!owner) throw new ReputeError('auth.bad_token', 'This API token is not valid.');
    if (!allowed.has(owner.role)) {
      throw new ReputeError('auth.forbidden', `A ${owner.role} token cannot do this.`);
    }
    req.principal = owner;
  };
}
