/**
 * 1. CONTEXT        what a request carries: the database, the token verifier, the raw credential.
 * 2. INITIALIZATION tRPC with an error formatter that adds zod field errors to `data`.
 * 3. PROCEDURES     the ladder: public → authenticated → [role check] → one transaction: tenant (under RLS) or staff.
 */
import { initTRPC, type TRPC_ERROR_CODE_KEY, type TRPCDefaultErrorData, type TRPCDefaultErrorShape } from "@trpc/server";
import { ZodError, z } from "zod";

import type { UserRole } from "@agent-builder/contracts";
import { type Database, type Tx, withStaff, withTenant } from "@agent-builder/db";

import { type Caller, InvalidTokenError, type TokenVerifier } from "./auth";
import { ensureCallerMirror, isKnownCaller, rememberCaller } from "./caller-mirror";
import { Forbidden, Unauthorized } from "./domain-errors";
import { toApiError } from "./errors";
import { type Logger, type RequestRecord, requestIdFor } from "./logging";
import type { Keyring } from "./secrets";

// ---------------------------------------------------------------------------------------------
// 1. CONTEXT
// ---------------------------------------------------------------------------------------------

/** Long-lived dependencies, created once per process (or per edge request). */
export interface ApiDeps {
  db: Database;
  verifyToken: TokenVerifier;
  /** Per-request statement timeout; default 10 s. */
  statementTimeoutMs?: number;
  /** Request lines and 5xx causes (logging.ts); without one, 5xx causes go to the console. */
  logger?: Logger;
  /** (tenant, user) pairs whose mirror rows are known to exist; skips the upsert round trip. */
  knownCallers?: Set<string>;
  /**
   * Seals and opens secrets at rest (secrets.ts: `SECRETS_KEYS`). Without one, writing a secret
   * is refused (PRECONDITION_FAILED); everything else works.
   */
  secrets?: Keyring;
}

export interface Context {
  deps: ApiDeps;
  /** The `Authorization` header as received, or null. */
  authorization: string | null;
  /** The request id, and the tenant once known: what this request's log lines carry. */
  request: RequestRecord;
}

export function createContext(deps: ApiDeps, headers: Headers, request: RequestRecord = { id: requestIdFor(headers) }): Context {
  return { deps, authorization: headers.get("authorization"), request };
}

// ---------------------------------------------------------------------------------------------
// 2. INITIALIZATION
// ---------------------------------------------------------------------------------------------

/** Field errors of a BAD_REQUEST, as `z.flattenError` gives them. */
export interface FieldErrors {
  formErrors: string[];
  fieldErrors: Record<string, string[] | undefined>;
}

/** What every error response carries. Spelled out so clients' types need no zod. */
export type ApiErrorShape = TRPCDefaultErrorShape & {
  data: TRPCDefaultErrorData & { zodError: FieldErrors | null };
};

const t = initTRPC.context<Context>().create({
  // Never send stack traces, whatever the runtime (the edge VM has no NODE_ENV and would default to dev).
  isDev: false,
  errorFormatter({ shape, error }): ApiErrorShape {
    const zodError = error.code === "BAD_REQUEST" && error.cause instanceof ZodError ? error.cause : null;
    const fieldErrors: FieldErrors | null = zodError ? z.flattenError(zodError) : null;
    return { ...shape, data: { ...shape.data, stack: undefined, zodError: fieldErrors } };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

// ---------------------------------------------------------------------------------------------
// 3. PROCEDURES
// ---------------------------------------------------------------------------------------------

/** Every procedure: unexpected failures mapped to safe API errors, 5xx logged with their cause. */
const errorMapping = t.middleware(async ({ ctx, next, path, type }) => {
  const result = await next();
  if (result.ok) return result;
  const mapped = toApiError(result.error);
  if (isServerError(mapped.code)) {
    (ctx.deps.logger ?? console).error(`${type} ${path} failed: ${mapped.code}`, {
      requestId: ctx.request.id,
      tenantId: ctx.request.tenantId,
      procedure: path,
      code: mapped.code,
      cause: describe(mapped.cause),
      stack: mapped.cause instanceof Error ? mapped.cause.stack : undefined,
    });
  }
  if (mapped === result.error) return result;
  throw mapped;
});

export const publicProcedure = t.procedure.use(errorMapping);

/** Verified caller on `ctx.caller`. Tenant and user come from the token, never from input. */
export const authenticatedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const token = /^Bearer\s+(\S+)$/i.exec(ctx.authorization ?? "")?.[1];
  if (!token) throw new Unauthorized("missing bearer token (Authorization: Bearer <JWT>)");
  let caller: Caller;
  try {
    caller = await ctx.deps.verifyToken(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw new Unauthorized(error.message);
    throw error;
  }
  ctx.request.tenantId = caller.tenantId;
  return next({ ctx: { caller } });
});

type AuthenticatedProcedure = typeof authenticatedProcedure;

/**
 * Only callers with one of `roles` go on. Checked from the token alone, BEFORE a transaction is
 * opened: a refused caller costs no database round trip and writes no mirror row.
 */
function requireRole(roles: readonly UserRole[], message: string): AuthenticatedProcedure {
  return authenticatedProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.caller.role)) throw new Forbidden(message);
    return next();
  });
}

