import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";

import { logRequest, type RequestLine, type RequestRecord, requestIdFor, requestIdHeader } from "./logging";
import { appRouter } from "./root";
import { type ApiDeps, createContext } from "./trpc";

export interface HttpOptions {
  /** Largest request body accepted; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Origins allowed to call from a browser (CORS); default none. `*` allows any. */
  allowedOrigins?: string[];
  /** Path the API is served under; `/trpc` by default (Vercel functions use `/api/trpc`). */
  endpoint?: string;
}

export const trpcEndpoint = "/trpc";

/**
 * The one fetch handler every runtime serves: the Node server, the edge function and tests
 * all call it with a standard `Request`. Every response carries `x-request-id`; with
 * `deps.logger`, every request is one log line (see logging.ts).
 */
export function createFetchHandler(deps: ApiDeps, options: HttpOptions = {}) {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const allowedOrigins = options.allowedOrigins ?? [];
  const endpoint = options.endpoint ?? trpcEndpoint;
  const logger = deps.logger;

  async function answer(request: Request, url: URL, record: RequestRecord, cors: Record<string, string>): Promise<Response> {
    if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: cors });
    if (url.pathname !== endpoint && !url.pathname.startsWith(`${endpoint}/`)) {
      return json(404, { error: { message: `not found: the API is served under ${endpoint}` } }, cors);
    }

    const limited = await limitBody(request, maxBodyBytes);
    if (!limited) {
      return json(413, { error: { message: `request body is larger than ${maxBodyBytes} bytes`, code: "PAYLOAD_TOO_LARGE" } }, cors);
    }

    const response = await fetchRequestHandler({
      endpoint,
      req: limited,
      router: appRouter,
      // Queries may come as POST too: the SDK sends those whose input would make a too-long URL so.
      allowMethodOverride: true,
      createContext: () => createContext(deps, limited.headers, record),
    });
    for (const [key, value] of Object.entries(cors)) response.headers.set(key, value);
    return response;
  }

  return async function handle(request: Request): Promise<Response> {
    const started = performance.now();
    const record: RequestRecord = { id: requestIdFor(request.headers) };
    const url = new URL(request.url);
    let status = 500;
    try {
      const response = await answer(request, url, record, corsHeaders(request.headers.get("origin"), allowedOrigins));
      response.headers.set(requestIdHeader, record.id);
      status = response.status;
      return response;
    } catch (error) {
      // Past tRPC (which answers its own errors): reading the body failed, say. The runtime answers 500.
      logger?.error("request failed", {
        requestId: record.id,
        cause: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw error;
    } finally {
      if (logger) logRequest(logger, requestLine(request.method, url, endpoint, status, started, record));
    }
  };
}

function requestLine(method: string, url: URL, endpoint: string, status: number, started: number, record: RequestRecord): RequestLine {
  const inApi = url.pathname.startsWith(`${endpoint}/`);
  // Bounded: a path is the caller's text, and a batch can name many procedures.
  const where = (inApi ? url.pathname.slice(endpoint.length + 1) : url.pathname).slice(0, 200);
  return {
    requestId: record.id,
    method,
    ...(inApi ? { procedure: where } : { path: where }),
    status,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    tenantId: record.tenantId,
  };
}

/**
 * An error body shaped as tRPC's own (`error.code` the JSON-RPC number, `error.data.code` the
 * tRPC code), for answers made outside tRPC, such as the Node server's 431 for an oversized URL:
 * the SDK and other tRPC clients read it like any API error.
 */
export function apiErrorBody(code: TRPC_ERROR_CODE_KEY, message: string, httpStatus: number) {
  return { error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus, zodError: null } } };
}

/**
 * The request when its body is within the limit, null when it is larger.
 *
 * A declared Content-Length bounds the body: the HTTP parsers we run behind (Node's, Vercel's)
 * frame the body by it, so such a request passes through untouched. That keeps @hono/node-server's
 * fast body path (it reads the socket directly, without building a web stream and a second
 * Request, which cost about a fifth of a small request's CPU in the ingestion benchmark).
 * A body without Content-Length (chunked) is read here, counting bytes, and refused as soon as it
 * passes the limit.
 */
async function limitBody(request: Request, maxBytes: number): Promise<Request | null> {
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared)) return Number(declared) > maxBytes ? null : request;
  if (!request.body) return request;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new Request(request.url, { method: request.method, headers: request.headers, body, signal: request.signal });
}

function corsHeaders(origin: string | null, allowed: string[]): Record<string, string> {
  if (!origin || !(allowed.includes("*") || allowed.includes(origin))) return {};
  return {
    "access-control-allow-origin": allowed.includes("*") ? "*" : origin,
    "access-control-allow-methods": "GET, POST, OPTIONS",
    "access-control-allow-headers": "authorization, content-type, trpc-accept, x-trpc-source",
    "access-control-max-age": "600",
    vary: "origin",
  };
}

function json(status: number, body: unknown, headers: Record<string, string>) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}
