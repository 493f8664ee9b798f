import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { queryRows, sql, withTenant } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { activeAgent, conversationCounters, newConversation, newCrew, type TestCrew } from "./crew-fixtures";
import { createHarness, type Harness, newAgent, rejectsWith, type TestTenant } from "./support";

const usage = (n: number) => ({ inputTokens: 100 + n, outputTokens: 10 + n, cachedInputTokens: 0, reasoningTokens: 0 });
const today = () => new Date().toISOString().slice(0, 10);

describe.each(testTargets())("crew runs on %s", (target) => {
  let h: Harness;
  let t: TestTenant;
  let other: TestTenant;
  let crew: TestCrew;
  beforeAll(async () => {
    h = await createHarness(target);
    t = await h.tenant("crew-runs");
    other = await h.tenant("crew-runs-other");
    crew = await newCrew(h, t, { members: 2, tasks: 3, manager: true });
  });
  afterAll(() => h?.close());

  it("runs a crew: a crew run, child runs of its members and manager, steps by task; the crew run sums its children", async () => {
    const run = await t.member.executions.start({ crewId: crew.id, input: { goal: "ship" } });
    expect(run).toMatchObject({ agentId: null, crewId: crew.id, parentExecutionId: null, status: "running" });
    const children = [];
    for (const [i, agentId] of [...crew.members, crew.manager!].entries()) {
      const child = await t.member.executions.start({ agentId, parentExecutionId: run.id, input: i });
      expect(child).toMatchObject({ agentId, crewId: crew.id, parentExecutionId: run.id });
      await t.member.executions.appendSteps({
        executionId: child.id,
        steps: [
          { type: "thought", data: i, taskId: crew.tasks[i % 3] },
          { type: "message", data: "no task" },
        ],
      });
      children.push(child);
    }
    await rejectsWith(
      t.member.executions.complete({ id: run.id, output: 1, usage: usage(0), costUsd: 0 }),
      "PRECONDITION_FAILED",
      /running child runs/,
    );
    for (const [i, child] of children.entries()) {
      await t.member.executions.complete({ id: child.id, output: i, usage: usage(i), costUsd: 0.01 * (i + 1) });
    }
    // What the caller sends as a crew run's usage is replaced by its children's sums.
    const done = await t.member.executions.complete({ id: run.id, output: "shipped", usage: usage(99), costUsd: 5 });
    expect(done.usage).toMatchObject({ inputTokens: 303, outputTokens: 33 });
    expect(done.costUsd).toBeCloseTo(0.06, 6);

    const read = await t.member.executions.get({ id: run.id });
    expect(read.childRuns.map((c) => c.id)).toEqual(children.map((c) => c.id));
    expect(read.childRuns[0]).not.toHaveProperty("input");
    const child = await t.member.executions.get({ id: children[0]!.id });
    expect(child.steps.map((s) => s.taskId)).toEqual([crew.tasks[0], null]);
    expect(child.childRuns).toEqual([]);

    const list = (input: Record<string, unknown>) =>
      t.member.executions.list({ limit: 100, ...input }).then((p) => p.items.map((e) => e.id));
    expect(await list({ parentExecutionId: run.id })).toEqual([...children].reverse().map((c) => c.id));
    expect((await list({ crewId: crew.id })).sort()).toEqual([run.id, ...children.map((c) => c.id)].sort());

    // usage.crew: the crew run once, with its children's tokens; the agents count their child runs.
    const crewUsage = await t.member.usage.crew({ crewId: crew.id });
    expect(crewUsage).toMatchObject({
      crewId: crew.id,
      lifetime: { executions: 1, succeeded: 1, inputTokens: 303, outputTokens: 33, totalTokens: 336 },
      today: { executions: 1, totalTokens: 336 },
      thisMonth: { executions: 1 },
    });
    expect(crewUsage.lifetime.costUsd).toBeCloseTo(0.06, 6);
    expect((await t.member.usage.agent({ agentId: crew.manager! })).lifetime).toMatchObject({ executions: 1, inputTokens: 102 });
    const chart = await t.member.usage.timeseries({ from: today(), to: today(), crewId: crew.id });
    expect(chart.buckets).toEqual([expect.objectContaining({ day: today(), executions: 1, totalTokens: 336 })]);
    // The tenant: one execution (the crew run), the children's tokens once.
    expect((await t.member.usage.tenant()).lifetime).toMatchObject({ executions: 1, totalTokens: 336 });
  });

  it("gets a crew run with its child runs in two statements", async () => {
    const run = await t.member.executions.start({ crewId: crew.id, input: 1 });
    for (const agentId of crew.members) await t.member.executions.start({ agentId, parentExecutionId: run.id, input: 2 });
    h.statements.length = 0;
    const read = await t.member.executions.get({ id: run.id });
    const inside = h.statements.filter((s) => !/^(begin|commit|select set_config)/i.test(s));
    expect(inside).toHaveLength(2);
    expect(read.childRuns).toHaveLength(2);
    await t.member.executions.cancel({ id: run.id });
  });

  it("cancels (or fails) a crew run's running children with it, in the same transaction", async () => {
    for (const how of ["cancel", "fail"] as const) {
      const run = await t.member.executions.start({ crewId: crew.id, input: how });
      const [a, b] = await Promise.all(
        crew.members.map((agentId) => t.member.executions.start({ agentId, parentExecutionId: run.id, input: 1 })),
      );
      await t.member.executions.complete({ id: a!.id, output: 1, usage: usage(1), costUsd: 0.5 });
      const closed =
        how === "cancel"
          ? await t.member.executions.cancel({ id: run.id, reason: "stop" })
          : await t.member.executions.fail({ id: run.id, error: { message: "boom" } });
      expect(closed).toMatchObject({ status: how === "cancel" ? "cancelled" : "failed", usage: { inputTokens: 101 }, costUsd: 0.5 });
      const read = await t.member.executions.get({ id: run.id });
      expect(Object.fromEntries(read.childRuns.map((c) => [c.id, c.status]))).toEqual({ [a!.id]: "succeeded", [b!.id]: "cancelled" });
      expect(read.childRuns.find((c) => c.id === b!.id)?.error?.message).toMatch(/crew run/);
      await rejectsWith(
        t.member.executions.start({ agentId: crew.members[0]!, parentExecutionId: run.id, input: 1 }),
        "PRECONDITION_FAILED",
        /already/,
      );
    }
  });

  it("refuses what does not fit: subject, membership, parent, paused agents, tasks", async () => {
    const agentId = crew.members[0]!;
    await rejectsWith(t.member.executions.start({ agentId, crewId: crew.id, input: 1 } as never), "BAD_REQUEST", /exactly one/);
    await rejectsWith(t.member.executions.start({ input: 1 } as never), "BAD_REQUEST", /exactly one/);
    await rejectsWith(t.member.executions.start({ crewId: crew.id, parentExecutionId: crypto.randomUUID(), input: 1 }), "BAD_REQUEST");
    await rejectsWith(t.member.executions.start({ crewId: crypto.randomUUID(), input: 1 }), "NOT_FOUND", /crew/);
    const outsider = await activeAgent(t, "Outsider");
    const run = await t.member.executions.start({ crewId: crew.id, input: 1 });
    await rejectsWith(
      t.member.executions.start({ agentId: outsider, parentExecutionId: run.id, input: 1 }),
      "BAD_REQUEST",
      /neither a member/,
    );
    const agentRun = await t.member.executions.start({ agentId: outsider, input: 1 });
    await rejectsWith(t.member.executions.start({ agentId, parentExecutionId: agentRun.id, input: 1 }), "BAD_REQUEST", /not a crew run/);
    await rejectsWith(t.member.executions.start({ agentId, parentExecutionId: crypto.randomUUID(), input: 1 }), "NOT_FOUND");
    // Steps: only tasks of the run's crew; an agent run names none.
    const child = await t.member.executions.start({ agentId, parentExecutionId: run.id, input: 1 });
    const otherCrew = await newCrew(h, t, { memberIds: [agentId], tasks: 1 });
    await rejectsWith(
      t.member.executions.appendSteps({ executionId: child.id, steps: [{ type: "thought", data: 1, taskId: otherCrew.tasks[0] }] }),
      "BAD_REQUEST",
      /not a task of crew/,
    );
    await rejectsWith(
      t.member.executions.appendSteps({ executionId: agentRun.id, steps: [{ type: "thought", data: 1, taskId: crew.tasks[0] }] }),
      "BAD_REQUEST",
      /only steps of a crew run/,
    );
    expect((await t.member.executions.get({ id: child.id })).stepCount).toBe(0);
    await t.member.executions.appendSteps({ executionId: run.id, steps: [{ type: "message", data: "plan", taskId: crew.tasks[1] }] });
    // A paused member (or manager) stops the crew from running, and from taking it as a child run.
    const paused = await newCrew(h, t, { members: 2 });
    await t.member.agents.setStatus({ id: paused.members[1]!, status: "paused" });
    await rejectsWith(t.member.executions.start({ crewId: paused.id, input: 1 }), "PRECONDITION_FAILED", /paused/);
    await t.member.agents.setStatus({ id: crew.manager!, status: "paused" });
    await rejectsWith(t.member.executions.start({ crewId: crew.id, input: 1 }), "PRECONDITION_FAILED", /paused/);
    await rejectsWith(
      t.member.executions.start({ agentId: crew.manager!, parentExecutionId: run.id, input: 1 }),
      "PRECONDITION_FAILED",
      /paused/,
    );
    await t.member.agents.setStatus({ id: crew.manager!, status: "active" });
    const empty = await newCrew(h, t, { memberIds: [], members: 0 });
    await rejectsWith(t.member.executions.start({ crewId: empty.id, input: 1 }), "PRECONDITION_FAILED", /no members/);
    await t.member.executions.cancel({ id: run.id });
  });

  it("runs in a conversation of the same agent or crew, and counts it there", async () => {
    const agentId = await activeAgent(t, "Chatty");
    const withAgent = await newConversation(h, t, { agentId });
    const withCrew = await newConversation(h, t, { crewId: crew.id });
    const e = await t.member.executions.start({ agentId, conversationId: withAgent, input: "hi" });
    expect(e.conversationId).toBe(withAgent);
    await t.member.executions.complete({ id: e.id, output: "hello", usage: usage(1), costUsd: 0.25 });
    const run = await t.member.executions.start({ crewId: crew.id, conversationId: withCrew, input: "hi" });
    const child = await t.member.executions.start({ agentId: crew.members[0]!, parentExecutionId: run.id, input: 1 });
    await t.member.executions.complete({ id: child.id, output: 1, usage: usage(2), costUsd: 0.5 });
    await t.member.executions.complete({ id: run.id, output: 2, usage: usage(0), costUsd: 0 });
    expect(await conversationCounters(h, t, withAgent)).toEqual({ executions: 1, inputTokens: 101, outputTokens: 11, costUsd: 0.25 });
    expect(await conversationCounters(h, t, withCrew)).toEqual({ executions: 1, inputTokens: 102, outputTokens: 12, costUsd: 0.5 });

    await rejectsWith(t.member.executions.start({ crewId: crew.id, conversationId: withAgent, input: 1 }), "BAD_REQUEST", /conversation/);
    await rejectsWith(
      t.member.executions.start({ agentId: crew.members[0]!, conversationId: withAgent, input: 1 }),
      "BAD_REQUEST",
      /conversation/,
    );
    await rejectsWith(t.member.executions.start({ agentId, conversationId: crypto.randomUUID(), input: 1 }), "NOT_FOUND", /conversation/);
    const theirs = await newConversation(h, other, { agentId: await activeAgent(other) });
    await rejectsWith(t.member.executions.start({ agentId, conversationId: theirs, input: 1 }), "NOT_FOUND", /conversation/);
    const open = await t.member.executions.start({ crewId: crew.id, input: 1 });
    await rejectsWith(
      t.member.executions.start({ agentId: crew.members[0]!, parentExecutionId: open.id, conversationId: withCrew, input: 1 }),
      "BAD_REQUEST",
      /conversationId/,
    );
    await t.member.executions.cancel({ id: open.id });
  });

  it("runs a member only in their own conversations, and none in an archived one", async () => {
    const agentId = await activeAgent(t, "Private chat");
    const mine = await newConversation(h, t, { agentId }); // owned by t.member
    // Another member of the same tenant does not see it, so cannot run in it; a service token can.
    await rejectsWith(t.otherMember.executions.start({ agentId, conversationId: mine, input: 1 }), "NOT_FOUND", /conversation/);
    await rejectsWith(
      t.otherMember.executions.record({
        runs: [
          {
            agentId,
            conversationId: mine,
            input: 1,
            output: 1,
            status: "succeeded",
            durationMs: 1000,
            usage: { inputTokens: 1, outputTokens: 1 },
            costUsd: 0,
          },
        ],
      }),
      "NOT_FOUND",
      /conversation/,
    );
    const byService = await t.service.executions.start({ agentId, conversationId: mine, input: 1 });
    await t.service.executions.cancel({ id: byService.id });
    await t.member.conversations.archive({ id: mine, archived: true });
    await rejectsWith(t.member.executions.start({ agentId, conversationId: mine, input: 1 }), "PRECONDITION_FAILED", /archived/);
    await t.member.conversations.archive({ id: mine, archived: false });
    const run = await t.member.executions.start({ agentId, conversationId: mine, input: 1 });
    expect(run.conversationId).toBe(mine);
    await t.member.executions.cancel({ id: run.id });
  });

  it("keeps another tenant's crew, crew run and conversation out of reach", async () => {
    const run = await t.member.executions.start({ crewId: crew.id, input: 1 });
    await rejectsWith(other.member.executions.start({ crewId: crew.id, input: 1 }), "NOT_FOUND");
    const theirAgent = await activeAgent(other);
    await rejectsWith(other.member.executions.start({ agentId: theirAgent, parentExecutionId: run.id, input: 1 }), "NOT_FOUND");
    await rejectsWith(other.member.usage.crew({ crewId: crew.id }), "NOT_FOUND");
    await rejectsWith(other.member.usage.timeseries({ from: today(), to: today(), crewId: crew.id }), "NOT_FOUND");
    expect((await other.member.executions.list({ crewId: crew.id })).items).toEqual([]);
    await rejectsWith(
      t.member.usage.timeseries({ from: today(), to: today(), crewId: crew.id, agentId: crew.members[0]! }),
      "BAD_REQUEST",
      /one of/,
    );
    await t.member.executions.cancel({ id: run.id });
    const [row] = await withTenant(h.database.db, other.tenantId, (tx) =>
      queryRows<{ n: number }>(tx, sql`select count(*)::int as n from agent_executions`),
    );
    expect(row!.n).toBe(0);
  });

  it("answers usage.crew for a crew without runs with zeros", async () => {
    const idle = await newCrew(h, t, { members: 1 });
    expect((await t.member.usage.crew({ crewId: idle.id })).lifetime).toMatchObject({ executions: 0, lastExecutedAt: null });
    expect(await newAgent(t)).toBeTruthy();
  });
});