/** Thrown inside the transaction to roll it back when the procedure returned an error. */
const rollback = Symbol("rollback");

/**
 * Runs the rest of the procedure inside the transaction `open` provides and rolls it back when
 * the procedure fails (tRPC hands middlewares an error *result*, not an exception).
 */
async function inTransaction<R extends { ok: boolean }>(
  open: (work: (tx: Tx) => Promise<void>) => Promise<void>,
  run: (tx: Tx) => Promise<R>,
): Promise<R> {
  let result: R | undefined;
  try {
    await open(async (tx) => {
      result = await run(tx);
      if (!result.ok) throw rollback;
    });
  } catch (error) {
    if (error !== rollback) throw error;
  }
  if (result === undefined) throw new Error("the transaction closed without running the procedure");
  return result;
}

/**
 * The request is ONE transaction, as the app role, with the caller's tenant set; `ctx.tx` is
 * the only database handle procedures get. The caller's mirror rows are written in it the first
 * time (caller-mirror.ts). Any error rolls everything back.
 */
function inTenantTransaction(procedure: AuthenticatedProcedure) {
  return procedure.use(async ({ ctx, next }) => {
    const { deps, caller } = ctx;
    const known = isKnownCaller(deps.knownCallers, caller);
    const result = await inTransaction(
      (work) =>
        withTenant(
          deps.db,
          caller.tenantId,
          async (tx) => {
            if (!known) await ensureCallerMirror(tx, caller);
            await work(tx);
          },
          { statementTimeoutMs: deps.statementTimeoutMs },
        ),
      (tx) => next({ ctx: { tx } }),
    );
    // Only after commit: a rolled-back first request must not mark its mirror rows as present.
    if (result.ok && !known) rememberCaller(deps.knownCallers, caller);
    return result;
  });
}

/**
 * One transaction as the staff role, which reads every tenant. Cross-tenant by design; every
 * mutation below it writes the audit log in the same transaction.
 */
function inStaffTransaction(procedure: AuthenticatedProcedure) {
  return procedure.use(({ ctx, next }) =>
    inTransaction(
      (work) => withStaff(ctx.deps.db, work, { statementTimeoutMs: ctx.deps.statementTimeoutMs }),
      (tx) => next({ ctx: { tx } }),
    ),
  );
}

/** Any verified caller, in their tenant's transaction. */
export const tenantProcedure = inTenantTransaction(authenticatedProcedure);

/** Directory writes come from the platform's sync jobs, not from end users: service or admin tokens. */
export const serviceProcedure = inTenantTransaction(requireRole(["service", "admin"], "this procedure needs a service or admin token"));

/** Staff only (`role: admin`), in the staff transaction. */
export const adminProcedure = inStaffTransaction(requireRole(["admin"], "admin procedures need an admin token"));

function isServerError(code: TRPC_ERROR_CODE_KEY) {
  return ["INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "BAD_GATEWAY", "GATEWAY_TIMEOUT", "TIMEOUT"].includes(code);
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.cause ? ` (cause: ${describe(error.cause)})` : ""}`;
  return String(error);
}
