import { serve, type ServerType } from "@hono/node-server";

import { createFetchHandler, createTokenVerifier } from "@agent-builder/api";
import { defaultPgliteDir, openDatabase, type DatabaseHandle } from "@agent-builder/db";

import type { ServerConfig } from "./config";

export interface RunningServer {
  url: string;
  database: DatabaseHandle;
  close(): Promise<void>;
}

/** Opens the database and serves the shared fetch handler on Node. */
export async function startServer(
  config: ServerConfig,
  prepare?: (database: DatabaseHandle) => Promise<void>,
): Promise<RunningServer> {
  const database = await openDatabase({ url: config.databaseUrl, dataDir: defaultPgliteDir });
  await prepare?.(database);
  const handle = createFetchHandler(
    {
      db: database.db,
      verifyToken: createTokenVerifier(config.auth),
      statementTimeoutMs: config.statementTimeoutMs,
      knownCallers: new Set(),
    },
    { allowedOrigins: config.allowedOrigins },
  );
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: handle, port: config.port, hostname: config.hostname }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  return {
    url: `http://localhost:${port}`,
    database,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
    },
  };
}

/** Stops cleanly on Ctrl-C / SIGTERM: PGlite must be closed to flush its files. */
export function closeOnSignal(server: RunningServer) {
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
