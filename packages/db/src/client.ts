import { mkdirSync, rmSync } from "node:fs";

import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";

import { type DatabaseHandle, type QueryLogger, queryTimeoutMs, releasingTransactions } from "./database";
import { migrationsFolder } from "./paths";
import { type FolderLock, lockDatabaseFolder } from "./pglite-lock";
import { syncShippedPrices } from "./prices/sync";
import * as schema from "./schema";

export interface PostgresOptions {
  url: string;
  /** Pool size; defaults to PG_POOL_MAX or 10. */
  max?: number;
  logger?: QueryLogger;
  /** Connect timeout, which is also the longest wait for a free pool connection; default PG_CONNECT_TIMEOUT_MS or 5 s. */
  connectionTimeoutMs?: number;
}

export function connectPostgres({ url, max, logger, connectionTimeoutMs }: PostgresOptions): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: max ?? Number(process.env.PG_POOL_MAX ?? 10),
    // Fail fast when the server is unreachable instead of queueing forever. pg-pool applies the
    // same bound to waiting for a free connection: under a burst larger than the pool, requests
    // that wait longer get SERVICE_UNAVAILABLE (back-pressure) rather than piling up.
    connectionTimeoutMillis: connectionTimeoutMs ?? Number(process.env.PG_CONNECT_TIMEOUT_MS ?? 5_000),
    // Client-side bound on a query whose connection died silently (see neon-edge.ts).
    query_timeout: queryTimeoutMs,
  });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on("error", () => {});
  // Nor may a checked-out one: pg-pool removes its listener while a request holds the client, and
  // an 'error' event without a listener is an uncaught exception (the process exits). The query
  // in flight still fails with that error, and release() drops the dead client from the pool.
  pool.on("connect", (client) => client.on("error", () => {}));
  const db = releasingTransactions(
    drizzleNodePg(pool, { schema, logger }),
    () => pool.connect(),
    (client) => drizzleNodePg(client, { schema, logger }),
    logger,
  );
  return {
    db,
    driver: "postgres",
    migrate: async () => {
      await migrateNodePg(db, { migrationsFolder });
      await syncShippedPrices(db);
    },
    close: () => pool.end(),
  };
}

export interface PgliteOptions {
  /** Folder that keeps the data between runs; in memory when left out. */
  dataDir?: string;
  /** A `dumpDataDir()` tarball to start from (about 1 s instead of a 4–7 s initdb). */
  loadDataDir?: Blob | File;
  logger?: QueryLogger;
  /** Start `dataDir` empty: its contents are removed once the folder is locked (`pnpm db:reset`). */
  fresh?: boolean;
}

/**
 * PGlite in memory, or in `dataDir`. A folder is locked for this process first (PGlite is
 * single-process; see pglite-lock.ts): a second process gets DatabaseFolderLockedError at once.
 */
export async function openPglite(options: PgliteOptions = {}): Promise<DatabaseHandle & { client: PGlite }> {
  let lock: FolderLock | undefined;
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    lock = lockDatabaseFolder(options.dataDir);
    if (options.fresh) {
      rmSync(options.dataDir, { recursive: true, force: true });
      mkdirSync(options.dataDir);
    }
  }
  let client: PGlite;
  try {
    client = await PGlite.create({ dataDir: options.dataDir, loadDataDir: options.loadDataDir });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzlePglite(client, { schema, logger: options.logger });
  return {
    db,
    client,
    driver: "pglite",
    migrate: async () => {
      await migratePglite(db, { migrationsFolder });
      await syncShippedPrices(db);
    },
    // A PGlite that loaded a dump keeps the process alive until it is closed. The folder is
    // released only after PGlite has flushed and closed its files.
    close: async () => {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

/** `DATABASE_URL` set: that Postgres. Otherwise the embedded PGlite in `dataDir`. */
export async function openDatabase(options: { url?: string; dataDir?: string; fresh?: boolean }): Promise<DatabaseHandle> {
  if (options.url) return connectPostgres({ url: options.url });
  return openPglite({ dataDir: options.dataDir, fresh: options.fresh });
}
