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
