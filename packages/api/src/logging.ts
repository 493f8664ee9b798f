/**
 * What the API logs: one line per HTTP request (written by http.ts) and every 5xx with its cause
 * (written by trpc.ts), both carrying the request id. Which logger writes them, and in what
 * format, is the app's choice (apps/server: pino, JSON in production); this package names only
 * the interface, so it needs no logging library and runs wherever the fetch handler runs.
 */

export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  /**
   * A logger with `info` takes the request lines too, one per request at the level its status
   * calls for (levelForStatus); one without it gets only the 5xx causes.
   */
  info?(message: string, fields?: LogFields): void;
}

export type LogLevel = "info" | "warn" | "error";

/** Sent back on every response; a caller's own id is kept when it is a short plain token. */
export const requestIdHeader = "x-request-id";

const callerRequestId = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestIdFor(headers: Headers): string {
  const given = headers.get(requestIdHeader);
  return given !== null && callerRequestId.test(given) ? given : crypto.randomUUID();
}

/** What one request learns on its way through the procedures, for its log lines. */
export interface RequestRecord {
  id: string;
  /** Set once the token is verified. */
  tenantId?: string;
}

/**
 * The level of a request line follows its status: a caller's routine misses (401 no/expired
 * token, 404) are information, other 4xx are worth a look, 5xx are the operator's problem.
 */
export function levelForStatus(status: number): LogLevel {
  if (status >= 500) return "error";
  if (status >= 400 && status !== 401 && status !== 404) return "warn";
  return "info";
}

/** One request, one line: `request` with method, procedure(s), status, duration, tenant, request id. */
export function logRequest(logger: Logger, fields: RequestLine) {
  if (!logger.info) return;
  logger[levelForStatus(fields.status)]?.("request", fields as unknown as LogFields);
}

export interface RequestLine {
  requestId: string;
  method: string;
  /** The procedure path(s) as in the URL, comma-separated for a batch. */
  procedure?: string;
  /** Set instead of `procedure` for a path outside the API. */
  path?: string;
  status: number;
  durationMs: number;
  tenantId?: string;
  /** Why the server refused a request it could not parse (Node's parser error code). */
  reason?: string;
}
