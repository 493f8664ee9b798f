import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { crewLimits } from "@agent-builder/contracts";
import { queryRow, sql, withTenant } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { activeAgent, conversationCounters, newConversation, newCrew, type TestCrew } from "./crew-fixtures";
import { createHarness, type Harness, rejectsWith, type TestTenant, tenantSnapshot } from "./support";

const usage = (n: number) => ({ inputTokens: 100 + n, outputTokens: 10 + n });

/** The tenant's counters against a recount of its runs: agents (child runs included), crews (crew runs), tenant (top-level runs; tokens of agent and child runs). */
async function recount(h: Harness, t: TestTenant) {
  return withTenant(h.database.db, t.tenantId, (tx) =>
    queryRow<Record<string, string>>(
      tx,
      sql`select
            (select json_agg(x order by agent_id)::text from (select agent_id, sum(total_executions) as n, sum(total_tokens) as tokens,
                    sum(total_cost_usd) as cost, sum(total_duration_ms) as duration from agent_usage_stats group by agent_id
                    having sum(total_executions) > 0) x) as agents,
            (select json_agg(x order by agent_id)::text from (select agent_id, count(*) as n, sum(total_tokens) as tokens, sum(cost_usd) as cost,
                    sum(duration_ms) as duration from agent_executions where agent_id is not null and status <> 'running' group by agent_id) x) as "agentsTruth",
            (select json_agg(x order by crew_id)::text from (select crew_id, sum(total_executions) as n, sum(total_tokens) as tokens,
                    sum(total_cost_usd) as cost from crew_usage_stats group by crew_id) x) as crews,
            (select json_agg(x order by crew_id)::text from (select p.crew_id, count(*) as n,
                    sum((select sum(c.total_tokens) from agent_executions c where c.parent_execution_id = p.id)) as tokens,
                    sum((select sum(c.cost_usd) from agent_executions c where c.parent_execution_id = p.id)) as cost
                    from agent_executions p where p.agent_id is null and p.status <> 'running' group by p.crew_id) x) as "crewsTruth",
            (select json_build_object('n', sum(total_executions), 'tokens', sum(total_tokens), 'cost', sum(total_cost_usd))::text
               from tenant_usage_daily) as tenant,
            (select json_build_object('n', count(*) filter (where parent_execution_id is null),
                                      'tokens', sum(total_tokens) filter (where agent_id is not null),
                                      'cost', sum(cost_usd) filter (where agent_id is not null))::text
               from agent_executions where status <> 'running') as "tenantTruth"`,
    ),
  );
}

async function expectExact(h: Harness, t: TestTenant) {
  const c = await recount(h, t);
  expect(c.agents).toBe(c.agentsTruth);
  expect(c.crews).toBe(c.crewsTruth);
  expect(c.tenant).toBe(c.tenantTruth);
}

