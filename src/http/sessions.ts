import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Sql } from '../db/client.ts';
import { ReputeError } from '../errors.ts';
import type { Role, TokenOwner } from '../tokens.ts';

/**
 * Review-desk sessions: an opaque random id in an HttpOnly, SameSite=Strict cookie, the
 * session itself in Redis under the id's hash, with a fixed lifetime (no sliding), so a
 * stolen Redis dump holds no usable cookie. Each session carries its own CSRF token
 * (synchroniser token) that every form posts back.
 */
export interface Session {
  tokenId: number;
  name: string;
  role: Role;
  csrf: string;
  createdAt: string;
}

const newSecret = () => randomBytes(32).toString('base64url');

export function sessionStore(redis: Redis, prefix: string, ttlSeconds: number) {
  const key = (id: string) => `${prefix}:session:${createHash('sha256').update(id).digest('hex')}`;
  const unavailable = (err: unknown) =>
    new ReputeError('storage.unavailable', 'Sessions are unavailable; try again shortly.', err);
  return {
    ttlSeconds,
    async create(owner: TokenOwner): Promise<{ id: string; session: Session }> {
      const id = newSecret();
      const session: Session = {
        tokenId: owner.id,
        name: owner.name,
        role: owner.role,
        csrf: newSecret(),
        createdAt: new Date().toISOString(),
      };
      await redis.set(key(id), JSON.stringify(session), 'EX', ttlSeconds).catch((err) => {
        throw unavailable(err);
      });
      return { id, session };
    },
    async get(id: string): Promise<Session | null> {
      const raw = await redis.get(key(id)).catch((err) => {
        throw unavailable(err);
      });
      if (!raw) return null;
      try {
        return JSON.parse(raw) as Session;
      } catch {
        return null;
      }
    },
    async destroy(id: string): Promise<void> {
      await redis.del(key(id)).catch(() => {});
    },
  };
}

export type SessionStore = ReturnType<typeof sessionStore>;

/** The token behind a session, as it is now: a revoked token ends its sessions at once. */
export async function currentOwner(sql: Sql, tokenId: number): Promise<TokenOwner | null> {
  const [row] = await sql<TokenOwner[]>`
    select id, name, role from api_tokens where id = ${tokenId} and revoked_at is null`;
  return row ?? null;
}

export function sameSecret(a: unknown, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const newCsrfSecret = newSecret;
