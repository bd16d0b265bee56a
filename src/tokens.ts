import { createHash, randomBytes } from 'node:crypto';
import type { Sql } from './db/client.ts';

export const ROLES = ['partner', 'service', 'viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const hashToken = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** Creates a token (256 random bits); only its hash is stored, the token is returned once. */
export async function createToken(sql: Sql, role: Role, name: string): Promise<string> {
  const token = `rpt_${randomBytes(32).toString('base64url')}`;
  await sql`insert into api_tokens (name, role, token_hash) values (${name}, ${role}, ${hashToken(token)})`;
  return token;
}

export interface TokenOwner {
  id: number;
  name: string;
  role: Role;
}

export async function findToken(sql: Sql, token: string): Promise<TokenOwner | null> {
  const [row] = await sql<TokenOwner[]>`
    select id, name, role from api_tokens where token_hash = ${hashToken(token)} and revoked_at is null`;
  return row ?? null;
}

export interface TokenListing extends TokenOwner {
  createdAt: Date;
  revokedAt: Date | null;
}

export async function listTokens(sql: Sql): Promise<TokenListing[]> {
  return sql<TokenListing[]>`
    select id, name, role, created_at as "createdAt", revoked_at as "revokedAt" from api_tokens order by id`;
}

/**
 * Revokes a token by its id. Requests with it fail at once in processes that have not
 * seen it, and within the authentication cache's 10 s in those that have.
 */
export async function revokeToken(sql: Sql, id: number): Promise<boolean> {
  const rows = await sql`update api_tokens set revoked_at = now() where id = ${id} and revoked_at is null`;
  return rows.count > 0;
}
