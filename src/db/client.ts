import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema>;
/** The raw postgres-js client, for hot set-based SQL (score upserts, report inserts). */
export type Sql = postgres.Sql;
/** Anything that runs a query: the pool or a transaction on it. */
export type Queryable = postgres.Sql | postgres.TransactionSql;

export interface Database {
  db: Db;
  sql: Sql;
  close(): Promise<void>;
}

const clientOptions = (max: number): postgres.Options<Record<string, postgres.PostgresType>> => ({
  max,
  onnotice: () => {},
  connect_timeout: 5,
  // int8 (ids, counts) come back as numbers: they stay far below 2^53.
  types: {
    bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
  },
  transform: { undefined: null },
});

/**
 * Two pools on one database: drizzle (schema, migrations, the admin writes) makes the
 * date serializers of its client pass-through, which breaks Date parameters and
 * results of raw queries, so the raw SQL of the hot path has a client of its own.
 */
export function connectDatabase(url: string, options: { max?: number } = {}): Database {
  const sql = postgres(url, clientOptions(options.max ?? 10));
  const drizzleClient = postgres(url, clientOptions(3));
  const db = drizzle(drizzleClient, { schema });
  return {
    db,
    sql,
    close: async () => {
      await Promise.all([sql.end({ timeout: 5 }), drizzleClient.end({ timeout: 5 })]);
    },
  };
}
