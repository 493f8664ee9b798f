import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { mintToken } from "@agent-builder/api";
import type { TokenClaims } from "@agent-builder/contracts";
import { queryRows, sql } from "@agent-builder/db";
import { createTestDatabase, type TestDatabase, testTargets } from "@agent-builder/db/testing";

import { describeSize, edgeSizeLimitBytes } from "../scripts/edge-bundle";
import { type EdgeFunction, edgeBundle, startEdgeRuntime } from "./edge-vm";

const secret = "edge-test-secret-that-is-long-enough-for-hs256";
const origin = "https://agent-builder.test";

interface TrpcBody {
  result?: { data: any };
  error?: { message: string; data: { code: string; httpStatus: number; stack?: string } };
}

/** A tRPC call over HTTP, as any client would make it against /api/trpc. */
function client(edge: EdgeFunction, claims?: TokenClaims) {
  const headers = async (): Promise<Record<string, string>> =>
    claims ? { authorization: `Bearer ${await mintToken(secret, claims)}` } : {};
  const read = async (response: Response) => ({ status: response.status, body: (await response.json()) as TrpcBody });
  return {
    query: async (path: string, input?: unknown) =>
      read(
        await edge.fetch(`${origin}/api/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`, {
          headers: await headers(),
        }),
      ),
    mutation: async (path: string, input: unknown) =>
      read(
        await edge.fetch(`${origin}/api/trpc/${path}`, {
          method: "POST",
          headers: { ...(await headers()), "content-type": "application/json" },
          body: JSON.stringify(input),
        }),
      ),
  };
}

describe("edge bundle", () => {
  // Building is itself a check: for the browser platform, any Node built-in fails the build.
  it("builds for the browser platform and fits Vercel's edge size limit with room to spare", async () => {
    const bundle = await edgeBundle();
    console.log(describeSize(bundle));
    expect(bundle.gzipBytes).toBeLessThan(edgeSizeLimitBytes / 2);
  });
});

describe("edge function without a reachable database", () => {
  let edge: EdgeFunction;
  beforeAll(async () => {
    // Port 9 (discard) has no listener: the WebSocket to the "proxy" is refused at once.
    edge = await startEdgeRuntime({
      env: { DATABASE_URL: "postgres://nobody@127.0.0.1:9/none", NEON_WS_PROXY: "127.0.0.1:9", AUTH_JWT_SECRET: secret },
    });
  });
  afterAll(() => edge?.close());

  it("loads in the VM and reports health as degraded, not as a 5xx", async () => {
    const { status, body } = await client(edge).query("health");
    expect(status).toBe(200);
    expect(body.result!.data).toEqual({ status: "degraded", database: { reachable: false, version: null, latencyMs: null } });
  });

  it("verifies tokens in the VM (Web Crypto) before touching the database", async () => {
    const missing = await client(edge).query("agents.list");
    expect(missing.status).toBe(401);
    const forged = await edge.fetch(`${origin}/api/trpc/agents.list`, {
      headers: {
        authorization: `Bearer ${await mintToken("another-secret-that-is-long-enough-too!!", { sub: crypto.randomUUID(), tid: "acme", role: "member" })}`,
      },
    });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as TrpcBody).error).toMatchObject({
      message: "token signature is invalid",
      data: { code: "UNAUTHORIZED" },
    });
    expect(JSON.stringify(missing.body)).not.toMatch(/"stack"/);
  });

  it("logs each request as one JSON line through console, with the request id it sends back", async () => {
    const written: Array<{ method: string; text: string }> = [];
    const logged = await startEdgeRuntime({
      env: { DATABASE_URL: "postgres://nobody@127.0.0.1:9/none", NEON_WS_PROXY: "127.0.0.1:9", AUTH_JWT_SECRET: secret, LOG_LEVEL: "info" },
      onConsole: (method, text) => written.push({ method, text }),
    });
    try {
      const response = await logged.fetch(`${origin}/api/trpc/health`, { headers: { "x-request-id": "edge-req-1" } });
      expect(response.status).toBe(200);
      expect(response.headers.get("x-request-id")).toBe("edge-req-1");
      const missing = await logged.fetch(`${origin}/api/trpc/agents.list`);
      expect(missing.status).toBe(401);
      const lines = written.map(({ method, text }) => ({ method, line: JSON.parse(text) as Record<string, unknown> }));
      expect(lines).toEqual([
        {
          method: "log",
          line: {
            time: expect.any(String),
            level: "info",
            requestId: "edge-req-1",
            method: "GET",
            procedure: "health",
            status: 200,
            durationMs: expect.any(Number),
            msg: "request",
          },
        },
        {
          method: "log",
          line: expect.objectContaining({
            level: "info",
            procedure: "agents.list",
            status: 401,
            requestId: missing.headers.get("x-request-id"),
          }),
        },
      ]);
    } finally {
      await logged.close();
    }
  });

  it("serves only under /api/trpc", async () => {
    expect((await edge.fetch(`${origin}/trpc/health`)).status).toBe(404);
  });

  it("refuses to run on the public dev secret or without a database", async () => {
    const incomplete: Record<string, string>[] = [{ DATABASE_URL: "postgres://nobody@127.0.0.1:9/none" }, { AUTH_JWT_SECRET: secret }];
    for (const env of incomplete) {
      const misconfigured = await startEdgeRuntime({ env });
      const response = await misconfigured.fetch(`${origin}/api/trpc/health`);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: { message: "the API is not configured; see the function logs" } });
      await misconfigured.close();
    }
  });
});

