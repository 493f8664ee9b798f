/**
 * The API as an edge function (Vercel's edge runtime): the same fetch handler as the Node
 * server, over Neon's driver. Per isolate: the configuration, the token verifier and the
 * known-callers cache. Per request: the database pool, which edge runtimes do not let outlive
 * the request that opened its WebSockets.
 */
import { createFetchHandler, createKeyring, createTokenVerifier, type Keyring, type TokenVerifier } from "@agent-builder/api";
import { connectNeonEdge, useLocalNeonProxy } from "@agent-builder/db/edge";

import { loadConfig, type ServerConfig } from "./config";
import { createLogger, type ServerLogger } from "./logger";

/** Where Vercel serves api/trpc/[trpc].ts. */
export const edgeEndpoint = "/api/trpc";

/**
 * Connections per request. Each procedure is one transaction on its own connection, and a
 * batched request runs its procedures in parallel; one procedure opens one.
 */
const edgePoolMax = 4;

export type EdgeEnv = Record<string, string | undefined>;

export interface EdgeConfig extends ServerConfig {
  databaseUrl: string;
  /** "host:port" of a WebSocket-to-TCP proxy for a Postgres that is not on Neon (local runs, tests). */
  neonWsProxy?: string;
}

/** The Node server's rules, stricter: a database URL is required and the public dev secret is refused. */
export function loadEdgeConfig(env: EdgeEnv): EdgeConfig {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is required: an edge function has no embedded database");
  const config = loadConfig({ ...env, NODE_ENV: "production" });
  return { ...config, databaseUrl: env.DATABASE_URL, neonWsProxy: env.NEON_WS_PROXY || undefined };
}

/** Vercel provides `process.env` on edge; the emulator has no `process` unless a test injects one. */
export function edgeEnv(): EdgeEnv {
  return (globalThis as { process?: { env?: EdgeEnv } }).process?.env ?? {};
}

interface Isolate {
  env: string;
  config: EdgeConfig;
  verifyToken: TokenVerifier;
  secrets?: Keyring;
  knownCallers: Set<string>;
  logger: ServerLogger;
}

let isolate: Isolate | undefined;

/** Built on the first request and again only if the environment changed (JWKS keys stay cached). */
function isolateFor(env: EdgeEnv): Isolate {
  const key = JSON.stringify(env, Object.keys(env).sort());
  if (isolate?.env === key) return isolate;
  const config = loadEdgeConfig(env);
  if (config.neonWsProxy) useLocalNeonProxy(config.neonWsProxy);
  isolate = {
    env: key,
    config,
    verifyToken: createTokenVerifier(config.auth),
    secrets: config.secretKeys && createKeyring(config.secretKeys),
    knownCallers: new Set(),
    // pino's browser build here: JSON lines through console, what the function logs show.
    logger: createLogger({ level: config.logLevel, format: "json" }),
  };
  return isolate;
}

export async function handleEdgeRequest(request: Request, env: EdgeEnv, waitUntil: (promise: Promise<unknown>) => void): Promise<Response> {
  let state: Isolate;
  try {
    state = isolateFor(env);
  } catch (error) {
    // The deployer reads the reason in the function logs; callers learn only that it is not them.
    console.error(`edge function configuration: ${error instanceof Error ? error.message : String(error)}`);
    return new Response(JSON.stringify({ error: { message: "the API is not configured; see the function logs" } }), {
      status: 500,
      headers: { "content-type": "application/json" },
    });
  }
  const { config } = state;
  const database = connectNeonEdge({ url: config.databaseUrl, max: edgePoolMax });
  try {
    const handle = createFetchHandler(
      {
        db: database.db,
        verifyToken: state.verifyToken,
        statementTimeoutMs: config.statementTimeoutMs,
        knownCallers: state.knownCallers,
        logger: state.logger,
        secrets: state.secrets,
      },
      { endpoint: edgeEndpoint, allowedOrigins: config.allowedOrigins },
    );
    const response = await handle(request);
    // The pool ends with this request, so the body must be complete first: a streamed (jsonl)
    // batch would still be running procedures. Buffered, it stays correct, only not incremental.
    return response.body ? new Response(await response.arrayBuffer(), response) : response;
  } finally {
    waitUntil(database.close());
  }
}
