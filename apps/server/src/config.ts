import { devJwtSecret, devSecretKeys, devSecretsKey, parseSecretKeys, type SecretKey, type TokenVerifierOptions } from "@agent-builder/api";

export const logLevels = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevelName = (typeof logLevels)[number];

export interface ServerConfig {
  port: number;
  hostname: string;
  /** Real Postgres when set; embedded PGlite otherwise. */
  databaseUrl?: string;
  auth: TokenVerifierOptions;
  usingDevSecret: boolean;
  /**
   * `SECRETS_KEYS` (or `SECRETS_KEY`): the keyring for secrets at rest, the first key for new
   * writes. Outside production the public dev key when unset; in production unset means tools
   * cannot store secrets (the request says so), and the dev key is refused.
   */
  secretKeys?: SecretKey[];
  usingDevSecretsKey: boolean;
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
  let secretKeys: SecretKey[] | undefined;
  try {
    secretKeys = parseSecretKeys(env);
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const devKey = devSecretKeys()[0]?.key.join(",");
  if (production && secretKeys?.some((k) => k.key.join(",") === devKey)) {
    throw new ConfigError(`NODE_ENV=production refuses the dev secrets key (${devSecretsKey.slice(0, 6)}…): it is public`);
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
    secretKeys: secretKeys ?? (production ? undefined : devSecretKeys()),
    usingDevSecretsKey: !secretKeys && !production,
    allowedOrigins: (env.CORS_ORIGINS ?? "")
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    statementTimeoutMs: Number(env.STATEMENT_TIMEOUT_MS ?? 10_000),
    logLevel,
    production,
  };
}