describe.each(testTargets())("executions.record on %s", (target) => {
  let h: Harness;
  let t: TestTenant;
  let agentId: string;
  let crew: TestCrew;
  beforeAll(async () => {
    h = await createHarness(target);
    t = await h.tenant("record-tenant");
    agentId = await activeAgent(t);
    crew = await newCrew(h, t, { members: 2, tasks: 3, manager: true });
  });
  afterAll(() => h?.close());

  it("records one finished run: status, output, usage, cost, timings, metadata, steps", async () => {
    const startedAt = new Date(Date.now() - 5_000).toISOString();
    const { runs } = await t.member.executions.record({
      runs: [
        {
          agentId,
          input: { q: "why?" },
          output: { a: 42 },
          status: "succeeded",
          startedAt,
          durationMs: 1_500,
          usage: { inputTokens: 120, outputTokens: 30, cachedInputTokens: 20, reasoningTokens: 5 },
          costUsd: 0.001234,
          metadata: { source: "batch" },
          steps: [
            { type: "thought", data: { t: 1 }, inputTokens: 3 },
            { type: "message", data: "hi" },
          ],
        },
      ],
    });
    expect(runs).toEqual([{ id: expect.any(String), childIds: [] }]);
    const read = await t.member.executions.get({ id: runs[0]!.id });
    expect(read).toMatchObject({
      agentId,
      crewId: null,
      userId: t.memberId,
      status: "succeeded",
      input: { q: "why?" },
      output: { a: 42 },
      startedAt: new Date(startedAt).toISOString(),
      completedAt: new Date(Date.parse(startedAt) + 1_500).toISOString(),
      durationMs: 1_500,
      usage: { inputTokens: 120, outputTokens: 30, cachedInputTokens: 20, reasoningTokens: 5, totalTokens: 150 },
      costUsd: 0.001234,
      metadata: { source: "batch" },
      stepCount: 2,
      error: null,
    });
    expect(read.steps.map((s) => [s.ordinal, s.type, s.taskId])).toEqual([
      [1, "thought", null],
      [2, "message", null],
    ]);
    await expectExact(h, t);
  });

  it("records a batch of 100 in one transaction with a fixed number of statements, ids in input order", async () => {
    const agents = [agentId, await activeAgent(t, "Second")];
    const runs = Array.from({ length: crewLimits.recordBatchMax }, (_, i) => ({
      agentId: agents[i % 2]!,
      input: i,
      output: i,
      status: i % 10 === 9 ? ("failed" as const) : ("succeeded" as const),
      ...(i % 10 === 9 && { error: { code: "boom", message: `run ${i}` } }),
      durationMs: 100 + i,
      usage: usage(i),
      costUsd: 0.000_001 * i,
      steps: [{ type: "action" as const, data: i }],
    }));
    h.statements.length = 0;
    const result = await t.member.executions.record({ runs });
    const inside = h.statements.filter((s) => !/^(begin|commit|select set_config)/i.test(s));
    // subjects, advisory lock, runs, steps
    expect(inside).toHaveLength(4);
    expect(result.runs).toHaveLength(100);
    const page = await t.member.executions.list({ limit: 100 });
    const inputs = new Map(
      (await Promise.all(result.runs.slice(0, 3).map((r) => t.member.executions.get({ id: r.id })))).map((e) => [e.id, e.input]),
    );
    expect(result.runs.slice(0, 3).map((r) => inputs.get(r.id))).toEqual([0, 1, 2]);
    expect(page.items.filter((e) => e.status === "failed")).toHaveLength(10);
    await expectExact(h, t);
  });

  it("records a crew run with its child runs and steps by task; the crew run sums its children; counted in the conversation", async () => {
    const conversation = await newConversation(h, t, { crewId: crew.id });
    const [m0, m1] = crew.members as [string, string];
    const { runs } = await t.member.executions.record({
      runs: [
        {
          crewId: crew.id,
          conversationId: conversation,
          input: { goal: "ship" },
          output: "shipped",
          status: "succeeded",
          durationMs: 3_000,
          steps: [{ type: "message", data: "plan", taskId: crew.tasks[0] }],
          childRuns: [
            {
              agentId: m0,
              input: 1,
              output: 1,
              status: "succeeded",
              durationMs: 1_000,
              usage: usage(1),
              costUsd: 0.1,
              steps: [{ type: "thought", data: 1, taskId: crew.tasks[0] }],
            },
            {
              agentId: m1,
              input: 2,
              output: 2,
              status: "failed",
              error: { message: "x" },
              durationMs: 1_000,
              usage: usage(2),
              costUsd: 0.2,
              steps: [{ type: "action", data: 2, taskId: crew.tasks[1] }],
            },
            { agentId: crew.manager!, input: 3, status: "cancelled", durationMs: 10, usage: usage(3), costUsd: 0.3 },
          ],
        },
      ],
    });
    const [run] = runs;
    expect(run!.childIds).toHaveLength(3);
    const read = await t.member.executions.get({ id: run!.id });
    expect(read).toMatchObject({
      agentId: null,
      crewId: crew.id,
      conversationId: conversation,
      status: "succeeded",
      usage: { inputTokens: 306, outputTokens: 36 },
    });
    expect(read.costUsd).toBeCloseTo(0.6, 6);
    expect(read.steps.map((s) => s.taskId)).toEqual([crew.tasks[0]]);
    expect(read.childRuns.map((c) => [c.id, c.agentId, c.status, c.parentExecutionId])).toEqual([
      [run!.childIds[0], m0, "succeeded", run!.id],
      [run!.childIds[1], m1, "failed", run!.id],
      [run!.childIds[2], crew.manager, "cancelled", run!.id],
    ]);
    const child = await t.member.executions.get({ id: run!.childIds[1]! });
    expect(child.steps.map((s) => s.taskId)).toEqual([crew.tasks[1]]);
    expect(await conversationCounters(h, t, conversation)).toEqual({ executions: 1, inputTokens: 306, outputTokens: 36, costUsd: 0.6 });
    expect((await t.member.usage.crew({ crewId: crew.id })).lifetime).toMatchObject({ executions: 1, succeeded: 1, totalTokens: 342 });
    await expectExact(h, t);
  });

  it("returns the same ids for a retried batch and records nothing twice; a key with another payload is a CONFLICT for the whole call", async () => {
    const key = `rec-${crypto.randomUUID()}`;
    const batch = {
      runs: [
        {
          agentId,
          input: { a: 1, b: 2 },
          output: 1,
          status: "succeeded" as const,
          durationMs: 5,
          usage: usage(1),
          costUsd: 0.5,
          idempotencyKey: `${key}-a`,
        },
        {
          crewId: crew.id,
          input: "crew",
          status: "succeeded" as const,
          durationMs: 9,
          idempotencyKey: `${key}-crew`,
          childRuns: crew.members.map((member, i) => ({
            agentId: member,
            input: i,
            output: i,
            status: "succeeded" as const,
            durationMs: 3,
            usage: usage(i),
            costUsd: 0.1,
            idempotencyKey: `${key}-child-${i}`,
          })),
        },
      ],
    };
    const first = await t.member.executions.record(batch);
    const before = await tenantSnapshot(h, t.tenantId);
    // Same payload, keys reordered in the JSON: the same ids, nothing written.
    const again = await t.member.executions.record({ runs: [{ ...batch.runs[0]!, input: { b: 2, a: 1 } }, batch.runs[1]!] });
    expect(again).toEqual(first);
    expect(await tenantSnapshot(h, t.tenantId)).toBe(before);
    // A retry with one new run records only that one.
    const grown = await t.member.executions.record({ runs: [...batch.runs, { ...batch.runs[0]!, idempotencyKey: `${key}-new` }] });
    expect(grown.runs.slice(0, 2)).toEqual(first.runs);
    expect(grown.runs[2]!.id).not.toBe(first.runs[0]!.id);
    const afterGrown = await tenantSnapshot(h, t.tenantId);
    // Same key, another payload: CONFLICT, and nothing of the call is written (the fresh run neither).
    await rejectsWith(
      t.member.executions.record({
        runs: [
          { ...batch.runs[0]!, idempotencyKey: `${key}-other` },
          { ...batch.runs[0]!, output: 2 },
        ],
      }),
      "CONFLICT",
      /runs\.1\.idempotencyKey/,
    );
    const changedChild = {
      ...batch.runs[1]!,
      childRuns: [batch.runs[1]!.childRuns![0]!, { ...batch.runs[1]!.childRuns![1]!, input: "other" }],
    };
    await rejectsWith(t.member.executions.record({ runs: [changedChild] }), "CONFLICT", /childRuns\.1/);
    await rejectsWith(
      t.member.executions.record({ runs: [{ ...batch.runs[1]!, childRuns: batch.runs[1]!.childRuns!.slice(0, 1) }] }),
      "CONFLICT",
    );
    // A child's key reused by a new crew run: CONFLICT.
    await rejectsWith(
      t.member.executions.record({ runs: [{ ...batch.runs[1]!, idempotencyKey: `${key}-crew2` }] }),
      "CONFLICT",
      /childRuns\.0\.idempotencyKey/,
    );
    await rejectsWith(t.member.executions.record({ runs: [batch.runs[0]!, batch.runs[0]!] }), "BAD_REQUEST", /twice/);
    expect(await tenantSnapshot(h, t.tenantId)).toBe(afterGrown);
    await expectExact(h, t);
  });

  it("rolls back the whole batch when one run is refused: nothing written", async () => {
    const paused = await activeAgent(t, "Paused");
    await t.member.agents.setStatus({ id: paused, status: "paused" });
    const outsider = await activeAgent(t, "Outsider");
    const good = { agentId, input: 1, output: 1, status: "succeeded" as const, durationMs: 1, usage: usage(0), costUsd: 0 };
    const before = await tenantSnapshot(h, t.tenantId);
    const cases: Array<[unknown, string, RegExp]> = [
      [{ ...good, agentId: paused }, "PRECONDITION_FAILED", /runs\.3: agent .* is paused/],
      [{ ...good, agentId: crypto.randomUUID() }, "NOT_FOUND", /runs\.3: agent/],
      [{ ...good, agentId: undefined, usage: undefined, costUsd: undefined, crewId: crypto.randomUUID() }, "NOT_FOUND", /crew/],
      [{ ...good, conversationId: crypto.randomUUID() }, "NOT_FOUND", /conversation/],
      [{ ...good, steps: [{ type: "thought", data: 1, taskId: crew.tasks[0] }] }, "BAD_REQUEST", /only steps of a crew run/],
      [{ ...good, steps: [{ type: "thought", data: 1, taskId: crypto.randomUUID() }] }, "NOT_FOUND", /task/],
      [
        { crewId: crew.id, input: 1, status: "succeeded", durationMs: 1, childRuns: [{ ...good, agentId: outsider }] },
        "BAD_REQUEST",
        /runs\.3: childRuns\.0: .*neither a member/,
      ],
      [{ ...good, startedAt: new Date(Date.now() + 3_600_000).toISOString() }, "BAD_REQUEST", /future/],
    ];
    for (const [bad, code, message] of cases) {
      await rejectsWith(t.member.executions.record({ runs: [good, good, good, bad as typeof good] }), code, message);
    }
    expect(await tenantSnapshot(h, t.tenantId)).toBe(before);
  });

  it("validates the input: 400 naming the field", async () => {
    const good = { agentId, input: 1, output: 1, status: "succeeded" as const, durationMs: 1, usage: usage(0), costUsd: 0 };
    const bad = (runs: unknown[], message: RegExp) =>
      rejectsWith(t.member.executions.record({ runs: runs as never }), "BAD_REQUEST", message);
    await bad([], /runs/);
    await bad(
      Array.from({ length: crewLimits.recordBatchMax + 1 }, () => good),
      /runs/,
    );
    await bad([{ ...good, crewId: crew.id }], /exactly one/);
    await bad([{ ...good, status: "running" }], /status/);
    await bad([{ ...good, status: "failed" }], /error/);
    await bad([{ ...good, error: { message: "x" } }], /no error/);
    // Usage is optional (the database prices the run), but its parts must fit in their wholes.
    await bad([{ ...good, usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 2 } }], /cachedInputTokens/);
    await bad([{ ...good, durationMs: undefined }], /durationMs/);
    await bad([{ ...good, costUsd: 0.0000001 }], /6 decimal/);
    await bad([{ crewId: crew.id, input: 1, status: "succeeded", durationMs: 1, usage: usage(1) }], /sum of its child runs/);
    await bad([{ ...good, childRuns: [good] }], /only a crew run/);
    const child = { ...good, agentId: crew.members[0]! };
    await bad(
      [
        {
          crewId: crew.id,
          input: 1,
          status: "succeeded",
          durationMs: 1,
          childRuns: Array.from({ length: crewLimits.recordChildRunsMax + 1 }, () => child),
        },
      ],
      /childRuns/,
    );
    await bad([{ ...good, completedAt: new Date().toISOString() }], /completedAt|Unrecognized/);
    await bad([{ ...good, steps: Array.from({ length: 101 }, () => ({ type: "thought", data: 1 })) }], /steps/);
  });
});
