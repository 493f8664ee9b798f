import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testTargets } from "@agent-builder/db/testing";

import { createHarness, newAgent, type Harness, type TestTenant } from "./support";

/**
 * Each request is one transaction; within it, a list of 50 agents with their stats is one
 * query. The counts below are the statements Drizzle sent inside the transaction; BEGIN and
 * COMMIT frame them (node-postgres and Neon report them, PGlite issues them itself).
 */
describe.each(testTargets())("database round trips on %s", (target) => {
  let h: Harness;
  let t: TestTenant;
  beforeAll(async () => {
    h = await createHarness(target);
    t = await h.tenant("round-trip-tenant");
    for (let i = 0; i < 50; i++) {
      const agent = await newAgent(t, { name: `Agent ${i}` });
      if (i < 5) {
        await t.member.agents.setStatus({ id: agent.id, status: "active" });
        const e = await t.member.executions.start({ agentId: agent.id, input: i });
        await t.member.executions.complete({ id: e.id, output: i, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0 });
      }
    }
  });
  afterAll(() => h?.close());

  async function count(call: () => Promise<unknown>) {
    h.statements.length = 0;
    await call();
    // Drizzle's Neon session sends "begin " (an empty transaction config follows the keyword).
    const frame = h.statements.filter((q) => /^(begin|commit)\s*$/i.test(q));
    if (target !== "pglite") expect(frame.map((q) => q.trim())).toEqual(["begin", "commit"]);
    return h.statements.filter((q) => !frame.includes(q));
  }

  it("lists 50 agents with their stats in one query after the scope is set", async () => {
    const sent = await count(() => t.member.agents.list({ limit: 50 }));
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(/set_config\('app\.tenant_id'/);
    expect(sent[1]).toMatch(/from "agents" left join lateral \(select .* from "agent_usage_stats"/);
  });

  it.each([
    ["executions.list", (tt: TestTenant) => tt.member.executions.list({ limit: 50 }), 2],
    ["usage.tenant", (tt: TestTenant) => tt.member.usage.tenant(), 2],
    ["usage.timeseries", (tt: TestTenant) => tt.member.usage.timeseries({ from: "2026-01-01", to: "2026-03-31" }), 2],
  ] as const)("%s is one query after the scope is set", async (_name, call, expected) => {
    expect(await count(() => call(t))).toHaveLength(expected);
  });

  it("reads an agent's usage (lifetime, today, week, month) in one query", async () => {
    const [agent] = (await t.member.agents.list({ limit: 1 })).items;
    expect(await count(() => t.member.usage.agent({ agentId: agent!.id }))).toHaveLength(2);
  });

  it("starts an execution in two statements (the agent's status, the insert) and completes it in one", async () => {
    const agent = await newAgent(t, { name: "Round trips" });
    await t.member.agents.setStatus({ id: agent.id, status: "active" });
    let started: { id: string } | undefined;
    const start = await count(async () => (started = await t.member.executions.start({ agentId: agent.id, input: {} })));
    expect(start).toHaveLength(3);
    expect(start[1]).toMatch(/^select "status" from "agents"/);
    expect(start[2]).toMatch(/^insert into "agent_executions"/);
    const complete = await count(() => t.member.executions.complete({ id: started!.id, output: {}, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0 }));
    expect(complete).toHaveLength(2);
    expect(complete[1]).toMatch(/^update "agent_executions"/);
  });

  it("gets an execution with its steps in one query", async () => {
    const [first] = (await t.member.executions.list({ limit: 1 })).items;
    expect(await count(() => t.member.executions.get({ id: first!.id }))).toHaveLength(2);
  });

  it("adds the mirror upsert only on a caller's first request", async () => {
    const fresh = await h.as({ sub: crypto.randomUUID(), tid: t.tenantId, role: "member" });
    expect(await count(() => fresh.agents.list({ limit: 1 }))).toHaveLength(3);
    expect(await count(() => fresh.agents.list({ limit: 1 }))).toHaveLength(2);
  });
});
