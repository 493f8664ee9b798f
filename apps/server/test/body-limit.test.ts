/**
 * The body limit on the real Node HTTP stack (@hono/node-server, as src/server.ts serves it).
 * The fetch handler lets a request with a declared Content-Length through untouched (the fast
 * body path): these tests show Node's parser frames the body by that header, so a client cannot
 * send more than it declared, and that chunked uploads are still counted and refused.
 */
import { connect } from "node:net";

import { type ServerType, serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createFetchHandler, createTokenVerifier, mintToken } from "@agent-builder/api";
import { createTestDatabase, type TestDatabase } from "@agent-builder/db/testing";

const secret = "body-limit-secret-that-is-long-enough!!";
const maxBodyBytes = 1_000;

/** Writes raw bytes to the server and returns everything it answers until it closes the connection. */
function exchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // No half-close from our side: the server closes after answering (Connection: close).
    const socket = connect(port, "127.0.0.1", () => socket.write(raw));
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => (answer += chunk));
    socket.on("end", () => {
      socket.end();
      resolve(answer);
    });
    socket.on("error", reject);
  });
}

const statusLines = (answer: string) => answer.match(/^HTTP\/1\.1 \d{3}/gm) ?? [];

describe("request body limit on the Node server", () => {
  let database: TestDatabase;
  let server: ServerType;
  let port: number;
  let token: string;

  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    const handle = createFetchHandler({ db: database.db, verifyToken: createTokenVerifier({ secret }) }, { maxBodyBytes });
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: handle, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    });
    const address = server.address();
    port = typeof address === "object" && address ? address.port : 0;
    token = await mintToken(secret, { sub: crypto.randomUUID(), tid: "body-limit", role: "member" });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await database.close();
  });

  const head = (extra: string) =>
    `POST /trpc/executions.start HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nConnection: close\r\n${extra}\r\n`;
  const big = JSON.stringify({ agentId: crypto.randomUUID(), input: "x".repeat(2_000) });

  it("refuses a declared Content-Length over the limit with 413", async () => {
    const answer = await exchange(port, head(`Content-Length: ${big.length}\r\n`) + big);
    expect(statusLines(answer)[0]).toBe("HTTP/1.1 413");
    expect(answer).toContain("PAYLOAD_TOO_LARGE");
  });

  it("never reads more than the declared Content-Length into the handler", async () => {
    const answer = await exchange(port, head("Content-Length: 10\r\n") + big);
    // The request is framed by its header: the handler gets the first 10 bytes (`{"agentId"`,
    // not JSON) and Node's parser rejects the bytes after them as a malformed next request.
    // Neither is a success, and the 2,000-byte payload never reaches the API as a body.
    const statuses = statusLines(answer);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((line) => line === "HTTP/1.1 400")).toBe(true);
    expect(answer).not.toContain("xxxxxxxxxx");
  });

  it("counts a chunked upload and refuses it with 413 once it passes the limit", async () => {
    const chunks = [big.slice(0, 600), big.slice(600)].map((part) => `${part.length.toString(16)}\r\n${part}\r\n`).join("");
    const answer = await exchange(port, head("Transfer-Encoding: chunked\r\n") + chunks + "0\r\n\r\n");
    expect(statusLines(answer)[0]).toBe("HTTP/1.1 413");
    expect(answer).toContain("PAYLOAD_TOO_LARGE");
  });

  it("serves a small chunked upload as usual", async () => {
    const body = JSON.stringify({ agentId: crypto.randomUUID(), input: { question: "hi" } });
    const answer = await exchange(port, head("Transfer-Encoding: chunked\r\n") + `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
    // Past the limit check, into the procedure: the agent does not exist in this tenant.
    expect(statusLines(answer)[0]).toBe("HTTP/1.1 404");
  });
});
