import { sql, type SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

import type * as schema from "./schema";

export type Schema = typeof schema;
/** Any Drizzle Postgres database over our schema: node-postgres, PGlite or Neon. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseHandle {
  db: Database;
  driver: "postgres" | "pglite" | "neon";
  /** Applies pending migrations (up only). */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** Sees every statement Drizzle sends (tests count round trips with it). */
export interface QueryLogger {
  logQuery(query: string, params: unknown[]): void;
}

/**
 * Rows of a raw SQL query. node-postgres, PGlite and Neon all answer `execute` with `{ rows }`;
 * Drizzle's common type cannot say so, hence this one cast.
 */
export async function queryRows<T>(db: Pick<Database, "execute">, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * A JSON value as a jsonb parameter. Drizzle's jsonb column turns a JS `null` into SQL NULL;
 * callers' payloads may legitimately be the JSON value `null`, so payload columns use this.
 */
export function jsonb(value: unknown): SQL {
  return sql`${JSON.stringify(value)}::jsonb`;
}

/**
 * Client-side bound on one query, for a connection that dies silently mid-query (no FIN, no
 * RST): the server's statement_timeout cannot answer for a query whose connection is gone.
 * Comfortably above the per-request statement timeout (10 s by default), which fires first.
 */
export const queryTimeoutMs = 30_000;
