/**
 * What the server says after start-up: one log line per request (JSON in production), the
 * request id on every response, 5xx with their cause, LOG_LEVEL, and a readable answer to a
 * URL too long for Node's parser. Real HTTP throughout: the production entry in its own process,
 * or the fetch handler on @hono/node-server with the server's own logger writing to a buffer.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { type ServerType, serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createFetchHandler, createTokenVerifier, mintToken } from "@agent-builder/api";
import { createTestDatabase, type TestDatabase } from "@agent-builder/db/testing";

import { createLogger, type LoggerOptions } from "../src/logger";

const serverDir = fileURLToPath(new URL("..", import.meta.url));
const secret = "request-log-secret-that-is-long-enough!!";

interface LogLine {
  level: string;
  time: string;
  msg: string;
  [field: string]: unknown;
}

interface ServerProcess {
  child: ChildProcess;
  base: string;
  /** stdout, parsed: every line must be JSON. */
  lines(): LogLine[];
  output(): string;
  close(): Promise<void>;
}

/** apps/server/src/node.ts (what `pnpm start` runs) in production mode on a throwaway PGlite. */
async function startProduction(env: Record<string, string> = {}, port = 0): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "agent-builder-log-"));
  const child = spawn(process.execPath, ["--import", "tsx", "src/node.ts"], {
    cwd: serverDir,
    env: {
      ...process.env,
      NODE_ENV: "production",
      AUTH_JWT_SECRET: secret,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: "",
      PGLITE_DIR: dataDir,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const output = () => `${stdout}${stderr}`;
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output()}`)), 60_000);
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${output()}`)));
    if (port) {
      // Started quiet (LOG_LEVEL=warn): no start-up line to wait for, so ask until it answers.
      const poll = async () => {
        const answer = await fetch(`http://127.0.0.1:${port}/trpc/health`).catch(() => undefined);
        if (answer?.status === 200) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${port}`);
        } else setTimeout(poll, 200);
      };
      void poll();
    } else {
      child.stdout!.on("data", () => {
        const match = /API on (http:\/\/localhost:\d+)\/trpc/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!.replace("localhost", "127.0.0.1"));
        }
      });
    }
  });
  return {
    child,
    base,
    output,
    lines: () =>
      stdout
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LogLine),
    close: async () => {
      child.kill("SIGTERM");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Lines are written asynchronously: wait until one matching `match` is there. */
async function lineWhere(server: Pick<ServerProcess, "lines">, match: (line: LogLine) => boolean): Promise<LogLine> {
  for (let waited = 0; waited < 5_000; waited += 20) {
    const found = server.lines().find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(
    `no such log line in:\n${server
      .lines()
      .map((l) => JSON.stringify(l))
      .join("\n")}`,
  );
}

describe("the production server's request log", () => {
  let server: ServerProcess;
  let token: string;
  beforeAll(async () => {
    server = await startProduction();
    token = await mintToken(secret, { sub: crypto.randomUUID(), tid: "log-tenant", role: "member" });
  });
  afterAll(() => server?.close());

  it("writes one JSON line per request, with the request id it sends back", async () => {
    const response = await fetch(`${server.base}/trpc/agents.list?input=${encodeURIComponent(JSON.stringify({ limit: 2 }))}`, {
      headers: { authorization: `Bearer ${token}`, "x-request-id": "trace-7f3a.1" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("trace-7f3a.1");

    const line = await lineWhere(server, (l) => l.requestId === "trace-7f3a.1");
    expect(line).toEqual({
      level: "info",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      msg: "request",
      requestId: "trace-7f3a.1",
      method: "GET",
      procedure: "agents.list",
      status: 200,
      durationMs: expect.any(Number),
      tenantId: "log-tenant",
    });
    expect(server.lines().filter((l) => l.requestId === "trace-7f3a.1")).toHaveLength(1);
  });

  it("names every procedure of a batch, and replaces a request id that is not a short plain token", async () => {
    const input = encodeURIComponent(JSON.stringify({ 0: { limit: 1 } }));
    const response = await fetch(`${server.base}/trpc/agents.list,usage.tenant?batch=1&input=${input}`, {
      headers: { authorization: `Bearer ${token}`, "x-request-id": "has spaces; and=more" },
    });
    expect(response.status).toBe(200);
    const id = response.headers.get("x-request-id")!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await lineWhere(server, (l) => l.requestId === id)).toMatchObject({
      procedure: "agents.list,usage.tenant",
      status: 200,
      tenantId: "log-tenant",
    });
  });

  it("answers a 60 kB GET with 431 and a JSON error saying to POST, which works", async () => {
    const url = `${server.base}/trpc/agents.list?input=${encodeURIComponent(JSON.stringify({ search: "x".repeat(60_000) }))}`;
    expect(url.length).toBeGreaterThan(60_000);
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(431);
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = (await response.json()) as { error: { message: string; code: number; data: { code: string; httpStatus: number } } };
    expect(body.error).toMatchObject({ code: -32600, data: { code: "BAD_REQUEST", httpStatus: 431 } });
    expect(body.error.message).toMatch(
      /larger than this server accepts \(16384 bytes\).*as POST \/trpc\/<procedure> with the input as the JSON body/,
    );
    const id = response.headers.get("x-request-id")!;
    expect(await lineWhere(server, (l) => l.requestId === id)).toMatchObject({
      level: "warn",
      method: "GET",
      path: "/trpc/agents.list",
      status: 431,
      reason: "HPE_HEADER_OVERFLOW",
    });

    // The advice works: the same query as POST with its input as the body.
    const post = await fetch(`${server.base}/trpc/agents.list`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ limit: 1 }),
    });
    expect(post.status).toBe(200);
    expect(await post.json()).toEqual({ result: { data: { items: [], nextCursor: null } } });
  });
});

describe("LOG_LEVEL", () => {
  it("warn: no lines for requests that went well, a line for one that did not", async () => {
    const port = await freePort();
    const server = await startProduction({ LOG_LEVEL: "warn" }, port);
    try {
      const ok = await fetch(`${server.base}/trpc/health`, { headers: { "x-request-id": "quiet-ok" } });
      expect(ok.status).toBe(200);
      const token = await mintToken(secret, { sub: crypto.randomUUID(), tid: "log-tenant", role: "member" });
      const bad = await fetch(`${server.base}/trpc/agents.list?input=${encodeURIComponent(JSON.stringify({ limit: 0 }))}`, {
        headers: { authorization: `Bearer ${token}`, "x-request-id": "quiet-bad" },
      });
      expect(bad.status).toBe(400);
      expect(await lineWhere(server, (l) => l.requestId === "quiet-bad")).toMatchObject({ level: "warn", status: 400 });
      expect(server.lines().filter((l) => l.level === "info")).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("refuses an unknown level with a message, not a stack trace", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/node.ts"], {
      cwd: serverDir,
      env: { ...process.env, LOG_LEVEL: "verbose", PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk) => (output += chunk));
    child.stderr!.on("data", (chunk) => (output += chunk));
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(output.trim()).toBe("LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got verbose");
  });
});

describe("the fetch handler with the server's logger, on Node's HTTP", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("pglite");
  });
  afterAll(() => database?.close());

  /** Serves the handler over real HTTP; the logger writes its lines into `lines`. */
  async function serveWith(options: Omit<LoggerOptions, "destination">, db = database.db) {
    const lines: string[] = [];
    const logger = createLogger({ ...options, destination: { write: (line) => void lines.push(line) } });
    const handle = createFetchHandler({ db, verifyToken: createTokenVerifier({ secret }), logger });
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: handle, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    });
    const { port } = server.address() as { port: number };
    return {
      base: `http://127.0.0.1:${port}`,
      lines,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  it("logs a 5xx with its cause and the request id, then the request line", async () => {
    const broken = await createTestDatabase("pglite");
    await broken.close(); // every query now fails inside the driver
    const api = await serveWith({ level: "info", format: "json" }, broken.db);
    try {
      const token = await mintToken(secret, { sub: crypto.randomUUID(), tid: "broken", role: "member" });
      const response = await fetch(`${api.base}/trpc/agents.list`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(500);
      const id = response.headers.get("x-request-id");
      expect(JSON.stringify(await response.json())).not.toMatch(/closed|stack/i);

      await expect.poll(() => api.lines.length).toBe(2);
      const [failure, request] = api.lines.map((line) => JSON.parse(line) as LogLine);
      expect(failure).toMatchObject({
        level: "error",
        msg: "query agents.list failed: INTERNAL_SERVER_ERROR",
        requestId: id,
        tenantId: "broken",
        procedure: "agents.list",
        code: "INTERNAL_SERVER_ERROR",
        cause: expect.stringMatching(/closed/i),
        stack: expect.stringMatching(/\n\s+at /),
      });
      expect(request).toMatchObject({
        level: "error",
        msg: "request",
        requestId: id,
        procedure: "agents.list",
        status: 500,
        tenantId: "broken",
      });
    } finally {
      await api.close();
    }
  });

  it("logs a request whose body could not be read (the client went away mid-upload) with the cause", async () => {
    const api = await serveWith({ level: "info", format: "json" });
    try {
      const { port } = new URL(api.base);
      const socket = connect(Number(port), "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      // Chunked, so the handler reads the body itself (a declared Content-Length is left to Node).
      socket.write(
        'POST /trpc/executions.start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":',
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.destroy();

      await expect.poll(() => api.lines.length).toBe(2);
      const [failure, request] = api.lines.map((line) => JSON.parse(line) as LogLine);
      expect(failure).toMatchObject({
        level: "error",
        msg: "request failed",
        requestId: request!.requestId,
        cause: expect.stringMatching(/aborted|closed|terminated/i),
      });
      expect(request).toMatchObject({ level: "error", msg: "request", procedure: "executions.start", status: 500 });
    } finally {
      await api.close();
    }
  });

  it("writes one readable line per request in development", async () => {
    const api = await serveWith({ level: "info", format: "readable" });
    try {
      const response = await fetch(`${api.base}/trpc/health`, { headers: { "x-request-id": "dev-1" } });
      expect(response.status).toBe(200);
      await expect.poll(() => api.lines.length).toBe(1);
      expect(api.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  GET health 200 \d+(\.\d)? ms request=dev-1\n$/);
    } finally {
      await api.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
