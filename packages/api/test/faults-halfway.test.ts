/**
 * A request that fails halfway leaves no trace. Every request is one transaction
 * (packages/api/src/trpc.ts); these tests make the database fail AFTER the request's first
 * writes (test-only triggers, ./fault-injection.ts) and check that none of its writes remain,
 * that the error the client gets is a mapped one (no SQL, no trigger text), and that concurrent
 * good requests are unaffected. Runs on PGlite always, and on Postgres (node-postgres and the
 * Neon driver) when DATABASE_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { queryRows, type SQL, sql } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { mintToken } from "../src/auth";
import { apiClient, errorOf, leakPattern } from "./fault-http";
import { consistencySql, installFaultInjection } from "./fault-injection";
import { createHarness, type Harness, newAgent, rejectsWith, type TestTenant, testSecret } from "./support";

const usage = { inputTokens: 50, outputTokens: 5 };
const raise = { fault: "raise" };

describe.each(testTargets())("requests failing halfway on %s", (target) => {
  let h: Harness;
  let t: TestTenant;
  let agentId: string;
  /** What is really stored (superuser: sees every tenant, bypasses RLS). */
  const stored = <T>(query: SQL) => queryRows<T>(h.database.db, query);
  const problems = async () => (await stored<{ problem: string }>(sql.raw(consistencySql))).map((r) => r.problem);
  const stepCount = async (id: string) =>
    (await stored<{ n: number }>(sql`select step_count as n from agent_executions where id = ${id}`))[0]!.n;
  const stepsTagged = async (tag: string) =>
    (await stored<{ n: number }>(sql`select count(*)::int as n from agent_execution_steps where data->>'tag' = ${tag}`))[0]!.n;
  const usageRow = async () =>
    (
      await stored<
        Record<string, unknown>
      >(sql`select sum(total_executions) as total_executions, sum(successful_executions) as successful_executions,
                                                      sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens, sum(total_cost_usd) as total_cost_usd,
                                                      sum(total_duration_ms) as total_duration_ms, max(last_executed_at) as last_executed_at
                                               from agent_usage_stats where agent_id = ${agentId}`)
    )[0];
  const dailyRows = () =>
    stored(sql`select day, sum(total_executions) as total_executions, sum(input_tokens) as input_tokens, sum(total_cost_usd) as total_cost_usd
                                     from agent_usage_daily where agent_id = ${agentId} group by day order by day`);

  beforeAll(async () => {
    h = await createHarness(target);
    await installFaultInjection(h.database.db);
    t = await h.tenant("halfway-tenant");
    agentId = (await t.member.agents.setStatus({ id: (await newAgent(t)).id, status: "active" })).id;
    // Some history, so "unchanged" counters are not just zeros.
    for (let i = 0; i < 3; i++) {
      const e = await t.member.executions.start({ agentId, input: i });
      await t.member.executions.complete({ id: e.id, output: i, usage, costUsd: 0.01, durationMs: 100 });
    }
  });
  afterAll(() => h?.close());

  it("appendSteps failing after it bumped step_count leaves neither the bump nor any step", async () => {
    const e = await t.member.executions.start({ agentId, input: "halfway" });
    await t.member.executions.appendSteps({ executionId: e.id, steps: [{ type: "thought", data: "first" }] });

    const tag = `raise-${target}`;
    h.logged.length = 0;
    const raised = await rejectsWith(
      t.member.executions.appendSteps({
        executionId: e.id,
        steps: [
          { type: "message", data: { tag } },
          { type: "message", data: { ...raise, tag } },
          { type: "message", data: { tag } },
        ],
      }),
      "INTERNAL_SERVER_ERROR",
      /^internal server error$/,
    );
    expect(raised.message).not.toMatch(leakPattern);
    expect(h.logged.some((m) => m.includes("executions.appendSteps failed: INTERNAL_SERVER_ERROR"))).toBe(true);

    // A constraint violation in the middle (the trigger makes the second row break a CHECK): 400.
    await rejectsWith(
      t.member.executions.appendSteps({
        executionId: e.id,
        steps: [
          { type: "message", data: { tag } },
          { type: "message", data: { fault: "violate", tag } },
        ],
      }),
      "BAD_REQUEST",
      /^value rejected by rule agent_execution_steps_counts_non_negative$/,
    );

    expect(await stepCount(e.id)).toBe(1);
    expect(await stepsTagged(tag)).toBe(0);
    // The reserved ordinals were rolled back with the rest: the next append gets ordinal 2, no gap.
    const next = await t.member.executions.appendSteps({ executionId: e.id, steps: [{ type: "message", data: "next" }] });
    expect(next).toMatchObject({ stepCount: 2, steps: [{ ordinal: 2 }] });
    expect((await t.member.executions.get({ id: e.id })).steps.map((s) => s.ordinal)).toEqual([1, 2]);
    expect(await problems()).toEqual([]);
  });

  it("over HTTP the halfway failure is a plain 500 with a fixed message", async () => {
    const e = await t.member.executions.start({ agentId, input: "http" });
    const token = await mintToken(testSecret, { sub: t.memberId, tid: t.tenantId, role: "member" });
    const answer = await apiClient(() => h.handler).mutate(
      "executions.appendSteps",
      {
        executionId: e.id,
        steps: [
          { type: "message", data: "ok" },
          { type: "message", data: raise },
        ],
      },
      token,
    );
    expect(answer.status).toBe(500);
    expect(errorOf(answer)).toMatchObject({ message: "internal server error", data: { code: "INTERNAL_SERVER_ERROR" } });
    expect(answer.text).not.toMatch(leakPattern);
    expect(await stepCount(e.id)).toBe(0);
  });

  it("a concurrent burst of failing and good appends on one execution keeps exactly the good ones", async () => {
    const e = await t.member.executions.start({ agentId, input: "burst" });
    const calls = Array.from({ length: 30 }, (_, i) => {
      const bad = i % 3 === 0;
      const tag = `${bad ? "bad" : "good"}-${target}-${i}`;
      return {
        bad,
        tag,
        call: t.member.executions.appendSteps({
          executionId: e.id,
          steps: [
            { type: "message", data: { tag } },
            { type: "message", data: bad ? { ...raise, tag } : { tag } },
          ],
        }),
      };
    });
    const outcomes = await Promise.allSettled(calls.map((c) => c.call));
    calls.forEach((c, i) => expect(outcomes[i]!.status, c.tag).toBe(c.bad ? "rejected" : "fulfilled"));
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === "rejected") expect((outcome.reason as { code: string }).code, calls[i]!.tag).toBe("INTERNAL_SERVER_ERROR");
    }

    const good = calls.filter((c) => !c.bad);
    expect(await stepCount(e.id)).toBe(good.length * 2);
    const tags = await stored<{ tag: string; n: number }>(
      sql`select data->>'tag' as tag, count(*)::int as n from agent_execution_steps where execution_id = ${e.id} group by 1 order by 1`,
    );
    expect(tags).toEqual(good.map((c) => ({ tag: c.tag, n: 2 })).sort((a, b) => a.tag.localeCompare(b.tag)));
    const ordinals = (await t.member.executions.get({ id: e.id })).steps.map((s) => s.ordinal);
    expect(ordinals).toEqual(Array.from({ length: good.length * 2 }, (_, i) => i + 1));
    expect(await problems()).toEqual([]);
  });

  it("complete whose usage-counter trigger fails leaves the execution running and the counters unchanged", async () => {
    const lifetimeBefore = (await t.member.usage.agent({ agentId })).lifetime;
    const rowBefore = await usageRow();
    const dailyBefore = await dailyRows();

    const e = await t.member.executions.start({ agentId, input: "complete halfway" });
    await rejectsWith(
      t.member.executions.complete({ id: e.id, output: raise, usage, costUsd: 0.5, durationMs: 1000 }),
      "INTERNAL_SERVER_ERROR",
      /^internal server error$/,
    );
    expect(await t.member.executions.get({ id: e.id })).toMatchObject({
      status: "running",
      completedAt: null,
      output: null,
      costUsd: 0,
      usage: { inputTokens: 0, outputTokens: 0 },
    });
    expect((await t.member.usage.agent({ agentId })).lifetime).toEqual(lifetimeBefore);
    expect(await usageRow()).toEqual(rowBefore);
    expect(await dailyRows()).toEqual(dailyBefore);

    // It can still complete, and is counted exactly once.
    await t.member.executions.complete({ id: e.id, output: "fine", usage, costUsd: 0.5, durationMs: 1000 });
    expect((await t.member.usage.agent({ agentId })).lifetime).toMatchObject({
      executions: lifetimeBefore.executions + 1,
      succeeded: lifetimeBefore.succeeded + 1,
      inputTokens: lifetimeBefore.inputTokens + usage.inputTokens,
      costUsd: expect.closeTo(lifetimeBefore.costUsd + 0.5, 6),
    });
    expect(await problems()).toEqual([]);
  });

  it("a concurrent burst of failing and good completions counts exactly the good ones", async () => {
    const lifetimeBefore = (await t.member.usage.agent({ agentId })).lifetime;
    const executions = await Promise.all(Array.from({ length: 12 }, (_, i) => t.member.executions.start({ agentId, input: { burst: i } })));
    const outcomes = await Promise.allSettled(
      executions.map((e, i) =>
        t.member.executions.complete({ id: e.id, output: i % 2 ? { ok: i } : raise, usage, costUsd: 0.25, durationMs: 10 }),
      ),
    );
    outcomes.forEach((o, i) => expect(o.status).toBe(i % 2 ? "fulfilled" : "rejected"));
    const statuses = await stored<{ id: string; status: string }>(
      sql`select id, status from agent_executions where id in (${sql.join(
        executions.map((e) => sql`${e.id}::uuid`),
        sql`, `,
      )})`,
    );
    const byId = new Map(statuses.map((s) => [s.id, s.status]));
    executions.forEach((e, i) => expect(byId.get(e.id)).toBe(i % 2 ? "succeeded" : "running"));
    expect((await t.member.usage.agent({ agentId })).lifetime).toMatchObject({
      executions: lifetimeBefore.executions + 6,
      succeeded: lifetimeBefore.succeeded + 6,
      inputTokens: lifetimeBefore.inputTokens + 6 * usage.inputTokens,
      costUsd: expect.closeTo(lifetimeBefore.costUsd + 1.5, 6),
    });
    expect(await problems()).toEqual([]);
  });

  it("start failing after its insert leaves no execution, and the idempotency key stays free", async () => {
    const key = `halfway-${target}-${crypto.randomUUID()}`;
    await rejectsWith(t.member.executions.start({ agentId, input: raise, idempotencyKey: key }), "INTERNAL_SERVER_ERROR");
    expect(await stored(sql`select id from agent_executions where idempotency_key = ${key}`)).toEqual([]);
    // Had the failed insert survived, this different payload would be a CONFLICT.
    const e = await t.member.executions.start({ agentId, input: "another payload", idempotencyKey: key });
    expect(e).toMatchObject({ idempotencyKey: key, status: "running" });
  });

  it("a failing first request leaves no mirror rows behind and is not remembered as known", async () => {
    const e = await t.member.executions.start({ agentId, input: "mirror" });

    // A new user of this tenant: the first request creates the user's row, then fails in the database.
    const newUser = crypto.randomUUID();
    const stranger = await t.caller("member", newUser);
    await rejectsWith(
      stranger.executions.appendSteps({ executionId: e.id, steps: [{ type: "message", data: raise }] }),
      "INTERNAL_SERVER_ERROR",
    );
    expect(await stored(sql`select id from users where id = ${newUser}`)).toEqual([]);
    expect(h.deps.knownCallers!.has(`${t.tenantId}\u0000${newUser}`)).toBe(false);

    // A new tenant: the first request creates tenant and user rows, then fails with a domain error (404).
    const newTenant = `halfway-new-${crypto.randomUUID()}`;
    const newcomer = await h.as({ sub: crypto.randomUUID(), tid: newTenant, role: "member" });
    await rejectsWith(newcomer.executions.start({ agentId, input: 1 }), "NOT_FOUND");
    expect(await stored(sql`select id from tenants where id = ${newTenant}`)).toEqual([]);

    // Both work afterwards: the mirror rows are created by their next request.
    await stranger.executions.appendSteps({ executionId: e.id, steps: [{ type: "message", data: "hello" }] });
    expect(await stored(sql`select id from users where id = ${newUser}`)).toHaveLength(1);
    expect(h.deps.knownCallers!.has(`${t.tenantId}\u0000${newUser}`)).toBe(true);
    expect((await newcomer.agents.list({})).items).toEqual([]);
    expect(await stored(sql`select id from tenants where id = ${newTenant}`)).toHaveLength(1);
    expect(await problems()).toEqual([]);
  });
});
