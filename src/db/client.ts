import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema>;
/** The raw postgres-js client, for hot set-based SQL (score upserts) on the same pool. */
export type Sql = postgres.Sql;
/** Anything that runs a query: the pool or a transaction on it. */
export type Queryable = postgres.Sql | postgres.TransactionSql;

export interface Database {
  db: Db;
  sql: Sql;
  close(): Promise<void>;
}

export function connectDatabase(url: string, options: { max?: number } = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connect_timeout: 5,
    // int8 (ids, counts) come back as numbers: they stay far below 2^53.
    types: {
      bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
    },
    transform: { undefined: null },
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
