/**
 * The API as sibling apps meet it: the real Node entry (apps/server/src/node.ts) in its own
 * process, listening on a free port, on a fresh test database. Used by end-to-end tests.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { mintToken } from "@agent-builder/api";
import type { TokenClaims } from "@agent-builder/contracts";
import { createTestDatabase, type TestDatabase, type TestTarget } from "@agent-builder/db/testing";

const serverDir = fileURLToPath(new URL("../../apps/server", import.meta.url));
export const e2eSecret = "end-to-end-secret-that-is-long-enough!!";

export interface RunningApi {
  /** tRPC endpoint, e.g. http://localhost:41234/trpc */
  url: string;
  token(claims: TokenClaims): Promise<string>;
  /** The server's process id (it holds the embedded database folder) and everything it printed. */
  pid: number;
  output(): string;
  close(): Promise<void>;
}

export interface ApiServerOptions {
  /** Run the `pnpm dev` entry instead: migrates and loads the demo data (2 tenants, 20 agents, ~500 executions). */
  seed?: boolean;
  /** Extra environment for the server (e.g. CORS_ORIGINS). */
  env?: Record<string, string>;
  /** PGlite: this data folder (kept after close) instead of a throwaway one. */
  dataDir?: string;
}

/** PGlite: a throwaway data folder the server migrates itself. Postgres: a fresh copy of the migrated template. */
export async function startApiServer(target: Exclude<TestTarget, "neon"> = "pglite", options: ApiServerOptions = {}): Promise<RunningApi> {
  let database: TestDatabase | undefined;
  let dataDir: string | undefined;
  const env: Record<string, string> = { PORT: "0", HOST: "127.0.0.1", AUTH_JWT_SECRET: e2eSecret, DATABASE_URL: "", ...options.env };
  if (target === "postgres") {
    // Its pool stays idle (no connection is opened until a query); close() drops the database.
    database = await createTestDatabase("postgres");
    env.DATABASE_URL = database.url!;
  } else {
    env.PGLITE_DIR = options.dataDir ?? (dataDir = mkdtempSync(join(tmpdir(), "agent-builder-e2e-")));
  }

  const child = spawn(process.execPath, ["--import", "tsx", options.seed ? "src/dev.ts" : "src/node.ts"], {
    cwd: serverDir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API server did not start:\n${output}`)), 60_000);
    child.stdout.on("data", () => {
      const match = /API on (http:\/\/localhost:\d+\/trpc)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`API server exited with ${code}:\n${output}`)));
  });

  return {
    url,
    token: (claims) => mintToken(e2eSecret, claims),
    pid: child.pid!,
    output: () => output,
    close: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      await database?.close();
    },
  };
}
