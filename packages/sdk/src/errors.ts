import { TRPCClientError } from "@trpc/client";

import type { ApiErrorCode, AppRouter } from "./types";

export { TRPCClientError };
export type ApiError = TRPCClientError<AppRouter>;

/**
 * True when `error` came from the API (optionally: with this code), so callers can branch:
 * `if (isApiError(error, "CONFLICT")) reloadAndRetry()`. Field errors of a BAD_REQUEST are on
 * `error.data.zodError.fieldErrors`.
 */
export function isApiError(error: unknown, code?: ApiErrorCode): error is ApiError {
  if (!(error instanceof TRPCClientError)) return false;
  return code === undefined || apiErrorCode(error) === code;
}

/** The tRPC code of an API error ("NOT_FOUND", ...), or undefined for anything else. */
export function apiErrorCode(error: unknown): ApiErrorCode | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  return (error as ApiError).data?.code;
}

/**
 * A response that is an HTTP error but not the API's JSON (a gateway's 502/503/504 page, say).
 * tRPC's client would only report the JSON parse failure; the SDK's fetch wrapper throws this
 * instead, so the status survives as the `cause` of the TRPCClientError.
 */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    statusText: string,
  ) {
    super(`HTTP ${status}${statusText ? ` ${statusText}` : ""} without an API error body`);
    this.name = "HttpStatusError";
  }
}

/** HTTP status of the failed call, when a response arrived at all. */
export function httpStatusOf(error: ApiError): number | undefined {
  if (error.data?.httpStatus) return error.data.httpStatus;
  if (error.cause instanceof HttpStatusError) return error.cause.status;
  // A JSON body that is not the API's (another service's 404 JSON, say): tRPC keeps the response.
  return (error.meta?.response as Response | undefined)?.status;
}

/**
 * Why a call got no answer from the API, when that is why it failed: nothing reachable at the
 * URL (fetch threw: connection refused, unknown host, reset; `code` is the system's, e.g.
 * "ECONNREFUSED"), or something else answered there (a wrong path or port: a 404 page, a
 * gateway). Undefined when the API itself answered (its error is on `error.data`) or for any
 * other error.
 */
export type ConnectionProblem = { kind: "unreachable"; code?: string } | { kind: "not-the-api"; status: number };

export function connectionProblem(error: unknown): ConnectionProblem | undefined {
  if (!isApiError(error) || error.data) return undefined;
  const status = httpStatusOf(error);
  if (status !== undefined) return { kind: "not-the-api", status };
  // fetch's TypeError("fetch failed") carries the system error as its cause.
  const code = (error.cause?.cause as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? { kind: "unreachable", code } : { kind: "unreachable" };
}

/**
 * One line for a person when a call failed: the API's own error (`CODE: message`), or where the
 * client looked and what it found there. Undefined for anything else (a bug: let its stack show).
 */
export function describeFailure(error: unknown, url: string): string | undefined {
  if (isApiError(error) && error.data) return `${error.data.code}: ${error.message}`;
  const problem = connectionProblem(error);
  if (!problem) return undefined;
  if (problem.kind === "not-the-api") return `${url} answered HTTP ${problem.status}, not as the Agent Builder API`;
  return `cannot reach the Agent Builder API at ${url}${problem.code ? ` (${problem.code})` : ""}`;
}

/** Wraps fetch so HTTP errors without a JSON body keep their status (see HttpStatusError). */
export function preservingStatus(fetchImpl: () => typeof globalThis.fetch): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await fetchImpl()(input, init);
    const json = response.headers.get("content-type")?.includes("json") ?? false;
    if (!response.ok && !json) throw new HttpStatusError(response.status, response.statusText);
    return response;
  };
}
