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
  constructor(readonly status: number, statusText: string) {
    super(`HTTP ${status}${statusText ? ` ${statusText}` : ""} without an API error body`);
    this.name = "HttpStatusError";
  }
}

/** HTTP status of the failed call, when a response arrived at all. */
export function httpStatusOf(error: ApiError): number | undefined {
  if (error.data?.httpStatus) return error.data.httpStatus;
  return error.cause instanceof HttpStatusError ? error.cause.status : undefined;
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
