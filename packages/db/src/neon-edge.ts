/**
 * Neon's serverless driver: node-postgres over a WebSocket, so it runs where raw TCP does not
 * (edge functions). This is the part the edge bundle includes: no Node built-ins and no
 * migrator (migrations read SQL files and are a deploy step; `connectNeon` in neon.ts adds them).
 */
import { neonConfig, Pool, type PoolClient } from "@neondatabase/serverless";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";

import { type QueryLogger, queryTimeoutMs, releasingTransactions } from "./database";
import * as schema from "./schema";

export interface NeonOptions {
  /** Postgres connection string (Neon's, or any Postgres behind a WebSocket proxy). */
  url: string;
  /** Pool size; default 10. */
  max?: number;
  logger?: QueryLogger;
  /** Connect timeout, which is also the longest wait for a free pool connection; default 5 s. */
  connectionTimeoutMs?: number;
}

/** A Neon pool and its database, without `migrate`: all an edge request needs. */
export interface NeonEdgeHandle {
  db: NeonDatabase<typeof schema>;
  driver: "neon";
  /** Ends the pool: on edge, within the request that created it (`waitUntil`). */
  close(): Promise<void>;
}

/**
 * Uses `Pool`, not the HTTP driver: every API request is one interactive transaction
 * (set_config, then the procedure's queries), which neon-http cannot do.
 */
export function connectNeonEdge({ url, max, logger, connectionTimeoutMs }: NeonOptions): NeonEdgeHandle {
  const pool = new Pool({
    connectionString: url,
    max: max ?? 10,
    // Fail fast when the database is unreachable instead of queueing forever.
    connectionTimeoutMillis: connectionTimeoutMs ?? 5_000,
    // Client-side bound on a query, for a connection that dies silently mid-query (no FIN, no
    // RST): the server's statement_timeout cannot fire for a query it never sees finish.
    query_timeout: queryTimeoutMs,
  });
  // An idle client losing its connection must not become an unhandled error, nor may a
  // checked-out one (same pg-pool behaviour as connectPostgres in client.ts): the query in
  // flight still fails and is mapped to SERVICE_UNAVAILABLE.
  pool.on("error", () => {});
  pool.on("connect", (client: PoolClient) => client.on("error", () => {}));
  const db = releasingTransactions(
    drizzle({ client: pool, schema, logger }),
    () => pool.connect(),
    (client) => drizzle({ client, schema, logger }),
    logger,
  );
  return { db, driver: "neon", close: () => pool.end() };
}

export type WebSocketConstructor = NonNullable<typeof neonConfig.webSocketConstructor>;

/**
 * Sends the driver through a WebSocket-to-TCP proxy at `proxy` ("host:port") instead of Neon's,
 * for a Postgres that is not on Neon (local runs, tests; `startNeonProxy` in neon-proxy.ts is
 * one). Neon itself needs none of this. It sets the driver's process-wide `neonConfig`:
 * - plain `ws://` and no TLS inside it: the proxy is local;
 * - no pipelined start-up: it sends a cleartext password up front, which trust and SCRAM
 *   authentication reject;
 * - `webSocket`: Node 20 has no global WebSocket (pass `ws`); edge runtimes have one.
 */
export function useLocalNeonProxy(proxy: string, webSocket?: WebSocketConstructor): void {
  neonConfig.wsProxy = (host, port) => `${proxy}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
  if (webSocket) neonConfig.webSocketConstructor = webSocket;
}
