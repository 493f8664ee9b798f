/**
 * Starting and stopping the server as a person does: `pnpm dev` in a terminal and Ctrl-C, and
 * a PORT that something else already holds.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, describe, expect, it } from "vitest";

const repoDir = fileURLToPath(new URL("../../..", import.meta.url));
const serverDir = fileURLToPath(new URL("..", import.meta.url));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

describe("pnpm dev in a terminal", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "agent-builder-ctrl-c-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("stops on Ctrl-C with exit code 0 and no failure report from pnpm", async () => {
    // Its own process group, as a terminal's foreground job: Ctrl-C signals every process in it
    // (pnpm and the server alike), which is what made pnpm report a failure before.
    const child = spawn("pnpm", ["dev"], {
      cwd: repoDir,
      detached: true,
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATABASE_URL: "", PGLITE_DIR: dataDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const exit = new Promise<Exit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal, output })));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`pnpm dev did not start:\n${output}`)), 90_000);
        child.stdout!.on("data", () => {
          if (/More tokens: [^\n]*\n/.test(output)) {
            clearTimeout(timer);
            resolve();
          }
        });
        void exit.then(({ code }) => reject(new Error(`pnpm dev exited with ${code}:\n${output}`)));
      });
      const url = /API on (http:\/\/localhost:\d+)\/trpc/.exec(output)![1]!;
      expect((await fetch(`${url.replace("localhost", "127.0.0.1")}/trpc/health`)).status).toBe(200);

      process.kill(-child.pid!, "SIGINT");
      const stopped = await exit;
      expect(stopped.output).not.toMatch(/ERR_PNPM|ELIFECYCLE|Command failed/);
      expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: 0, signal: null });
      expect(stopped.output).toMatch(/stopping \(SIGINT\)[^\n]*\n[^\n]*stopped\n/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
    }
  });
});

describe("start-up", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "agent-builder-starting-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("holds the port from the first moment: while the database is prepared, requests get 503 starting", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const child = spawn(process.execPath, ["--import", "tsx", "src/dev.ts"], {
      cwd: serverDir,
      env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: "", PGLITE_DIR: dataDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      // The first answer on the port; a fresh embedded database takes seconds to create and seed.
      let first: { status: number; body: unknown; bannerPrinted: boolean } | undefined;
      while (!first) {
        const response = await fetch(`http://127.0.0.1:${port}/trpc/health`).catch(() => undefined);
        if (response) first = { status: response.status, body: await response.json(), bannerPrinted: /More tokens:/.test(output) };
        else await new Promise((resolve) => setTimeout(resolve, 20));
        if (child.exitCode !== null) throw new Error(`dev server exited:\n${output}`);
      }
      expect(first.bannerPrinted).toBe(false);
      expect(first.status).toBe(503);
      expect(first.body).toMatchObject({
        error: { message: "the API is starting; try again in a moment", data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 } },
      });
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
  });
});

describe("a PORT that is already taken", () => {
  let holder: Server;
  let port: number;
  const scratch = mkdtempSync(join(tmpdir(), "agent-builder-busy-port-"));
  afterAll(async () => {
    await new Promise((resolve) => holder?.close(resolve));
    rmSync(scratch, { recursive: true, force: true });
  });

  async function start(entry: "src/dev.ts" | "src/node.ts", dataDir: string): Promise<Exit> {
    holder ??= await new Promise<Server>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => resolve(s));
    });
    port = (holder.address() as { port: number }).port;
    const child = spawn(process.execPath, ["--import", "tsx", entry], {
      cwd: serverDir,
      env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: "", PGLITE_DIR: dataDir, NODE_ENV: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal, output })));
  }

  it.each([
    ["src/dev.ts", "pnpm dev"],
    ["src/node.ts", "pnpm start"],
  ] as const)("%s names the holder and a free PORT, before opening the database", async (entry, command) => {
    const dataDir = join(scratch, entry.replace(/\W/g, "-"));
    const { code, output } = await start(entry, dataDir);
    expect(code).toBe(1);
    // This test process holds the port; ss (Linux) or lsof tells its pid and command line.
    expect(output).toContain(`Port ${port} is already in use by pid ${process.pid} (`);
    const suggested = new RegExp(`^Stop that process, or start on another port: PORT=(\\d+) ${command}$`, "m").exec(output);
    expect(suggested, output).not.toBeNull();
    expect(Number(suggested![1])).not.toBe(port);
    expect(output).not.toMatch(/^\s+at /m);
    expect(output).not.toMatch(/seeded|EADDRINUSE/);
    // Refused before the database: the PGlite folder was never created.
    expect(existsSync(dataDir)).toBe(false);
  });
});
