import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testTargets } from "@agent-builder/db/testing";

import { createHarness, type Harness, newAgent, rejectsWith, type TestTenant, tenantSnapshot } from "./support";

const usage = { inputTokens: 1, outputTokens: 1 };

describe.each(testTargets())("tenant isolation through the API on %s", (target) => {
  let h: Harness;
  let a: TestTenant;
  let b: TestTenant;
  let agentA: string;
  let runningA: string;
  let finishedA: string;
  let snapshotA: string;

  const snapshot = () => tenantSnapshot(h, a.tenantId);

  beforeAll(async () => {
    h = await createHarness(target);
    a = await h.tenant("iso-a");
    b = await h.tenant("iso-b");
    agentA = (await a.member.agents.setStatus({ id: (await newAgent(a)).id, status: "active" })).id;
    runningA = (await a.member.executions.start({ agentId: agentA, input: "secret input", idempotencyKey: "shared-key" })).id;
    finishedA = (await a.member.executions.start({ agentId: agentA, input: "done" })).id;
    await a.member.executions.complete({ id: finishedA, output: "secret output", usage, costUsd: 0.5 });
    snapshotA = await snapshot();
  });
  afterAll(() => h?.close());

  it("lists only the caller's own rows", async () => {
    await newAgent(b);
    const agents = await b.member.agents.list({ limit: 100 });
    expect(agents.items.length).toBeGreaterThan(0);
    expect(agents.items.map((x) => x.id)).not.toContain(agentA);
    expect((await b.member.executions.list({ limit: 100 })).items).toEqual([]);
    expect((await b.member.directory.listSpaces()).items.map((s) => s.id).sort()).toEqual([b.space.id, b.otherSpace.id].sort());
    expect(await b.member.usage.tenant()).toMatchObject({ tenantId: "iso-b", lifetime: { executions: 0 } });
    expect(JSON.stringify(await b.member.usage.timeseries({ from: "2026-01-01", to: "2026-12-31" }))).not.toMatch(/"executions":[1-9]/);
  });

  it("answers NOT_FOUND for every id of another tenant, and changes nothing", async () => {
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["agents.get", () => b.member.agents.get({ id: agentA })],
      ["agents.update", () => b.member.agents.update({ id: agentA, expectedVersion: 2, name: "pwned" })],
      ["agents.setStatus", () => b.member.agents.setStatus({ id: agentA, status: "archived" })],
      ["agents.delete", () => b.member.agents.delete({ id: agentA })],
      ["executions.start", () => b.member.executions.start({ agentId: agentA, input: 1 })],
      ["executions.appendSteps", () => b.member.executions.appendSteps({ executionId: runningA, steps: [{ type: "thought", data: 1 }] })],
      ["executions.complete", () => b.member.executions.complete({ id: runningA, output: 1, usage, costUsd: 0 })],
      ["executions.fail", () => b.member.executions.fail({ id: runningA, error: { message: "x" } })],
      ["executions.cancel", () => b.member.executions.cancel({ id: runningA })],
      ["executions.get", () => b.member.executions.get({ id: finishedA })],
      ["usage.agent", () => b.member.usage.agent({ agentId: agentA })],
      ["usage.space", () => b.member.usage.space({ spaceId: a.space.id })],
      ["usage.timeseries (agent)", () => b.member.usage.timeseries({ from: "2026-01-01", to: "2026-01-02", agentId: agentA })],
      ["usage.timeseries (space)", () => b.member.usage.timeseries({ from: "2026-01-01", to: "2026-01-02", spaceId: a.space.id })],
      [
        "agents.create in A's space",
        () => b.member.agents.create({ name: "x", spaceId: a.space.id, llmConfig: { provider: "openai", model: "m" } }),
      ],
      ["agents.create owned by A's user", () => newAgent(b, { ownerId: a.memberId })],
    ];
    for (const [name, call] of calls) {
      const error = await rejectsWith(call(), "NOT_FOUND").catch((e: Error) => {
        throw new Error(`${name}: ${e.message}`);
      });
      expect(JSON.stringify(error.message)).not.toMatch(/secret|iso-a/);
    }
    expect(await snapshot()).toBe(snapshotA);
  });

  it("keeps idempotency keys per tenant", async () => {
    const agentB = (await b.member.agents.setStatus({ id: (await newAgent(b)).id, status: "active" })).id;
    const mine = await b.member.executions.start({ agentId: agentB, input: "other", idempotencyKey: "shared-key" });
    expect(mine.id).not.toBe(runningA);
    expect(await snapshot()).toBe(snapshotA);
  });

  it("refuses directory writes that would take over another tenant's user or space", async () => {
    await rejectsWith(b.service.directory.upsertUser({ id: a.memberId, email: "evil@b.test" }), "FORBIDDEN");
    await rejectsWith(b.service.directory.upsertSpace({ id: a.space.id, name: "evil" }), "FORBIDDEN");
    expect(await snapshot()).toBe(snapshotA);
  });
});
