import { devJwtSecret, type TokenVerifierOptions } from "@agent-builder/api";

export interface ServerConfig {
  port: number;
  hostname: string;
  /** Real Postgres when set; embedded PGlite otherwise. */
  databaseUrl?: string;
  auth: TokenVerifierOptions;
  usingDevSecret: boolean;
  allowedOrigins: string[];
  statementTimeoutMs: number;
}

/** Reads the environment once. Production refuses to start on the public dev secret. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const production = env.NODE_ENV === "production";
  const jwksUrl = env.AUTH_JWKS_URL || undefined;
  const secret = env.AUTH_JWT_SECRET || undefined;
  if (production && !jwksUrl && !secret) {
    throw new Error("NODE_ENV=production needs AUTH_JWKS_URL or AUTH_JWT_SECRET; the dev secret is public");
  }
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  return {
    port,
    hostname: env.HOST ?? "0.0.0.0",
    databaseUrl: env.DATABASE_URL || undefined,
    auth: {
      secret: jwksUrl ? undefined : (secret ?? devJwtSecret),
      jwksUrl,
      issuer: env.AUTH_ISSUER || undefined,
      audience: env.AUTH_AUDIENCE || undefined,
    },
    usingDevSecret: !jwksUrl && !secret,
    allowedOrigins: (env.CORS_ORIGINS ?? "").split(",").map((o) => o.trim()).filter(Boolean),
    statementTimeoutMs: Number(env.STATEMENT_TIMEOUT_MS ?? 10_000),
  };
}
