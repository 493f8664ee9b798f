import { type SQL, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";

import type * as schema from "./schema";
import type { Tx } from "./tenant-scope";

export type Schema = typeof schema;
/** Any Drizzle Postgres database over our schema: node-postgres, PGlite or Neon. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseHandle {
  db: Database;
  driver: "postgres" | "pglite" | "neon";
  /** Applies pending migrations (up only), then syncs the shipped model prices (prices/sync.ts). */
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

/** The one row of a query that always returns one (an aggregate, `select now()`); no row is a bug. */
export async function queryRow<T>(db: Pick<Database, "execute">, query: SQL): Promise<T> {
  const [row] = await queryRows<T>(db, query);
  if (row === undefined) throw new Error("expected one row, the query returned none");
  return row;
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

/** Transaction-local settings (`set_config(name, value, true)`), applied as a transaction opens. */
export type ScopeSettings = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * A database whose transactions can open with their settings in the same round trip as BEGIN
 * (node-postgres and Neon; see `releasingTransactions`). `withTenant` and `withStaff` use it when
 * present and fall back to BEGIN, then a parameterised `set_config` statement (PGlite).
 */
export interface ScopedTransactions {
  scopedTransaction<T>(settings: ScopeSettings, work: (tx: Tx) => Promise<T>): Promise<T>;
}

export function hasScopedTransactions(db: Database): db is Database & ScopedTransactions {
  return typeof (db as Partial<ScopedTransactions>).scopedTransaction === "function";
}

/**
 * Values that may be written into the opening statement as literals: tenant ids (the token
 * contract allows letters, digits and `_ . : -`), role names, timeouts. Anything else takes the
 * parameterised path, so no value ever needs escaping.
 */
const plainSetting = /^[A-Za-z0-9_.:-]*$/;

export function isPlainSetting(value: string): boolean {
  return plainSetting.test(value);
}

interface CheckedOutClient {
  release(): void;
  query(text: string): Promise<unknown>;
}

/**
 * Transactions on a client we check out and release ourselves. Drizzle 0.45's pool transaction
 * (node-postgres and neon-serverless alike) sends BEGIN before its try/finally: when the
 * connection dies between check-out and BEGIN (a database restart), that client is never
 * released and the pool shrinks for good; `pool.end()` then hangs. Here the release is in a
 * finally that covers BEGIN too; the pool drops clients that are no longer queryable.
 *
 * `scopedTransaction` also opens the transaction and sets its scope in ONE round trip
 * (`begin; select set_config(…), …` as one simple-protocol query, values checked by
 * `isPlainSetting`), then runs `work` on the client's Drizzle instance inside that transaction
 * block: every request saves a round trip (about 0.2 ms of Node CPU per execution in the
 * ingestion benchmark, and a network round trip per request on Neon). The logger sees the
 * opening, COMMIT and ROLLBACK as Drizzle's own transactions show them.
 */
export function releasingTransactions<Client extends CheckedOutClient, Db extends Database>(
  db: Db,
  checkOut: () => Promise<Client>,
  bind: (client: Client) => Database,
  logger?: QueryLogger,
): Db & ScopedTransactions {
  const bound = new WeakMap<Client, Database>();
  const boundTo = (client: Client) => {
    let clientDb = bound.get(client);
    if (!clientDb) bound.set(client, (clientDb = bind(client)));
    return clientDb;
  };
  const send = async (client: Client, text: string) => {
    logger?.logQuery(text, []);
    await client.query(text);
  };

  const transaction: Database["transaction"] = async (work, config) => {
    const client = await checkOut();
    try {
      return await boundTo(client).transaction(work, config);
    } finally {
      client.release();
    }
  };

  const scopedTransaction = async <T>(settings: ScopeSettings, work: (tx: Tx) => Promise<T>): Promise<T> => {
    for (const [name, value] of settings) {
      if (!isPlainSetting(name) || !isPlainSetting(value)) throw new Error(`setting ${name} is not a plain value`);
    }
    const client = await checkOut();
    try {
      await send(client, `begin; select ${settings.map(([name, value]) => `set_config('${name}', '${value}', true)`).join(", ")}`);
      let result: T;
      try {
        // The client's Drizzle instance, inside the transaction block just opened: everything
        // a procedure does with a transaction handle (queries, relational queries) it does here.
        result = await work(boundTo(client) as unknown as Tx);
      } catch (error) {
        // A dead connection cannot roll back (the server already has); the work's error is the one to report.
        await send(client, "rollback").catch(() => {});
        throw error;
      }
      await send(client, "commit");
      return result;
    } finally {
      client.release();
    }
  };

  return Object.assign(db, { transaction, scopedTransaction });
}