describe.runIf(testTargets().includes("neon"))("edge function on Postgres through the Neon driver", () => {
  let database: TestDatabase;
  let edge: EdgeFunction;
  const tenantA = { service: crypto.randomUUID(), member: crypto.randomUUID() };
  const memberB = crypto.randomUUID();

  // Connects as docs/deploy.md sets Neon up: a login role without BYPASSRLS, member of the app
  // role, not the superuser the other tests use. Roles are cluster-wide, hence one per process.
  const requestRole = `agent_builder_test_request_${process.pid}`;

  beforeAll(async () => {
    database = await createTestDatabase("neon");
    await database.db.execute(sql.raw(`drop role if exists ${requestRole}`)); // left by a crashed run
    await database.db.execute(sql.raw(`create role ${requestRole} login nobypassrls`));
    await database.db.execute(sql.raw(`grant agent_builder_app to ${requestRole}`));
    const url = new URL(database.url!);
    url.username = requestRole;
    edge = await startEdgeRuntime({ env: { DATABASE_URL: url.toString(), NEON_WS_PROXY: database.wsProxy!, AUTH_JWT_SECRET: secret } });
  });
  afterAll(async () => {
    await edge?.close();
    await database?.db.execute(sql.raw(`drop role if exists ${requestRole}`));
    await database?.close();
  });

  it("answers health with the database's version", async () => {
    const { status, body } = await client(edge).query("health");
    expect(status).toBe(200);
    expect(body.result!.data).toMatchObject({ status: "ok", database: { reachable: true, version: expect.stringMatching(/^\d+/) } });
  });

  it("runs an agent's life: create, list, execute, complete, usage; and keeps tenants apart", async () => {
    const service = client(edge, { sub: tenantA.service, tid: "edge-a", role: "service" });
    const member = client(edge, { sub: tenantA.member, tid: "edge-a", role: "member" });
    const outsider = client(edge, { sub: memberB, tid: "edge-b", role: "member" });

    const space = await service.mutation("directory.upsertSpace", { id: crypto.randomUUID(), name: "Edge" });
    expect(space.status).toBe(200);
    const created = await member.mutation("agents.create", {
      name: "Edge agent",
      spaceId: space.body.result!.data.id,
      llmConfig: { provider: "openai", model: "gpt-4.1-mini" },
    });
    expect(created.status).toBe(200);
    const agentId: string = created.body.result!.data.id;
    expect((await member.mutation("agents.setStatus", { id: agentId, status: "active" })).status).toBe(200);

    const list = await member.query("agents.list", { limit: 10 });
    expect(list.body.result!.data.items.map((a: { id: string }) => a.id)).toEqual([agentId]);

    const started = await member.mutation("executions.start", { agentId, input: { question: "hi" } });
    expect(started.status).toBe(200);
    const completed = await member.mutation("executions.complete", {
      id: started.body.result!.data.id,
      output: { answer: "hello" },
      usage: { inputTokens: 12, outputTokens: 30 },
      costUsd: 0.0042,
    });
    expect(completed.body.result!.data).toMatchObject({ status: "succeeded" });

    const usage = await member.query("usage.agent", { agentId });
    expect(usage.body.result!.data.lifetime).toMatchObject({
      executions: 1,
      succeeded: 1,
      inputTokens: 12,
      outputTokens: 30,
      totalTokens: 42,
      costUsd: 0.0042,
    });

    const stolen = await outsider.query("agents.get", { id: agentId });
    expect(stolen.status).toBe(404);
    expect(stolen.body.error!.data.code).toBe("NOT_FOUND");
    expect((await outsider.query("agents.list", { limit: 10 })).body.result!.data.items).toEqual([]);
    expect((await outsider.mutation("executions.start", { agentId, input: 1 })).status).toBe(404);
  });

  it("runs a batch of procedures, each in its own transaction, in one request", async () => {
    const member = { authorization: `Bearer ${await mintToken(secret, { sub: tenantA.member, tid: "edge-a", role: "member" })}` };
    const input = encodeURIComponent(JSON.stringify({ 0: { limit: 5 }, 1: undefined, 2: { limit: 5 } }));
    const response = await edge.fetch(`${origin}/api/trpc/agents.list,usage.tenant,executions.list?batch=1&input=${input}`, {
      headers: member,
    });
    expect(response.status).toBe(200);
    const [agents, usage, executions] = (await response.json()) as TrpcBody[];
    expect(agents!.result!.data.items).toHaveLength(1);
    expect(usage!.result!.data).toMatchObject({ tenantId: "edge-a", agentCount: 1, lifetime: { executions: 1 } });
    expect(executions!.result!.data.items).toHaveLength(1);
  });

  it("completes a streamed (jsonl) batch before the request's pool ends", async () => {
    const member = { authorization: `Bearer ${await mintToken(secret, { sub: tenantA.member, tid: "edge-a", role: "member" })}` };
    const input = encodeURIComponent(JSON.stringify({ 0: undefined, 1: { limit: 5 } }));
    const response = await edge.fetch(`${origin}/api/trpc/usage.tenant,agents.list?batch=1&input=${input}`, {
      headers: { ...member, "trpc-accept": "application/jsonl" },
    });
    expect(response.status).toBe(200);
    const lines = (await response.text()).split("\n");
    expect(lines.some((line) => line.includes('"tenantId":"edge-a"'))).toBe(true);
    expect(lines.some((line) => line.includes('"items":['))).toBe(true);
    expect(lines.filter((line) => line.includes('"error"'))).toEqual([]);
  });

  it("ends every request's pool: no connection of the request role is left open", async () => {
    const member = client(edge, { sub: tenantA.member, tid: "edge-a", role: "member" });
    await Promise.all([member.query("agents.list", { limit: 1 }), member.query("usage.tenant"), client(edge).query("health")]);
    await edge.close();
    await expect
      .poll(async () => {
        const [row] = await queryRows<{ open: number }>(
          database.db,
          sql`select count(*)::int as open from pg_stat_activity where datname = current_database() and usename = ${requestRole}`,
        );
        return row!.open;
      })
      .toBe(0);
  });
});
