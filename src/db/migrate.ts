import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type { Database } from './client.ts';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Applies pending migrations under a session advisory lock, so several processes
 * starting together (`repute start` on every node) do not race each other.
 */
export async function runMigrations(database: Database): Promise<void> {
  const conn = await database.sql.reserve();
  try {
    await conn`select pg_advisory_lock(hashtext('repute.migrations'))`;
    await migrate(database.db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await conn`select pg_advisory_unlock(hashtext('repute.migrations'))`.catch(() => {});
    conn.release();
  }
}
