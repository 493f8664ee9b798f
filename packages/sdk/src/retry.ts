import type { Operation } from "@trpc/client";

import { type ApiError, HttpStatusError, httpStatusOf } from "./errors";

export interface RetryOptions {
  /** Attempts after the first; default 3. 0 disables retries. */
  retries?: number;
  /** Delay before attempt n (1-based); default exponential 200 ms · 2^(n-1) with jitter, capped at 5 s. */
  delayMs?: (attempt: number) => number;
}

const transientStatuses = new Set([502, 503, 504]);

/**
 * Queries are safe to repeat, so they retry on network errors and 502/503/504. Mutations
 * retry only when they carry an idempotency key: repeating one without a key could create a
 * second execution. `executions.record` carries one per run: it retries when every run has one.
 */
export function shouldRetry(op: Operation, error: ApiError, attempts: number, retries: number): boolean {
  if (attempts > retries) return false;
  if (op.type === "mutation" && !hasIdempotencyKey(op.input)) return false;
  const status = httpStatusOf(error);
  return status === undefined ? isNetworkError(error) : transientStatuses.has(status);
}

function hasIdempotencyKey(input: unknown): boolean {
  if (typeof input !== "object" || input === null) return false;
  const { idempotencyKey, runs } = input as { idempotencyKey?: unknown; runs?: unknown };
  if (typeof idempotencyKey === "string") return true;
  return Array.isArray(runs) && runs.length > 0 && runs.every(hasIdempotencyKey);
}

/** No response at all: fetch itself threw (connection refused, reset, DNS, offline). */
function isNetworkError(error: ApiError): boolean {
  const cause = error.cause;
  return error.data === undefined && cause instanceof Error && !(cause instanceof HttpStatusError) && !(cause instanceof SyntaxError);
}

export function defaultDelayMs(attempt: number): number {
  const base = Math.min(200 * 2 ** (attempt - 1), 5_000);
  return base / 2 + Math.random() * (base / 2);
}
