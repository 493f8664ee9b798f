import { maxHeaderSize, type Server } from "node:http";
import type { Duplex } from "node:stream";

import { createAdaptorServer } from "@hono/node-server";

import { apiErrorBody, createFetchHandler, createKeyring, createTokenVerifier, logRequest, requestIdHeader } from "@agent-builder/api";
import { type DatabaseHandle, defaultPgliteDir, openDatabase } from "@agent-builder/db";

import { ConfigError, type ServerConfig } from "./config";
import type { ServerLogger } from "./logger";
import { listenOn, PortUnavailableError } from "./port";

export interface RunningServer {
  url: string;
  database: DatabaseHandle;
  close(): Promise<void>;
}

export interface StartOptions {
  /** What the person typed to start it (`pnpm dev`): advice in messages can then be pasted back. */
  command: string;
  logger: ServerLogger;
  /** Runs on the opened database before requests are served (migrate, seed). */
  prepare?: (database: DatabaseHandle) => Promise<void>;
}

/**
 * Binds the port first, so a busy one is reported at once rather than after the database was
 * opened and seeded; until the database is ready, requests get 503 "starting". Then serves the
 * shared fetch handler on Node.
 */
export async function startServer(config: ServerConfig, { command, logger, prepare }: StartOptions): Promise<RunningServer> {
  let handle: (request: Request) => Response | Promise<Response> = () =>
    jsonResponse(503, apiErrorBody("SERVICE_UNAVAILABLE", "the API is starting; try again in a moment", 503), { "retry-after": "1" });
  const server = createAdaptorServer({ fetch: (request) => handle(request), hostname: config.hostname }) as Server;
  answerUnparsableRequests(server, logger);
  const port = await listenOn(server, config.port, config.hostname, command);

  let database: DatabaseHandle | undefined;
  try {
    database = await openDatabase({ url: config.databaseUrl, dataDir: defaultPgliteDir });
    await prepare?.(database);
  } catch (error) {
    await closeHttp(server);
    await database?.close();
    throw error;
  }
  handle = createFetchHandler(
    {
      db: database.db,
      verifyToken: createTokenVerifier(config.auth),
      statementTimeoutMs: config.statementTimeoutMs,
      knownCallers: new Set(),
      logger,
      secrets: config.secretKeys && createKeyring(config.secretKeys),
    },
    { allowedOrigins: config.allowedOrigins },
  );
  const opened = database;
  return {
    url: `http://localhost:${port}`,
    database: opened,
    close: async () => {
      await closeHttp(server);
      await opened.close();
    },
  };
}

/** Waits for requests in flight (5 s at most); keep-alive connections with nothing in flight close at once. */
function closeHttp(server: Server) {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), 5_000);
  return closed.finally(() => clearTimeout(force));
}

/**
 * Requests Node's HTTP parser refuses never reach the fetch handler; by default Node answers
 * them with an empty body and destroys the socket at once, which resets the connection if the
 * client is still sending. Here they get the API's JSON error, the connection is closed once the
 * client is done sending (a lingering close), and the refusal is one request line in the log.
 * The usual one: a URL over Node's header limit (16 kB), a query with a large input sent as GET.
 */
function answerUnparsableRequests(server: Server, logger: ServerLogger) {
  const answered = new WeakSet<Duplex>();
  server.on("clientError", (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
    // The parser stays failed and reports again for every further chunk: answer once.
    if (answered.has(socket)) return;
    answered.add(socket);
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent ?? false;
    if (error.code === "ECONNRESET" || !socket.writable || inFlight) {
      socket.destroy();
      return;
    }
    const [status, reason, message] = refusal(error.code);
    const requestId = crypto.randomUUID();
    const body = JSON.stringify(apiErrorBody(status === 408 ? "TIMEOUT" : "BAD_REQUEST", message, status));
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `${requestIdHeader}: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
    );
    // Read and drop what the client still sends: closing with unread data would reset the
    // connection, and the client could lose the answer. Bounded in time.
    socket.resume();
    setTimeout(() => socket.destroy(), 5_000).unref();
    const start = /^([A-Z]{3,10}) ([^\s?]{0,200})/.exec(error.rawPacket?.toString("latin1", 0, 256) ?? "");
    logRequest(logger, { requestId, method: start?.[1] ?? "?", path: start?.[2], status, durationMs: 0, reason: error.code });
  });
}

function refusal(code: string | undefined): [number, string, string] {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return [
        431,
        "Request Header Fields Too Large",
        `the URL and headers are larger than this server accepts (${maxHeaderSize} bytes). ` +
          "Send a query with a large input as POST /trpc/<procedure> with the input as the JSON body " +
          '(the SDK does so by itself; a tRPC client: httpBatchLink\'s methodOverride: "POST")',
      ];
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return [408, "Request Timeout", "the request was not received in time"];
    default:
      return [400, "Bad Request", "malformed HTTP request"];
  }
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/**
 * Ctrl-C / SIGTERM: close the HTTP server and the database (PGlite must be closed to flush its
 * files), then exit 0: stopping on request is not a failure. Installed before start-up, so an
 * early Ctrl-C waits for the database to be handed back and closes it too. One Ctrl-C can arrive
 * twice (the terminal signals the whole process group and pnpm passes its own on): one stop.
 */
export function stopOnSignal(logger: ServerLogger) {
  let running: RunningServer | undefined;
  let signal: NodeJS.Signals | undefined;
  const stop = async (server: RunningServer) => {
    logger.info(`stopping (${signal}): finishing requests in flight, closing the database`);
    setTimeout(() => {
      logger.error("did not stop within 10 s; exiting anyway");
      process.exit(1);
    }, 10_000).unref();
    await server.close();
    logger.info("stopped");
    process.exit(0);
  };
  const onSignal = (received: NodeJS.Signals) => {
    if (signal) return;
    signal = received;
    if (running) void stop(running);
    else logger.info(`${received} received: stopping once start-up has finished`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    serving(server: RunningServer) {
      running = server;
      if (signal) void stop(server);
    },
  };
}

/** A start-up problem a person can fix (busy port, bad setting) is a message and exit 1, not a stack trace. */
export function exitOnStartupProblem(error: unknown): never {
  if (error instanceof PortUnavailableError || error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
