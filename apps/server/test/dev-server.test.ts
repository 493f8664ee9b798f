import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, describe, expect, it } from "vitest";

import { createTestDatabase, type TestDatabase, testTargets } from "@agent-builder/db/testing";

const serverDir = fileURLToPath(new URL("..", import.meta.url));

interface DevServer {
  process: ChildProcess;
  output: () => string;
  url: string;
  token: string;
}

/** Starts `pnpm dev`'s entry as a newcomer would, and reads the URL and token it prints. */
async function startDev(env: Record<string, string>): Promise<DevServer> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/dev.ts"], {
    cwd: serverDir,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATABASE_URL: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const ready = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dev server did not start:\n${output}`)), 90_000);
    const check = () => {
      // Up to the banner's last line: each console.log may arrive in its own chunk.
      const match = output.match(/API on (http:\/\/localhost:\d+)\/trpc[\s\S]*Dev token[^\n]*\n(\S+)[\s\S]*\nMore tokens: /);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout!.on("data", check);
    child.on("exit", (code) => reject(new Error(`dev server exited with ${code}:\n${output}`)));
  });
  return { process: child, output: () => output, url: ready[1]!, token: ready[2]! };
}

async function stop(server: DevServer) {
  const exited = new Promise((resolve) => server.process.once("exit", resolve));
  server.process.kill("SIGTERM");
  await exited;
}

async function call(server: DevServer, path: string, input?: unknown) {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await fetch(`${server.url}/trpc/${path}${query}`, { headers: { authorization: `Bearer ${server.token}` } });
  return { status: response.status, body: (await response.json()) as { result: { data: any } } };
}

describe("pnpm dev", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "agent-builder-dev-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("starts on an embedded database, seeds it once, and answers with the printed token", async () => {
    const first = await startDev({ PGLITE_DIR: dataDir });
    try {
      expect(first.output()).toMatch(/seeded demo data: 20 agents/);
      expect(first.output()).toMatch(/curl -s -H "Authorization: Bearer /);
      const health = await call(first, "health");
      expect(health.status).toBe(200);
      expect(health.body.result.data).toMatchObject({ status: "ok", database: { reachable: true } });
      const agents = await call(first, "agents.list", { limit: 50 });
      expect(agents.status).toBe(200);
      expect(agents.body.result.data.items).toHaveLength(12); // acme's demo agents
      expect(agents.body.result.data.items.some((a: { stats: { totalExecutions: number } }) => a.stats.totalExecutions > 0)).toBe(true);
    } finally {
      await stop(first);
    }

    // Second start: same folder, data kept, nothing seeded again.
    const second = await startDev({ PGLITE_DIR: dataDir });
    try {
      expect(second.output()).not.toMatch(/seeded demo data/);
      expect((await call(second, "agents.list", { limit: 50 })).body.result.data.items).toHaveLength(12);
    } finally {
      await stop(second);
    }
  });

  describe.runIf(testTargets().includes("postgres"))("with DATABASE_URL", () => {
    let database: TestDatabase;
    afterAll(() => database?.close());

    it("points the same server at a real Postgres", async () => {
      database = await createTestDatabase("postgres");
      const server = await startDev({ DATABASE_URL: database.url! });
      try {
        expect(server.output()).toMatch(/\(postgres,/);
        expect((await call(server, "usage.tenant")).body.result.data).toMatchObject({ tenantId: "acme", agentCount: 12 });
      } finally {
        await stop(server);
      }
    });
  });
});
