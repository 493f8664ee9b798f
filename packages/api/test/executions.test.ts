import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { JsonValue } from "@agent-builder/contracts";
import { queryRows, sql, withTenant } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { createHarness, type Harness, newAgent, rejectsWith, type TestTenant } from "./support";

const usage = { inputTokens: 120, outputTokens: 30, cachedInputTokens: 20, reasoningTokens: 10 };

describe.each(testTargets())("executions on %s", (target) => {
  let h: Harness;
  let t: TestTenant;
  let agentId: string;
  beforeAll(async () => {
    h = await createHarness(target);
    t = await h.tenant("exec-tenant");
    agentId = (await t.member.agents.setStatus({ id: (await newAgent(t)).id, status: "active" })).id;
  });
  afterAll(() => h?.close());

  it("runs the lifecycle: start, append steps, complete, get with steps", async () => {
    const started = await t.member.executions.start({ agentId, input: { question: "why?" }, metadata: { source: "test" } });
    expect(started).toMatchObject({
      agentId,
      userId: t.memberId,
      status: "running",
      completedAt: null,
      durationMs: null,
      input: { question: "why?" },
      output: null,
      metadata: { source: "test" },
      stepCount: 0,
    });
    const first = await t.member.executions.appendSteps({
      executionId: started.id,
      steps: [
        { type: "thought", data: { text: "think" }, inputTokens: 5 },
        { type: "tool_call", data: { tool: "search" } },
      ],
    });
    expect(first.steps.map((s) => s.ordinal)).toEqual([1, 2]);
    const second = await t.member.executions.appendSteps({ executionId: started.id, steps: [{ type: "message", data: "hi" }] });
    expect(second).toMatchObject({ stepCount: 3, steps: [{ ordinal: 3, type: "message" }] });

    const done = await t.member.executions.complete({ id: started.id, output: { answer: 42 }, usage, costUsd: 0.001234, durationMs: 1500 });
    expect(done).toMatchObject({
      status: "succeeded",
      output: { answer: 42 },
      durationMs: 1500,
      costUsd: 0.001234,
      usage: { ...usage, totalTokens: 150 },
      error: null,
    });
    expect(Date.parse(done.completedAt!)).toBeGreaterThanOrEqual(Date.parse(done.startedAt));

    const read = await t.member.executions.get({ id: started.id });
    expect(read.steps.map((s) => [s.ordinal, s.type])).toEqual([
      [1, "thought"],
      [2, "tool_call"],
      [3, "message"],
    ]);
    expect(read.steps[0]).toMatchObject({ data: { text: "think" }, inputTokens: 5, outputTokens: 0 });
  });

  it("measures the duration itself when the runner does not send one", async () => {
    const e = await t.member.executions.start({ agentId, input: 1 });
    const done = await t.member.executions.complete({ id: e.id, output: 2, usage, costUsd: 0 });
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("records failures with error code and message, and cancellations with a reason", async () => {
    const failed = await t.member.executions.start({ agentId, input: "x" });
    expect(
      await t.member.executions.fail({ id: failed.id, error: { code: "rate_limited", message: "429 from provider" }, usage, costUsd: 0.5 }),
    ).toMatchObject({ status: "failed", error: { code: "rate_limited", message: "429 from provider" }, costUsd: 0.5 });
    const cancelled = await t.member.executions.start({ agentId, input: "y" });
    expect(await t.member.executions.cancel({ id: cancelled.id, reason: "user left" })).toMatchObject({
      status: "cancelled",
      error: { code: "cancelled", message: "user left" },
    });
  });

  it("never changes a terminal execution again, and appends no steps to it", async () => {
    const e = await t.member.executions.start({ agentId, input: null });
    await t.member.executions.complete({ id: e.id, output: null, usage, costUsd: 0 });
    await rejectsWith(t.member.executions.fail({ id: e.id, error: { message: "late" } }), "CONFLICT", /already succeeded/);
    await rejectsWith(t.member.executions.cancel({ id: e.id }), "CONFLICT");
    await rejectsWith(t.member.executions.complete({ id: e.id, output: 1, usage, costUsd: 0 }), "CONFLICT");
    await rejectsWith(
      t.member.executions.appendSteps({ executionId: e.id, steps: [{ type: "error", data: 1 }] }),
      "CONFLICT",
      /while it is running/,
    );
    // The trigger enforces it even for SQL that skips the API.
    const blocked = withTenant(h.database.db, t.tenantId, (tx) =>
      tx.execute(sql`update agent_executions set status = 'failed' where id = ${e.id}`),
    );
    await expect(blocked).rejects.toMatchObject({ cause: { code: "AB409" } });
  });

  it("lets exactly one of concurrent complete, fail and cancel win, and counts it once", async () => {
    const racer = await newAgent(t);
    const e = await t.member.executions.start({ agentId: racer.id, input: "race" });
    const results = await Promise.allSettled([
      t.member.executions.complete({ id: e.id, output: 1, usage, costUsd: 0.1 }),
      t.member.executions.fail({ id: e.id, error: { message: "x" } }),
      t.member.executions.cancel({ id: e.id }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason.code).toBe("CONFLICT");
    const stats = (await t.member.agents.get({ id: racer.id })).stats;
    expect(stats.totalExecutions).toBe(1);
  });

  it("is idempotent per key: same payload returns the same execution, a different one is a CONFLICT", async () => {
    const key = `key-${crypto.randomUUID()}`;
    const first = await t.member.executions.start({ agentId, input: { a: 1, b: [1, 2] }, idempotencyKey: key });
    const again = await t.member.executions.start({ agentId, input: { b: [1, 2], a: 1 }, idempotencyKey: key });
    expect(again.id).toBe(first.id);
    await rejectsWith(t.member.executions.start({ agentId, input: { a: 2 }, idempotencyKey: key }), "CONFLICT", /different payload/);
    const other = await newAgent(t);
    await rejectsWith(t.member.executions.start({ agentId: other.id, input: { a: 1, b: [1, 2] }, idempotencyKey: key }), "CONFLICT");
  });

  it("creates exactly one execution for concurrent starts with the same key", async () => {
    const key = `burst-${crypto.randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => t.member.executions.start({ agentId, input: { burst: true }, idempotencyKey: key })),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const [row] = await withTenant(h.database.db, t.tenantId, (tx) =>
      queryRows<{ n: number }>(tx, sql`select count(*)::int as n from agent_executions where idempotency_key = ${key}`),
    );
    expect(row!.n).toBe(1);
  });

  it("refuses to start paused or archived agents, and unknown ones", async () => {
    const paused = await newAgent(t);
    await t.member.agents.setStatus({ id: paused.id, status: "active" });
    await t.member.agents.setStatus({ id: paused.id, status: "paused" });
    await rejectsWith(t.member.executions.start({ agentId: paused.id, input: 1 }), "PRECONDITION_FAILED", /paused/);
    await t.member.agents.setStatus({ id: paused.id, status: "archived" });
    await rejectsWith(t.member.executions.start({ agentId: paused.id, input: 1 }), "PRECONDITION_FAILED", /archived/);
    await rejectsWith(t.member.executions.start({ agentId: crypto.randomUUID(), input: 1 }), "NOT_FOUND");
  });

  it("validates payloads: sizes, depth, numbers, step counts and token counts", async () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 40; i++) deep = [deep];
    await rejectsWith(t.member.executions.start({ agentId, input: deep as JsonValue }), "BAD_REQUEST", /nesting/);
    await rejectsWith(t.member.executions.start({ agentId, input: "x".repeat(300_000) }), "BAD_REQUEST", /limit is 262144/);
    await rejectsWith(t.member.executions.start({ agentId, input: "nul\u0000" }), "BAD_REQUEST", /NUL/);
    // A deliberately wrong type: the input is required.
    await rejectsWith(t.member.executions.start({ agentId, input: undefined as never }), "BAD_REQUEST");
    const e = await t.member.executions.start({ agentId, input: {} });
    const steps = Array.from({ length: 101 }, () => ({ type: "thought" as const, data: 1 }));
    await rejectsWith(t.member.executions.appendSteps({ executionId: e.id, steps }), "BAD_REQUEST", /steps/);
    await rejectsWith(t.member.executions.appendSteps({ executionId: e.id, steps: [] }), "BAD_REQUEST", /steps/);
    await rejectsWith(
      t.member.executions.complete({ id: e.id, output: 1, usage: { ...usage, inputTokens: -1 }, costUsd: 0 }),
      "BAD_REQUEST",
      /inputTokens/,
    );
    await rejectsWith(t.member.executions.complete({ id: e.id, output: 1, usage, costUsd: 0.0000001 }), "BAD_REQUEST", /6 decimal/);
    await rejectsWith(t.member.executions.complete({ id: e.id, output: 1, usage, costUsd: -1 }), "BAD_REQUEST", /costUsd/);
    // Nothing above changed the execution.
    expect(await t.member.executions.get({ id: e.id })).toMatchObject({ status: "running", stepCount: 0, steps: [] });
  });

  it("assigns step ordinals without gaps or duplicates under concurrent appends", async () => {
    const e = await t.member.executions.start({ agentId, input: "steps" });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.member.executions.appendSteps({
          executionId: e.id,
          steps: [
            { type: "thought", data: i },
            { type: "action", data: i },
          ],
        }),
      ),
    );
    const read = await t.member.executions.get({ id: e.id });
    expect(read.stepCount).toBe(20);
    expect(read.steps.map((s) => s.ordinal)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("lists newest first with keyset pagination and filters", async () => {
    const l = await h.tenant("exec-list-tenant");
    const a = await newAgent(l);
    const b = await newAgent(l);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const api = i % 2 ? l.member : l.otherMember;
      const e = await api.executions.start({ agentId: i < 5 ? a.id : b.id, input: i });
      if (i % 3 === 0) await api.executions.complete({ id: e.id, output: i, usage, costUsd: 0 });
      ids.push(e.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await l.member.executions.list({ limit: 3, cursor });
      for (const item of page.items) expect(item).not.toHaveProperty("input");
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const list = (input: Record<string, unknown>) => l.member.executions.list({ limit: 100, ...input }).then((p) => p.items.length);
    expect(await list({ agentId: b.id })).toBe(2);
    expect(await list({ userId: l.memberId })).toBe(3);
    expect(await list({ status: "succeeded" })).toBe(3);
    expect(await list({ status: ["running", "succeeded"] })).toBe(7);
    expect(await list({ from: new Date(Date.now() + 60_000).toISOString() })).toBe(0);
    expect(await list({ to: new Date(Date.now() + 60_000).toISOString(), from: "2020-01-01T00:00:00Z" })).toBe(7);
    await rejectsWith(l.member.executions.list({ from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }), "BAD_REQUEST", /before/);
    await rejectsWith(l.member.executions.list({ from: "yesterday" }), "BAD_REQUEST", /from/);
  });
});
