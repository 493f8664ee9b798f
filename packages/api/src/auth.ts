import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, errors as joseErrors, jwtVerify, SignJWT } from "jose";

import { type TokenClaims, tokenClaimsSchema, type UserRole } from "@agent-builder/contracts";

/** Printed by `pnpm dev`; refused when NODE_ENV=production. */
export const devJwtSecret = "agent-builder-dev-secret-do-not-use-in-production";

export interface Caller {
  userId: string;
  tenantId: string;
  role: UserRole;
}

/** Verifies a bearer token and returns the caller, or throws `InvalidTokenError` saying why. */
export type TokenVerifier = (token: string) => Promise<Caller>;

export class InvalidTokenError extends Error {}

export interface TokenVerifierOptions {
  /** HS256 shared secret (local use, tests, internal services). */
  secret?: string;
  /** JWKS URL of the identity provider (production; RS256/ES256/EdDSA keys). */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /**
   * How long a verified token's caller is remembered (keyed by the whole token, signature
   * included, and never past its `exp`); 0 turns it off. Default 60 s.
   */
  verifiedCacheMs?: number;
}

/** Most tokens remembered at once; the oldest is forgotten first. */
const verifiedCacheSize = 10_000;

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  // The HS256 secret is imported into a CryptoKey once: handing jose the raw bytes makes it
  // import the key again on every request (about a fifth of a request's CPU in the ingestion
  // benchmark, docs/performance.md).
  const key: Promise<HmacKey> | JWTVerifyGetKey = options.jwksUrl
    ? createRemoteJWKSet(new URL(options.jwksUrl))
    : importHmacKey(requireSecret(options.secret));
  // Pinning the algorithms rejects `alg: none` and algorithm-confusion tokens.
  const algorithms = options.jwksUrl ? ["RS256", "ES256", "EdDSA"] : ["HS256"];

  // A client sends the same token with every request until it expires. Remembering the
  // verdict for a short while skips the signature check on repeat requests (the ingestion
  // benchmark's hot path); only tokens that passed every check are remembered, under the full
  // token string, so a changed signature or claim is a different key and is verified afresh.
  const cacheMs = options.verifiedCacheMs ?? 60_000;
  const verified = new Map<string, { caller: Caller; until: number }>();

  return async (token) => {
    const remembered = verified.get(token);
    if (remembered && Date.now() < remembered.until) return remembered.caller;
    if (remembered) verified.delete(token);

    let payload: JWTPayload;
    try {
      const checks = { algorithms, issuer: options.issuer, audience: options.audience, requiredClaims: ["exp"] };
      ({ payload } = typeof key === "function" ? await jwtVerify(token, key, checks) : await jwtVerify(token, await key, checks));
    } catch (error) {
      throw new InvalidTokenError(describeJoseError(error));
    }
    const claims = tokenClaimsSchema.safeParse(payload);
    if (!claims.success) {
      const fields = claims.error.issues.map((i) => i.path.join(".")).join(", ");
      throw new InvalidTokenError(`token claims are missing or invalid: ${fields}`);
    }
    const caller: Caller = { userId: claims.data.sub, tenantId: claims.data.tid, role: claims.data.role };
    // `exp` is a required claim (checks above); a token without one is never remembered.
    if (cacheMs > 0 && payload.exp !== undefined) {
      if (verified.size >= verifiedCacheSize) {
        const [oldest] = verified.keys();
        if (oldest !== undefined) verified.delete(oldest);
      }
      verified.set(token, { caller, until: Math.min(payload.exp * 1000, Date.now() + cacheMs) });
    }
    return caller;
  };
}

type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

function importHmacKey(secret: string): Promise<HmacKey> {
  const imported = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  imported.catch(() => {}); // surfaced by the first verification that awaits it
  return imported;
}

function requireSecret(secret: string | undefined): string {
  if (!secret || secret.length < 32) throw new Error("AUTH_JWT_SECRET must be at least 32 characters");
  return secret;
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "token expired";
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `token claim "${error.claim}" is invalid`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "token signature is invalid";
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return "token algorithm is not allowed";
  if (error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JWSInvalid) return "token is malformed";
  return "token could not be verified";
}

/** Mints an HS256 token: the `pnpm -s dev:token` command, `pnpm dev` and tests use it. */
export async function mintToken(
  secret: string,
  claims: TokenClaims,
  options: { expiresIn?: string | number; issuer?: string; audience?: string } = {},
): Promise<string> {
  let jwt = new SignJWT({ tid: claims.tid, role: claims.role })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "12h");
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
