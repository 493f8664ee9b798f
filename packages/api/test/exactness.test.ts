import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { queryRows, sql } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { createHarness, type Harness, newAgent, type TestTenant } from "./support";

/**
 * Usage numbers are exact under concurrency: after 1,000 executions finish concurrently across
 * 10 agents, every lifetime counter and every daily rollup (per agent and per tenant) equals a
 * recount from the executions table. (200 on one agent: usage.test.ts.) Runs where there is real concurrency: Postgres
 * through node-postgres and through the Neon driver; PGlite serialises transactions anyway.
 */
const targets = testTargets().filter((t) => t !== "pglite");

describe.runIf(targets.length > 0).each(targets)("exactness under concurrency on %s", (target) => {
  let h: Harness;
  let t: TestTenant;
  beforeAll(async () => {
    // 1,000 requests at once queue for 20 connections; on a busy 2-core machine the last ones
    // wait longer than the 5 s default (which answers SERVICE_UNAVAILABLE). This test is about
    // exact counters, not back-pressure, so it lets them wait.
    h = await createHarness(target, { poolMax: 20, connectionTimeoutMs: 120_000 });
    t = await h.tenant(`exact-${target}`);
  });
  afterAll(() => h?.close());

  /** Rows where the stored counters differ from a recount; empty when exact. */
  const mismatches = () =>
    queryRows(
      h.database.db,
      sql`with truth as (
            select agent_id, count(*) as n, count(*) filter (where status = 'succeeded') as ok,
                   count(*) filter (where status = 'failed') as failed, count(*) filter (where status = 'cancelled') as cancelled,
                   sum(total_tokens) as tokens, sum(cost_usd) as cost, sum(coalesce(duration_ms, 0)) as duration
            from agent_executions where status <> 'running' group by agent_id),
          daily_truth as (
            select agent_id, (started_at at time zone 'utc')::date as day, count(*) as n, sum(total_tokens) as tokens, sum(cost_usd) as cost
            from agent_executions where status <> 'running' group by 1, 2),
          tenant_truth as (
            select tenant_id, (started_at at time zone 'utc')::date as day, count(*) as n, count(*) filter (where status = 'succeeded') as ok,
                   count(*) filter (where status = 'failed') as failed, count(*) filter (where status = 'cancelled') as cancelled,
                   sum(input_tokens) as input, sum(output_tokens) as output, sum(total_tokens) as tokens, sum(cost_usd) as cost,
                   sum(coalesce(duration_ms, 0)) as duration
            from agent_executions where status <> 'running' group by 1, 2)
          select 'lifetime' as kind, agent_id::text from (select agent_id, sum(total_executions) as total_executions, sum(successful_executions) as successful_executions,
                 sum(failed_executions) as failed_executions, sum(cancelled_executions) as cancelled_executions,
                 sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens, sum(total_tokens) as total_tokens,
                 sum(total_cost_usd) as total_cost_usd, sum(total_duration_ms) as total_duration_ms, max(last_executed_at) as last_executed_at
          from agent_usage_stats group by agent_id) s full join truth using (agent_id)
            where coalesce(s.total_executions, 0) <> coalesce(truth.n, 0) or coalesce(s.successful_executions, 0) <> coalesce(truth.ok, 0)
               or coalesce(s.failed_executions, 0) <> coalesce(truth.failed, 0) or coalesce(s.cancelled_executions, 0) <> coalesce(truth.cancelled, 0)
               or coalesce(s.total_tokens, 0) <> coalesce(truth.tokens, 0) or coalesce(s.total_cost_usd, 0) <> coalesce(truth.cost, 0)
               or coalesce(s.total_duration_ms, 0) <> coalesce(truth.duration, 0)
          union all
          select 'daily', agent_id::text || ' ' || day from (select agent_id, day, sum(total_executions) as total_executions, sum(input_tokens) as input_tokens,
                 sum(total_tokens) as total_tokens, sum(total_cost_usd) as total_cost_usd
          from agent_usage_daily group by agent_id, day) d full join daily_truth using (agent_id, day)
            where coalesce(d.total_executions, 0) <> coalesce(daily_truth.n, 0) or coalesce(d.total_tokens, 0) <> coalesce(daily_truth.tokens, 0)
               or coalesce(d.total_cost_usd, 0) <> coalesce(daily_truth.cost, 0)
          union all
          select 'tenant daily', tenant_id || ' ' || day from (select tenant_id, day, sum(total_executions) as n, sum(successful_executions) as ok,
                 sum(failed_executions) as failed, sum(cancelled_executions) as cancelled, sum(input_tokens) as input, sum(output_tokens) as output,
                 sum(total_tokens) as tokens, sum(total_cost_usd) as cost, sum(total_duration_ms) as duration
          from tenant_usage_daily group by tenant_id, day) d full join tenant_truth t using (tenant_id, day)
            where (d.n, d.ok, d.failed, d.cancelled, d.input, d.output, d.tokens, d.cost, d.duration)
                  is distinct from (t.n, t.ok, t.failed, t.cancelled, t.input, t.output, t.tokens, t.cost, t.duration)`,
    );

  it("keeps every counter and daily rollup exact after 1,000 concurrent completions across 10 agents", async () => {
    const agents: string[] = [];
    for (let i = 0; i < 10; i++) agents.push((await t.member.agents.setStatus({ id: (await newAgent(t)).id, status: "active" })).id);
    const started = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => t.member.executions.start({ agentId: agents[i % 10]!, input: i })),
    );
    await Promise.all(
      started.map((e, i) => {
        const usage = { inputTokens: 100 + (i % 13), outputTokens: i % 17 };
        if (i % 7 === 0) return t.member.executions.fail({ id: e.id, error: { message: "x" }, usage, costUsd: 0.000_123, durationMs: i });
        if (i % 11 === 0) return t.member.executions.cancel({ id: e.id });
        return t.member.executions.complete({ id: e.id, output: i, usage, costUsd: 0.001_001 * (i % 5), durationMs: i });
      }),
    );
    expect(await mismatches()).toEqual([]);
    const tenant = await t.member.usage.tenant();
    expect(tenant.lifetime.executions).toBe(1_000);
    expect(tenant.today.executions).toBe(1_000);
    const today = new Date().toISOString().slice(0, 10);
    expect((await t.member.usage.timeseries({ from: today, to: today })).buckets).toEqual([
      expect.objectContaining({ executions: 1_000, costUsd: tenant.today.costUsd, totalTokens: tenant.today.totalTokens }),
    ]);
  });

  it("creates exactly one execution for 50 concurrent starts with the same idempotency key", async () => {
    const agent = await t.member.agents.setStatus({ id: (await newAgent(t)).id, status: "active" });
    const key = `exact-${crypto.randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 50 }, () => t.member.executions.start({ agentId: agent.id, input: { same: true }, idempotencyKey: key })),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const [count] = await queryRows<{ n: number }>(
      h.database.db,
      sql`select count(*)::int as n from agent_executions where idempotency_key = ${key}`,
    );
    expect(count!.n).toBe(1);
  });

  it("counts an execution once when complete, fail and cancel race (20 races)", async () => {
    const agent = await t.member.agents.setStatus({ id: (await newAgent(t)).id, status: "active" });
    for (let race = 0; race < 20; race++) {
      const e = await t.member.executions.start({ agentId: agent.id, input: race });
      const results = await Promise.allSettled([
        t.member.executions.complete({ id: e.id, output: 1, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0.5 }),
        t.member.executions.fail({ id: e.id, error: { message: "x" } }),
        t.member.executions.cancel({ id: e.id }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of results) if (r.status === "rejected") expect(r.reason.code).toBe("CONFLICT");
    }
    expect((await t.member.agents.get({ id: agent.id })).stats.totalExecutions).toBe(20);
    expect(await mismatches()).toEqual([]);
  });
});
