import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { mintToken } from "@agent-builder/api";
import { createTestDatabase, type TestDatabase, testTargets } from "@agent-builder/db/testing";
import { type AgentBuilderClient, createAgentBuilderClient, isApiError } from "@agent-builder/sdk";

import { type EdgeFunction, startEdgeRuntime } from "../../../apps/server/test/edge-vm";

const secret = "edge-sdk-secret-that-is-long-enough-for-hs256";

/**
 * The built SDK driving the edge function inside Vercel's emulator, which talks to the local
 * Postgres through the Neon serverless driver (a local WebSocket proxy stands in for Neon's).
 */
describe.runIf(testTargets().includes("neon"))("SDK against the edge function (edge-runtime VM, Neon driver)", () => {
  let database: TestDatabase;
  let edge: EdgeFunction;
  const client = (tid: string, sub: string, role: "member" | "service"): AgentBuilderClient =>
    createAgentBuilderClient({
      url: "http://edge.test/api/trpc",
      fetch: (input, init) => edge.fetch(input, init),
      getToken: () => mintToken(secret, { sub, tid, role }),
    });

  beforeAll(async () => {
    database = await createTestDatabase("neon");
    edge = await startEdgeRuntime({ env: { DATABASE_URL: database.url!, NEON_WS_PROXY: database.wsProxy!, AUTH_JWT_SECRET: secret } });
  });
  afterAll(async () => {
    await edge?.close();
    await database?.close();
  });

  it("runs an agent's life end to end and keeps tenants apart", async () => {
    const service = client("edge-sdk", crypto.randomUUID(), "service");
    const memberId = crypto.randomUUID();
    await service.directory.upsertUser.mutate({ id: memberId, email: "m@edge.test" });
    const space = await service.directory.upsertSpace.mutate({ id: crypto.randomUUID(), name: "Edge" });
    const member = client("edge-sdk", memberId, "member");

    const agent = await member.agents.create.mutate({
      name: "Edge agent",
      spaceId: space.id,
      llmConfig: { provider: "openai", model: "gpt-4.1-mini" },
    });
    await member.agents.setStatus.mutate({ id: agent.id, status: "active" });
    const done = await member.recordExecution({ agentId: agent.id, input: { q: "edge?" } }, async ({ step }) => {
      await step({ type: "tool_call", data: { tool: "lookup" } });
      return { output: "yes", usage: { inputTokens: 30, outputTokens: 3 }, costUsd: 0.0001 };
    });
    expect(done).toMatchObject({ status: "succeeded", stepCount: 1 });
    const seen = [];
    for await (const a of member.agents.listAll({ limit: 1 })) seen.push(a.id);
    expect(seen).toEqual([agent.id]);
    expect((await member.usage.agent.query({ agentId: agent.id })).lifetime).toMatchObject({ executions: 1, succeeded: 1 });

    const stranger = client("edge-sdk-other", crypto.randomUUID(), "member");
    const error = await stranger.agents.get.query({ id: agent.id }).catch((e: unknown) => e);
    expect(isApiError(error, "NOT_FOUND")).toBe(true);
    expect((await stranger.agents.list.query()).items).toEqual([]);
  });
});
