import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testTargets } from "@agent-builder/db/testing";

import { createHarness, type Harness, newAgent, type TestTenant } from "./support";

/**
 * Each request is one transaction; within it, a list of 50 agents with their stats is one
 * query. The counts below are the statements a procedure sends inside its transaction, after
 * the opening: on node-postgres and Neon BEGIN and the tenant scope go in one round trip and
 * COMMIT closes it; PGlite issues BEGIN and COMMIT itself and the scope is one statement.
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

  /** The statements the procedure itself sent, after checking how its transaction was opened and scoped. */
  async function count(call: () => Promise<unknown>) {
    h.statements.length = 0;
    await call();
    const sent = [...h.statements];
    if (target === "pglite") {
      // PGlite opens and closes the transaction itself; the scope is the first statement in it.
      expect(sent[0]).toMatch(/^select set_config\('app\.tenant_id'/);
      return sent.slice(1);
    }
    // node-postgres and Neon: BEGIN and the scope in ONE round trip, COMMIT at the end.
    expect(sent[0]).toMatch(
      /^begin; select set_config\('app\.tenant_id', '[^']*', true\), set_config\('statement_timeout', '\d+', true\), set_config\('role', '\w+', true\)$/,
    );
    expect(sent.at(-1)).toBe("commit");
    expect(sent.filter((q) => /^(begin|commit|rollback)\b/i.test(q))).toHaveLength(2);
    return sent.slice(1, -1);
  }

  it("lists 50 agents with their stats in one query after the scope is set", async () => {
    const sent = await count(() => t.member.agents.list({ limit: 50 }));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/from "agents" left join lateral \(select .* from "agent_usage_stats"/);
  });

  it.each([
    ["executions.list", (tt: TestTenant) => tt.member.executions.list({ limit: 50 }), 1],
    ["usage.tenant", (tt: TestTenant) => tt.member.usage.tenant(), 1],
    ["usage.timeseries", (tt: TestTenant) => tt.member.usage.timeseries({ from: "2026-01-01", to: "2026-03-31" }), 1],
  ] as const)("%s is one query after the scope is set", async (_name, call, expected) => {
    expect(await count(() => call(t))).toHaveLength(expected);
  });

  it("reads an agent with its stats and its tools in one query (a lateral json aggregate, no N+1)", async () => {
    const agent = await newAgent(t, { name: "Tooled" });
    for (let i = 0; i < 5; i++) {
      const tool = await t.member.tools.create({ name: `Round-trip tool ${i}`, type: "builtin" });
      await t.member.agents.attachTool({ agentId: agent.id, toolId: tool.id, position: 5 - i });
    }
    let got: Awaited<ReturnType<typeof t.member.agents.get>> | undefined;
    const sent = await count(async () => (got = await t.member.agents.get({ id: agent.id })));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/left join lateral \(select coalesce\(json_agg\(.*from "agent_resources"/s);
    expect(got?.tools.map((x) => x.position)).toEqual([1, 2, 3, 4, 5]);
  });

  it("reads a crew with its members, their tools, the manager, its tasks and its usage in one query (lateral json aggregates)", async () => {
    const members = [];
    for (let i = 0; i < 4; i++) members.push(await newAgent(t, { name: `Crew member ${i}` }));
    const manager = await newAgent(t, { name: "Crew manager" });
    for (const [i, member] of [...members, manager].entries()) {
      for (let j = 0; j < 3; j++) {
        const tool = await t.member.tools.create({ name: `Crew tool ${i}.${j}`, type: "builtin" });
        await t.member.agents.attachTool({ agentId: member.id, toolId: tool.id, position: j });
      }
    }
    const crew = await t.member.crews.create({
      name: "Round-trip crew",
      spaceId: t.space.id,
      process: "hierarchical",
      managerAgentId: manager.id,
      memberAgentIds: members.map((m) => m.id),
    });
    const made: string[] = [];
    for (let i = 0; i < 6; i++) {
      const task = await t.member.tasks.create({
        crewId: crew.id,
        title: `Step ${i}`,
        description: "d",
        expectedOutput: "o",
        agentId: members[i % 4]!.id,
        context: made.slice(-2),
      });
      made.push(task.id);
    }
    let got: Awaited<ReturnType<typeof t.member.crews.get>> | undefined;
    const sent = await count(async () => (got = await t.member.crews.get({ id: crew.id })));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(
      /from crews c\s+left join lateral \(.*json_agg.*from crew_members m.*agent_resources.*from tasks t.*from crew_usage_stats/s,
    );
    expect(got?.members.map((m) => m.tools.length)).toEqual([3, 3, 3, 3]);
    expect(got?.manager?.tools).toHaveLength(3);
    expect(got?.tasks.map((x) => x.id)).toEqual(made);
    expect(got?.tasks[5]?.context).toEqual(made.slice(3, 5));
    // Lists stay one statement whatever the page holds (no query per crew or per task).
    expect(await count(() => t.member.crews.list({ limit: 50 }))).toHaveLength(1);
    expect(await count(() => t.member.tasks.list({ crewId: crew.id, limit: 50 }))).toHaveLength(1);
  });

  it("reads an agent's usage (lifetime, today, week, month) in one query", async () => {
    const [agent] = (await t.member.agents.list({ limit: 1 })).items;
    expect(await count(() => t.member.usage.agent({ agentId: agent!.id }))).toHaveLength(1);
  });

  it("starts an execution in two statements (the agent's status, the insert) and completes it in one", async () => {
    const agent = await newAgent(t, { name: "Round trips" });
    await t.member.agents.setStatus({ id: agent.id, status: "active" });
    let started: { id: string } | undefined;
    const start = await count(async () => (started = await t.member.executions.start({ agentId: agent.id, input: {} })));
    expect(start).toHaveLength(2);
    expect(start[0]).toMatch(/^select "status" from "agents"/);
    expect(start[1]).toMatch(/^insert into "agent_executions"/);
    const complete = await count(() =>
      t.member.executions.complete({ id: started!.id, output: {}, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0 }),
    );
    expect(complete).toHaveLength(1);
    expect(complete[0]).toMatch(/^update "agent_executions"/);
  });

  it("gets an execution with its steps in one query", async () => {
    const [first] = (await t.member.executions.list({ limit: 1 })).items;
    expect(await count(() => t.member.executions.get({ id: first!.id }))).toHaveLength(1);
  });

  it("appends a message in one statement (seq and counters with the insert), lists 50 conversations in one and 50 messages in two", async () => {
    const agent = await newAgent(t, { name: "Chatty" });
    for (let i = 0; i < 50; i++) await t.member.conversations.create({ agentId: agent.id, title: `Chat ${i}` });
    const [chat] = (await t.member.conversations.list({ limit: 1 })).items;
    const append = await count(() => t.member.conversations.appendMessage({ conversationId: chat!.id, role: "user", content: "hi" }));
    expect(append).toHaveLength(1);
    expect(append[0]).toMatch(
      /^with c as \(\s*update conversations set\s+message_count = message_count \+ 1.*insert into conversation_messages/s,
    );
    for (let i = 0; i < 49; i++) await t.member.conversations.appendMessage({ conversationId: chat!.id, role: "user", content: `m${i}` });
    expect(await count(() => t.member.conversations.list({ limit: 50 }))).toHaveLength(1);
    const messages = await count(() => t.member.conversations.messages({ conversationId: chat!.id, limit: 50 }));
    expect(messages).toHaveLength(2); // the conversation (visibility, and `before`'s seq), then the page
  });

  it("adds the mirror upsert only on a caller's first request", async () => {
    const fresh = await h.as({ sub: crypto.randomUUID(), tid: t.tenantId, role: "member" });
    expect(await count(() => fresh.agents.list({ limit: 1 }))).toHaveLength(2);
    expect(await count(() => fresh.agents.list({ limit: 1 }))).toHaveLength(1);
  });
});
