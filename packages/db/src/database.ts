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

/**
 * Transactions on a client we check out and release ourselves. Drizzle 0.45's pool transaction
 * (node-postgres and neon-serverless alike) sends BEGIN before its try/finally: when the
 * connection dies between check-out and BEGIN (a database restart), that client is never
 * released and the pool shrinks for good; `pool.end()` then hangs. Here the release is in a
 * finally that covers BEGIN too; the pool drops clients that are no longer queryable.
 */
export function releasingTransactions<Client extends { release(): void }, Db extends Database>(
  db: Db,
  checkOut: () => Promise<Client>,
  bind: (client: Client) => Database,
): Db {
  const bound = new WeakMap<Client, Database>();
  const transaction: Database["transaction"] = async (work, config) => {
    const client = await checkOut();
    try {
      let clientDb = bound.get(client);
      if (!clientDb) bound.set(client, (clientDb = bind(client)));
      return await clientDb.transaction(work, config);
    } finally {
      client.release();
    }
  };
  return Object.assign(db, { transaction });
}
