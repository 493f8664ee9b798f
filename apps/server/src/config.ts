import { devJwtSecret, type TokenVerifierOptions } from "@agent-builder/api";

export const logLevels = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevelName = (typeof logLevels)[number];

export interface ServerConfig {
  port: number;
  hostname: string;
  /** Real Postgres when set; embedded PGlite otherwise. */
  databaseUrl?: string;
  auth: TokenVerifierOptions;
  usingDevSecret: boolean;
  allowedOrigins: string[];
  statementTimeoutMs: number;
  /** `LOG_LEVEL`: trace, debug, info (default), warn, error, fatal or silent. */
  logLevel: LogLevelName;
  /** `NODE_ENV=production`: JSON log lines; otherwise one readable line each. */
  production: boolean;
}

/** A setting that cannot work; its message says which and why. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads the environment once. Production refuses to start on the public dev secret. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const production = env.NODE_ENV === "production";
  const jwksUrl = env.AUTH_JWKS_URL || undefined;
  const secret = env.AUTH_JWT_SECRET || undefined;
  if (production && !jwksUrl && !secret) {
    throw new ConfigError("NODE_ENV=production needs AUTH_JWKS_URL or AUTH_JWT_SECRET; the dev secret is public");
  }
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, got ${env.PORT}`);
  const logLevel = (env.LOG_LEVEL || "info").toLowerCase() as LogLevelName;
  if (!logLevels.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${logLevels.join(", ")}, got ${env.LOG_LEVEL}`);
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
    allowedOrigins: (env.CORS_ORIGINS ?? "")
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    statementTimeoutMs: Number(env.STATEMENT_TIMEOUT_MS ?? 10_000),
    logLevel,
    production,
  };
}
