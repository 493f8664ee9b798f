/**
 * What services say when a request cannot be done, in the domain's words. Services throw these
 * and never a transport error; the error-mapping middleware (trpc.ts, through errors.ts) turns
 * each into its tRPC code once, so the domain does not depend on the transport.
 */

export abstract class DomainError extends Error {
  abstract readonly kind: "not_found" | "conflict" | "precondition_failed" | "forbidden" | "bad_request" | "unauthorized";
}

/** Missing, or another tenant's: the two look the same to a caller (no existence oracle). */
export class NotFound extends DomainError {
  readonly kind = "not_found";
  /** `new NotFound("agent", id)` → "agent <id> not found"; or a whole message. */
  constructor(what: string, id?: string) {
    super(id === undefined ? what : `${what} ${id} not found`);
    this.name = "NotFound";
  }
}

/** The record changed under the caller (version, state), or a unique value is taken. */
export class Conflict extends DomainError {
  readonly kind = "conflict";
  override name = "Conflict";
}

/** The record is in a state that does not allow this (a paused agent cannot run). */
export class PreconditionFailed extends DomainError {
  readonly kind = "precondition_failed";
  override name = "PreconditionFailed";
}

/** The caller is known but may not do this (role). */
export class Forbidden extends DomainError {
  readonly kind = "forbidden";
  override name = "Forbidden";
}

/** The input is well-formed but does not make sense (two filters that exclude each other, a bad cursor). */
export class BadRequest extends DomainError {
  readonly kind = "bad_request";
  override name = "BadRequest";
}

/** The caller's identity does not hold (a token whose subject is not a user of its tenant). */
export class Unauthorized extends DomainError {
  readonly kind = "unauthorized";
  override name = "Unauthorized";
}
