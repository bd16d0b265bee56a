import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type { Database } from './client.ts';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

/**
 * Applies pending migrations under a session advisory lock, so several processes
 * starting together (`repute start` on every node) do not race each other.
 */
export async function runMigrations(database: Database): Promise<{ applied: number; total: number }> {
  const conn = await database.sql.reserve();
  // drizzle's own bookkeeping (schema "drizzle"), counted so that `start` can say what it did.
  const count = async () => {
    const [table] = await conn<
      { t: string | null }[]
    >`select to_regclass('drizzle.__drizzle_migrations')::text as t`;
    if (!table?.t) return 0;
    const [row] = await conn<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    return row?.n ?? 0;
  };
  try {
    await conn`select pg_advisory_lock(hashtext('repute.migrations'))`;
    const before = await count();
    await migrate(database.db, { migrationsFolder: MIGRATIONS_FOLDER });
    const total = await count();
    return { applied: total - before, total };
  } finally {
    await conn`select pg_advisory_unlock(hashtext('repute.migrations'))`.catch(() => {});
    conn.release();
  }
}
