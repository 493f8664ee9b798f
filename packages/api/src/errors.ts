import { type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";
import { ZodError } from "zod";

import { constraintMessage } from "./constraint-messages";
import { DomainError, NotFound } from "./domain-errors";

/**
 * The one place where failures become API errors: services' domain errors (domain-errors.ts)
 * get their tRPC code, and database failures a safe, meaningful one (a violated constraint the
 * message its domain declared, constraint-messages.ts). A 5xx never carries SQL, constraint
 * text or a stack: the client gets a fixed message, the log gets the original.
 */

interface PgErrorLike {
  code: string;
  constraint?: string;
  message: string;
  detail?: string;
}

const domainCodes: Record<DomainError["kind"], TRPC_ERROR_CODE_KEY> = {
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  precondition_failed: "PRECONDITION_FAILED",
  forbidden: "FORBIDDEN",
  bad_request: "BAD_REQUEST",
  unauthorized: "UNAUTHORIZED",
};

/** Custom SQLSTATE raised by the execution status trigger (migration 0002_triggers). */
export const illegalTransitionSqlState = "AB409";
/**
 * Custom SQLSTATEs of triggers whose message is written for the caller (migration 0012: a cycle
 * in the agent hierarchy or in task context, a crew run's child runs): the message is the answer.
 */
export const rejectedInputSqlState = "AB400";
export const preconditionSqlState = "AB412";

export function findPgError(error: unknown): PgErrorLike | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current === "object" && "code" in current && typeof current.code === "string" && /^[0-9A-Z]{5}$/.test(current.code)) {
      return current as PgErrorLike;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isConnectionFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === "string" && ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND"].includes(code)) return true;
    if (
      typeof message === "string" &&
      /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
        message,
      )
    )
      return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Maps a procedure's failure to a safe, meaningful TRPCError; tRPC's own 4xx errors (an unknown procedure, say) pass through. */
export function toApiError(error: TRPCError): TRPCError {
  // A service's domain error (tRPC wraps what a procedure throws in an INTERNAL_SERVER_ERROR).
  if (error.cause instanceof DomainError) {
    return new TRPCError({ code: domainCodes[error.cause.kind], message: error.cause.message, cause: error.cause });
  }
  if (error.cause instanceof ZodError && error.code === "BAD_REQUEST") {
    return new TRPCError({ code: "BAD_REQUEST", message: summarizeZodError(error.cause), cause: error.cause });
  }
  if (error.code !== "INTERNAL_SERVER_ERROR") return error;
  const cause = error.cause;
  const pg = findPgError(cause);
  if (pg) {
    const mapped = fromPgError(pg);
    if (mapped) return new TRPCError({ ...mapped, cause });
  }
  if (isConnectionFailure(cause)) {
    return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "database unavailable, retry shortly", cause });
  }
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "internal server error", cause });
}

function fromPgError(pg: PgErrorLike): Pick<TRPCError, "code" | "message"> | null {
  const constraint = pg.constraint ?? "";
  switch (pg.code) {
    case illegalTransitionSqlState:
      return { code: "CONFLICT", message: pg.message };
    case rejectedInputSqlState:
      return { code: "BAD_REQUEST", message: pg.message };
    case preconditionSqlState:
      return { code: "PRECONDITION_FAILED", message: pg.message };
    case "23505": // unique_violation
      return { code: "CONFLICT", message: constraintMessage("unique", constraint) ?? "already exists" };
    case "23503": // foreign_key_violation: a reference to nothing, or a delete of what is still referenced
      if (pg.detail?.includes("is still referenced")) {
        return { code: "CONFLICT", message: constraintMessage("stillReferenced", constraint) ?? "still in use by other records" };
      }
      return { code: "NOT_FOUND", message: constraintMessage("missingReference", constraint) ?? "a referenced record was not found" };
    case "23514": // check_violation
    case "23502": // not_null_violation
      return { code: "BAD_REQUEST", message: `value rejected by rule ${constraint || "(unnamed)"}` };
    case "42501": // insufficient_privilege, including row-level security WITH CHECK
      return { code: "FORBIDDEN", message: "not allowed" };
    case "40001": // serialization_failure
    case "40P01": // deadlock_detected
      return { code: "CONFLICT", message: "concurrent update, retry the request" };
    case "57014": // query_canceled (statement_timeout)
      return { code: "TIMEOUT", message: "the query took too long and was cancelled" };
    case "55P03": // lock_not_available
      return { code: "CONFLICT", message: "the record is locked by another request, retry" };
  }
  if (pg.code.startsWith("22")) return { code: "BAD_REQUEST", message: "invalid value" }; // data exceptions
  if (pg.code.startsWith("08") || pg.code.startsWith("53") || pg.code.startsWith("57P")) {
    return { code: "SERVICE_UNAVAILABLE", message: "database unavailable, retry shortly" };
  }
  return null;
}

/** Shorthand for the NotFound every tenant-scoped lookup gives for missing and foreign ids alike. */
export function notFound(what: string, id: string): NotFound {
  return new NotFound(what, id);
}

/** "invalid input: name: Too big: expected string to have <=255 characters; spaceId: Invalid UUID" */
function summarizeZodError(error: ZodError): string {
  const issues = error.issues.slice(0, 5).map((i) => `${i.path.length ? `${i.path.join(".")}: ` : ""}${i.message}`);
  const more = error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : "";
  return `invalid input: ${issues.join("; ")}${more}`;
}
