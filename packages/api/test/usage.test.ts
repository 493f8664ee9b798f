import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { agentExecutions, deleteOldExecutions, queryRows, sql, withTenant } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { createHarness, type Harness, newAgent, rejectsWith, type TestTenant } from "./support";

const usage = (n: number) => ({ inputTokens: 100 + n, outputTokens: 10 + (n % 7), cachedInputTokens: 0, reasoningTokens: 0 });
const day = (offsetDays = 0) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** Recounts usage from the executions table, the ground truth the counters must equal. */
async function recount(h: Harness, tenantId: string, agentId: string) {
  const [row] = await withTenant(h.database.db, tenantId, (tx) =>
    queryRows<Record<string, number>>(
      tx,
      sql`select count(*)::float8 as executions,
                 count(*) filter (where status = 'succeeded')::float8 as succeeded,
                 count(*) filter (where status = 'failed')::float8 as failed,
                 count(*) filter (where status = 'cancelled')::float8 as cancelled,
                 coalesce(sum(total_tokens), 0)::float8 as "totalTokens",
                 coalesce(sum(cost_usd), 0)::float8 as "costUsd",
                 coalesce(sum(duration_ms), 0)::float8 as "durationMs"
          from agent_executions where agent_id = ${agentId} and status <> 'running'`,
    ),
  );
  return row!;
}

