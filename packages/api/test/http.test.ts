import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testTargets } from "@agent-builder/db/testing";

import { mintToken } from "../src/auth";
import { createFetchHandler } from "../src/http";
import { createHarness, type Harness, newAgent, type TestTenant, testSecret } from "./support";

describe.each(testTargets())("HTTP on %s", (target) => {
  let h: Harness;
  let t: TestTenant;
  let token: string;
  beforeAll(async () => {
    h = await createHarness(target);
    t = await h.tenant("http-tenant");
    token = await mintToken(testSecret, { sub: t.memberId, tid: t.tenantId, role: "member" });
  });
  afterAll(() => h?.close());

  const get = (path: string, input?: unknown, auth = true) =>
    h.handler(
      new Request(`http://api.test/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`, {
        headers: auth ? { authorization: `Bearer ${token}` } : {},
      }),
    );
  const post = (path: string, body: string | unknown, headers: Record<string, string> = {}) =>
    h.handler(
      new Request(`http://api.test/trpc/${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    );

  it("serves health without a token", async () => {
    const response = await get("health", undefined, false);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ result: { data: { status: "ok", database: { reachable: true } } } });
  });

  it("maps outcomes to HTTP status codes with JSON bodies", async () => {
    const agent = await newAgent(t);
    expect((await get("agents.get", { id: agent.id })).status).toBe(200);
    expect((await get("agents.list", undefined, false)).status).toBe(401);
    expect((await get("agents.get", { id: crypto.randomUUID() })).status).toBe(404);
    expect((await post("agents.update", { id: agent.id, expectedVersion: 7, name: "x" })).status).toBe(409);
    expect(
      (await post("executions.start", { agentId: (await t.member.agents.setStatus({ id: agent.id, status: "archived" })).id, input: 1 }))
        .status,
    ).toBe(412);
    expect((await get("agents.nope")).status).toBe(404);
    // Mutations are POST only; queries are GET, or POST (method override: the SDK sends long ones so).
    expect((await get("agents.setStatus", { id: agent.id, status: "paused" })).status).toBe(405);
    expect((await post("agents.get", { id: agent.id })).status).toBe(200);
    expect((await h.handler(new Request("http://api.test/elsewhere"))).status).toBe(404);
  });

  it("answers bad input with 400 and field errors", async () => {
    const response = await post("agents.create", { name: "", spaceId: "nope", llmConfig: { provider: "openai" } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string; data: { zodError: { fieldErrors: Record<string, string[]> } } } };
    expect(body.error.message).toMatch(/^invalid input: /);
    expect(body.error.data.zodError.fieldErrors).toMatchObject({
      name: [expect.any(String)],
      spaceId: [expect.any(String)],
      llmConfig: [expect.any(String)],
    });
    expect((await post("agents.create", "{not json")).status).toBe(400);
  });

  it("refuses bodies over the size limit with 413, declared or streamed without Content-Length", async () => {
    const small = createFetchHandler(h.deps, { maxBodyBytes: 1000 });
    const big = JSON.stringify({ agentId: crypto.randomUUID(), input: "x".repeat(2000) });
    const declared = await small(
      new Request("http://api.test/trpc/executions.start", { method: "POST", body: big, headers: { authorization: `Bearer ${token}` } }),
    );
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE" } });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    // No Content-Length (a chunked upload): the handler counts the bytes as they arrive.
    const upload = new Request("http://api.test/trpc/executions.start", {
      method: "POST",
      body: stream,
      duplex: "half",
      headers: { authorization: `Bearer ${token}` },
    } as RequestInit);
    expect(upload.headers.get("content-length")).toBeNull();
    expect((await small(upload)).status).toBe(413);
  });

  it("never leaks SQL, constraint names or stack traces in a 5xx", async () => {
    const broken = await createHarness(target);
    const brokenToken = await mintToken(testSecret, { sub: crypto.randomUUID(), tid: "broken", role: "member" });
    await broken.database.close(); // every query now fails inside the driver
    const response = await broken.handler(
      new Request("http://api.test/trpc/agents.list", { headers: { authorization: `Bearer ${brokenToken}` } }),
    );
    expect(response.status).toBeGreaterThanOrEqual(500);
    const text = await response.text();
    expect(text).not.toMatch(/select|insert|tenant_id|agents_|at .*\.ts|stack/i);
    expect((JSON.parse(text) as { error: { message: string } }).error.message).toMatch(/internal server error|database unavailable/);
    expect(broken.logged.length).toBeGreaterThan(0); // the operator still gets the cause
  });

  it("answers CORS preflight only for allowed origins", async () => {
    const handler = createFetchHandler(h.deps, { allowedOrigins: ["https://admin.test"] });
    const preflight = (origin: string) =>
      handler(new Request("http://api.test/trpc/agents.list", { method: "OPTIONS", headers: { origin } }));
    expect((await preflight("https://admin.test")).headers.get("access-control-allow-origin")).toBe("https://admin.test");
    expect((await preflight("https://evil.test")).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("serves a batched request (what the tRPC client sends)", async () => {
    const agent = await newAgent(t);
    const input = encodeURIComponent(JSON.stringify({ 0: { id: agent.id }, 1: { limit: 1 } }));
    const response = await h.handler(
      new Request(`http://api.test/trpc/agents.get,agents.list?batch=1&input=${input}`, { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(response.status).toBe(200);
    const [one, two] = (await response.json()) as Array<{ result: { data: { id: string; items: unknown[] } } }>;
    expect(one?.result.data.id).toBe(agent.id);
    expect(two?.result.data.items).toHaveLength(1);
  });
});