describe.each(testTargets())("usage on %s", (target) => {
  let h: Harness;
  let t: TestTenant;
  beforeAll(async () => {
    h = await createHarness(target, { poolMax: 20, connectionTimeoutMs: 120_000 }); // see exactness.test.ts
    t = await h.tenant("usage-tenant");
  });
  afterAll(() => h?.close());

  async function activeAgent(spaceId = t.space.id) {
    const agent = await newAgent(t, { spaceId });
    return t.member.agents.setStatus({ id: agent.id, status: "active" });
  }

  it("keeps counters exact under 200 concurrent completions on one agent", async () => {
    const agent = await activeAgent();
    const started = await Promise.all(Array.from({ length: 200 }, (_, i) => t.member.executions.start({ agentId: agent.id, input: i })));
    await Promise.all(
      started.map((e, i) =>
        i % 10 === 9
          ? t.member.executions.fail({ id: e.id, error: { message: "boom" }, usage: usage(i), costUsd: 0.000001 * i, durationMs: i })
          : t.member.executions.complete({ id: e.id, output: i, usage: usage(i), costUsd: 0.000001 * i, durationMs: i }),
      ),
    );
    const truth = await recount(h, t.tenantId, agent.id);
    expect(truth.executions).toBe(200);
    const { lifetime, today } = await t.member.usage.agent({ agentId: agent.id });
    expect(lifetime).toMatchObject({
      executions: 200,
      succeeded: 180,
      failed: 20,
      cancelled: 0,
      totalTokens: truth.totalTokens,
      costUsd: truth.costUsd,
      avgDurationMs: Math.round(truth.durationMs! / 200),
    });
    expect(today).toMatchObject({ executions: 200, succeeded: 180, failed: 20, totalTokens: truth.totalTokens, costUsd: truth.costUsd });
    const stats = (await t.member.agents.get({ id: agent.id })).stats;
    expect(stats).toMatchObject({ totalExecutions: 200, successfulExecutions: 180, failedExecutions: 20, totalTokens: truth.totalTokens });
    // The tenant's own rollup took the same 200 completions (the tenant has no other runs yet).
    const tenantToday = await t.member.usage.timeseries({ from: day(), to: day() });
    expect(tenantToday.buckets).toEqual([
      {
        day: day(),
        executions: 200,
        succeeded: 180,
        failed: 20,
        cancelled: 0,
        unpricedExecutions: 0,
        totalTokens: truth.totalTokens,
        costUsd: truth.costUsd,
        avgDurationMs: Math.round(truth.durationMs! / 200),
      },
    ]);
  });

  it("counts runs of an unpriced model as unpricedExecutions (cost 0) in every period, bucket and scope, with the budgets that apply", async () => {
    const u = await h.tenant("usage-unpriced");
    const agent = (await u.member.agents.setStatus({ id: (await newAgent(u)).id, status: "active" })).id;
    const priced = await u.member.executions.start({ agentId: agent, input: 1 });
    await u.member.executions.complete({ id: priced.id, output: 1, usage: usage(1), costUsd: 0.25 });
    const unpriced = await u.member.executions.start({ agentId: agent, input: 2 });
    await u.member.executions.complete({ id: unpriced.id, output: 2, usage: { ...usage(2), model: "no-price-for-this-model" } });
    const counted = { executions: 2, unpricedExecutions: 1, costUsd: 0.25 };
    const agentUsage = await u.member.usage.agent({ agentId: agent });
    for (const period of [agentUsage.lifetime, agentUsage.today, agentUsage.thisWeek, agentUsage.thisMonth])
      expect(period).toMatchObject(counted);
    expect(agentUsage.budgets).toEqual([]);
    expect((await u.member.usage.tenant()).thisMonth).toMatchObject(counted);
    expect((await u.member.usage.space({ spaceId: u.space.id })).today).toMatchObject(counted);
    expect((await u.member.usage.timeseries({ from: day(), to: day(), agentId: agent })).buckets).toEqual([
      expect.objectContaining(counted),
    ]);
    const budget = await u.service.budgets.create({ name: "cap", scope: "tenant", period: "daily", limitUsd: 1, enforcement: "soft" });
    expect((await u.member.usage.agent({ agentId: agent })).budgets).toEqual([
      expect.objectContaining({ id: budget.id, status: expect.objectContaining({ spendUsd: 0.25, percent: 25, state: "ok" }) }),
    ]);
  });

  it("buckets by the UTC day an execution started; periods and timeseries read the rollups", async () => {
    const agent = await activeAgent(t.otherSpace.id);
    // Executions inserted as already finished, 0, 1, 10, 40 and 400 days ago (as an import would).
    const ages = [0, 0, 1, 10, 40, 400];
    await withTenant(h.database.db, t.tenantId, (tx) =>
      tx.insert(agentExecutions).values(
        ages.map((age, i) => {
          const startedAt = new Date(Date.now() - age * 86_400_000);
          return {
            tenantId: t.tenantId,
            agentId: agent.id,
            userId: t.memberId,
            inputData: {},
            status: i === 1 ? ("failed" as const) : ("succeeded" as const),
            startedAt,
            createdAt: startedAt,
            completedAt: new Date(startedAt.getTime() + 1000),
            durationMs: 1000,
            inputTokens: 10,
            outputTokens: 5,
            providedCostUsd: "0.250000",
          };
        }),
      ),
    );
    const result = await t.member.usage.agent({ agentId: agent.id });
    expect(result.lifetime).toMatchObject({ executions: 6, succeeded: 5, failed: 1, totalTokens: 90, costUsd: 1.5, avgDurationMs: 1000 });
    expect(result.today).toMatchObject({ executions: 2, failed: 1, costUsd: 0.5 });

    // Expected week/month counts, computed independently from the ages.
    const now = new Date();
    const utcDay = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    const weekStart = utcDay(now) - ((now.getUTCDay() + 6) % 7) * 86_400_000;
    const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const startedDays = ages.map((age) => utcDay(new Date(now.getTime() - age * 86_400_000)));
    expect(result.thisWeek.executions).toBe(startedDays.filter((d) => d >= weekStart).length);
    expect(result.thisMonth.executions).toBe(startedDays.filter((d) => d >= monthStart).length);

    const series = await t.member.usage.timeseries({ from: day(-45), to: day(), agentId: agent.id });
    expect(series.buckets).toHaveLength(46);
    expect(series.buckets[0]!.day).toBe(day(-45));
    expect(series.buckets.at(-1)).toMatchObject({
      day: day(),
      executions: 2,
      succeeded: 1,
      failed: 1,
      totalTokens: 30,
      costUsd: 0.5,
      avgDurationMs: 1000,
    });
    expect(series.buckets.find((b) => b.day === day(-10))).toMatchObject({ executions: 1 });
    expect(series.buckets.find((b) => b.day === day(-5))).toMatchObject({ executions: 0, costUsd: 0, avgDurationMs: null });
    expect(series.buckets.reduce((sum, b) => sum + b.executions, 0)).toBe(5); // the 400-day-old one is outside

    // Daily rollups always equal a recount grouped by day.
    const mismatches = await withTenant(h.database.db, t.tenantId, (tx) =>
      queryRows(
        tx,
        sql`select * from (
              select agent_id, (started_at at time zone 'utc')::date as day, count(*) as n, sum(cost_usd) as cost
              from agent_executions where status <> 'running' group by 1, 2) e
            full join (select agent_id, day, sum(total_executions) as n, sum(total_cost_usd) as cost from agent_usage_daily group by agent_id, day) d
              using (agent_id, day)
            where e.n is distinct from d.n or e.cost is distinct from d.cost
            union all
            select null, * from (
              select (started_at at time zone 'utc')::date as day, count(*) as n, sum(cost_usd) as cost
              from agent_executions where status <> 'running' group by 1) e
            full join (select day, sum(total_executions) as n, sum(total_cost_usd) as cost from tenant_usage_daily group by day) d
              using (day)
            where e.n is distinct from d.n or e.cost is distinct from d.cost`,
      ),
    );
    expect(mismatches).toEqual([]);
  });

  it("sums a space and the whole tenant", async () => {
    const u = await h.tenant("usage-sums");
    const inSpace = await u.member.agents.setStatus({ id: (await newAgent(u)).id, status: "active" });
    const elsewhere = await u.member.agents.setStatus({ id: (await newAgent(u, { spaceId: u.otherSpace.id })).id, status: "active" });
    for (const [agent, n] of [
      [inSpace, 3],
      [elsewhere, 2],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const e = await u.member.executions.start({ agentId: agent.id, input: i });
        await u.member.executions.complete({ id: e.id, output: i, usage: usage(0), costUsd: 1 });
      }
    }
    await newAgent(u); // a never-run agent still counts as an agent
    const space = await u.member.usage.space({ spaceId: u.space.id });
    expect(space).toMatchObject({
      spaceId: u.space.id,
      agentCount: 2,
      lifetime: { executions: 3, costUsd: 3 },
      thisMonth: { executions: 3 },
    });
    const tenant = await u.member.usage.tenant();
    expect(tenant).toMatchObject({
      tenantId: "usage-sums",
      agentCount: 3,
      lifetime: { executions: 5, costUsd: 5 },
      today: { executions: 5 },
    });
    expect(tenant.lifetime.lastExecutedAt).not.toBeNull();
    const series = await u.member.usage.timeseries({ from: day(-1), to: day(), spaceId: u.otherSpace.id });
    expect(series.buckets.map((b) => b.executions)).toEqual([0, 2]);
    const all = await u.member.usage.timeseries({ from: day(), to: day() });
    expect(all.buckets).toEqual([expect.objectContaining({ executions: 5, costUsd: 5 })]);
  });

  it("charts the tenant from its own rollup: its agents' sum, unchanged by retention, keeping a deleted agent's past usage", async () => {
    const u = await h.tenant("usage-rollup");
    const kept = await u.member.agents.setStatus({ id: (await newAgent(u)).id, status: "active" });
    const deleted = await u.member.agents.setStatus({ id: (await newAgent(u, { spaceId: u.otherSpace.id })).id, status: "active" });
    // Finished executions over the last 20 days, as an import would insert them.
    await withTenant(h.database.db, u.tenantId, (tx) =>
      tx.insert(agentExecutions).values(
        Array.from({ length: 60 }, (_, i) => {
          const startedAt = new Date(Date.now() - (i % 20) * 86_400_000 - i * 1000);
          return {
            tenantId: u.tenantId,
            agentId: i % 3 === 0 ? deleted.id : kept.id,
            userId: u.memberId,
            inputData: {},
            status: (["succeeded", "failed", "cancelled"] as const)[i % 4 === 3 ? 1 : i % 11 === 5 ? 2 : 0],
            startedAt,
            createdAt: startedAt,
            completedAt: new Date(startedAt.getTime() + 500 + i),
            durationMs: 500 + i,
            inputTokens: 10 + i,
            outputTokens: i,
            costUsd: (0.001 * (i + 1)).toFixed(6),
          };
        }),
      ),
    );
    const range = { from: day(-25), to: day() };
    const chart = () => u.member.usage.timeseries(range).then((s) => s.buckets);
    const agentCharts = await Promise.all(
      [kept, deleted].map((a) => u.member.usage.timeseries({ ...range, agentId: a.id }).then((s) => s.buckets)),
    );
    const before = await chart();
    const fields = ["executions", "succeeded", "failed", "cancelled", "totalTokens"] as const;
    expect(before.map((b) => b.day)).toEqual(agentCharts[0]!.map((b) => b.day));
    for (const [i, bucket] of before.entries()) {
      for (const field of fields)
        expect(bucket[field], `${bucket.day} ${field}`).toBe(agentCharts[0]![i]![field] + agentCharts[1]![i]![field]);
      expect(bucket.costUsd).toBeCloseTo(agentCharts[0]![i]!.costUsd + agentCharts[1]![i]!.costUsd, 6);
    }
    expect(before.reduce((n, b) => n + b.executions, 0)).toBe(60);
    const summary = await u.member.usage.tenant();
    expect(summary.lifetime).toMatchObject({ executions: 60, succeeded: before.reduce((n, b) => n + b.succeeded, 0) });

    // Retention deletes executions, never usage: the chart and totals stay.
    const retention = await deleteOldExecutions(h.database.db, { olderThanDays: 5, tenantId: u.tenantId });
    expect(retention.executions).toBeGreaterThan(30);
    expect(await chart()).toEqual(before);
    expect(await u.member.usage.tenant()).toEqual(summary);

    // Deleting an agent removes its own usage rows, but the tenant's days still count what it ran
    // (tenant totals are what was used, as on a bill); its space no longer has it.
    await u.member.agents.delete({ id: deleted.id });
    expect(await chart()).toEqual(before);
    const after = await u.member.usage.tenant();
    expect(after).toEqual({
      ...summary,
      agentCount: summary.agentCount - 1,
      lifetime: { ...summary.lifetime, lastExecutedAt: after.lifetime.lastExecutedAt },
    });
    expect((await u.member.usage.space({ spaceId: u.otherSpace.id })).lifetime.executions).toBe(0);
    expect(summary.lifetime.executions).toBeGreaterThan((await u.member.usage.agent({ agentId: kept.id })).lifetime.executions);
  });

  it("validates ranges and ids", async () => {
    await rejectsWith(t.member.usage.timeseries({ from: "2025-01-01", to: "2026-01-02" }), "BAD_REQUEST", /366 days/);
    await expect(t.member.usage.timeseries({ from: "2025-01-01", to: "2026-01-01" })).resolves.toMatchObject({ buckets: { length: 366 } });
    await rejectsWith(t.member.usage.timeseries({ from: "2026-02-01", to: "2026-01-01" }), "BAD_REQUEST", /after/);
    await rejectsWith(t.member.usage.timeseries({ from: "2026-02-30", to: "2026-03-01" }), "BAD_REQUEST", /from/);
    await rejectsWith(t.member.usage.agent({ agentId: crypto.randomUUID() }), "NOT_FOUND");
    await rejectsWith(t.member.usage.space({ spaceId: crypto.randomUUID() }), "NOT_FOUND");
    await rejectsWith(t.member.usage.timeseries({ from: day(), to: day(), agentId: crypto.randomUUID() }), "NOT_FOUND");
  });
});
