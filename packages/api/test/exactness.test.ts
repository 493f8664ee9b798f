import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { queryRows, sql } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { activeAgent, newConversation, newCrew, type TestCrew } from "./crew-fixtures";
import { createHarness, type Harness, newAgent, type TestTenant } from "./support";

/**
 * Usage numbers are exact under concurrency: after 1,000 executions finish concurrently across
 * 10 agents, and after 200 crew runs with 2-3 child runs each (some in conversations, with agent
 * runs in conversations finishing meanwhile), every lifetime counter and every daily rollup (per
 * agent, crew and tenant) and every conversation's counters equal a recount from the executions. (200 on one agent: usage.test.ts.) Runs where there is real concurrency: Postgres
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

  /**
   * Rows where the stored counters differ from a recount; empty when exact. What counts where
   * (agent_executions_count_usage): an agent its runs, child runs included; a crew its crew runs
   * (their tokens and cost are their children's); the tenant one execution per top-level run and
   * the tokens and cost of the runs that did the work (agent and child runs), each once; a
   * conversation its top-level runs.
   */
  const mismatches = () =>
    queryRows(
      h.database.db,
      sql`with truth as (
            select agent_id, count(*) as n, count(*) filter (where status = 'succeeded') as ok,
                   count(*) filter (where status = 'failed') as failed, count(*) filter (where status = 'cancelled') as cancelled,
                   sum(total_tokens) as tokens, sum(cost_usd) as cost, sum(coalesce(duration_ms, 0)) as duration
            from agent_executions where status <> 'running' and agent_id is not null group by agent_id),
          daily_truth as (
            select agent_id, (started_at at time zone 'utc')::date as day, count(*) as n, sum(total_tokens) as tokens, sum(cost_usd) as cost
            from agent_executions where status <> 'running' and agent_id is not null group by 1, 2),
          tenant_truth as (
            select tenant_id, (started_at at time zone 'utc')::date as day,
                   count(*) filter (where parent_execution_id is null) as n,
                   count(*) filter (where parent_execution_id is null and status = 'succeeded') as ok,
                   count(*) filter (where parent_execution_id is null and status = 'failed') as failed,
                   count(*) filter (where parent_execution_id is null and status = 'cancelled') as cancelled,
                   coalesce(sum(input_tokens) filter (where agent_id is not null), 0) as input,
                   coalesce(sum(output_tokens) filter (where agent_id is not null), 0) as output,
                   coalesce(sum(total_tokens) filter (where agent_id is not null), 0) as tokens,
                   coalesce(sum(cost_usd) filter (where agent_id is not null), 0) as cost,
                   sum(coalesce(duration_ms, 0)) filter (where parent_execution_id is null) as duration
            from agent_executions where status <> 'running' group by 1, 2),
          -- A crew run's tokens and cost recounted from its children, not read from the row the trigger wrote.
          crew_runs as (
            select p.crew_id, (p.started_at at time zone 'utc')::date as day, p.status, coalesce(p.duration_ms, 0) as duration,
                   coalesce(sum(c.total_tokens), 0) as tokens, coalesce(sum(c.cost_usd), 0) as cost
            from agent_executions p left join agent_executions c on c.parent_execution_id = p.id
            where p.agent_id is null and p.status <> 'running' group by p.id),
          crew_truth as (
            select crew_id, count(*) as n, count(*) filter (where status = 'succeeded') as ok, count(*) filter (where status = 'failed') as failed,
                   count(*) filter (where status = 'cancelled') as cancelled, sum(tokens) as tokens, sum(cost) as cost, sum(duration) as duration
            from crew_runs group by crew_id),
          crew_daily_truth as (select crew_id, day, count(*) as n, sum(tokens) as tokens, sum(cost) as cost from crew_runs group by 1, 2),
          conversation_truth as (
            select v.id, count(e.id) as n, coalesce(sum(e.input_tokens), 0) as input, coalesce(sum(e.output_tokens), 0) as output,
                   coalesce(sum(e.cost_usd), 0) as cost
            from conversations v left join agent_executions e on e.conversation_id = v.id and e.status <> 'running' group by v.id)
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
                  is distinct from (t.n, t.ok, t.failed, t.cancelled, t.input, t.output, t.tokens, t.cost, t.duration)
          union all
          select 'crew lifetime', crew_id::text from (select crew_id, sum(total_executions) as n, sum(successful_executions) as ok,
                 sum(failed_executions) as failed, sum(cancelled_executions) as cancelled, sum(total_tokens) as tokens,
                 sum(total_cost_usd) as cost, sum(total_duration_ms) as duration
          from crew_usage_stats group by crew_id) s full join crew_truth t using (crew_id)
            where (s.n, s.ok, s.failed, s.cancelled, s.tokens, s.cost, s.duration)
                  is distinct from (t.n, t.ok, t.failed, t.cancelled, t.tokens, t.cost, t.duration)
          union all
          select 'crew daily', crew_id::text || ' ' || day from (select crew_id, day, sum(total_executions) as n, sum(total_tokens) as tokens,
                 sum(total_cost_usd) as cost from crew_usage_daily group by crew_id, day) d full join crew_daily_truth t using (crew_id, day)
            where (d.n, d.tokens, d.cost) is distinct from (t.n, t.tokens, t.cost)
          union all
          select 'conversation', v.id::text from conversations v join conversation_truth t using (id)
            where (v.execution_count, v.input_tokens, v.output_tokens, v.cost_usd) is distinct from (t.n, t.input, t.output, t.cost)`,
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

  it("keeps agents', crews', the tenant's and conversations' counters exact after 200 concurrent crew runs with 2-3 child runs each", async () => {
    const agents: string[] = [];
    for (let i = 0; i < 6; i++) agents.push(await activeAgent(t, `Crew agent ${i}`));
    // Four crews over six agents: an agent works in several crews.
    const crews: TestCrew[] = [];
    for (let c = 0; c < 4; c++) crews.push(await newCrew(h, t, { memberIds: [agents[c]!, agents[c + 1]!, agents[c + 2]!] }));
    const crewChats = await Promise.all(crews.map((crew) => newConversation(h, t, { crewId: crew.id })));
    const agentChats = await Promise.all(agents.map((agentId) => newConversation(h, t, { agentId })));
    const before = (await t.member.usage.tenant()).lifetime;

    // 200 crew runs (every third in its crew's conversation) and, meanwhile, 60 agent runs in conversations.
    const runs = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        t.member.executions.start({ crewId: crews[i % 4]!.id, input: i, ...(i % 3 === 0 && { conversationId: crewChats[i % 4] }) }),
      ),
    );
    const agentRuns = Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        t.member.executions.start({ agentId: agents[i % 6]!, conversationId: agentChats[i % 6], input: i }),
      ),
    );
    const children = await Promise.all(
      runs.flatMap((run, i) =>
        crews[i % 4]!.members.slice(0, 2 + (i % 2)).map((agentId) =>
          t.member.executions.start({ agentId, parentExecutionId: run.id, input: i }),
        ),
      ),
    );
    const chatRuns = await agentRuns;
    // Children and agent runs finish concurrently; every tenth crew run keeps one child running, which its cancel closes.
    const open = new Set(runs.filter((_, i) => i % 10 === 0).map((run) => run.id));
    const leftRunning = new Set<string>();
    await Promise.all([
      ...children.map((child, i) => {
        const parent = child.parentExecutionId!;
        if (open.has(parent) && !leftRunning.has(parent)) {
          leftRunning.add(parent);
          return null;
        }
        const usage = { inputTokens: 50 + (i % 11), outputTokens: i % 7 };
        if (i % 9 === 0)
          return t.member.executions.fail({ id: child.id, error: { message: "x" }, usage, costUsd: 0.000_101, durationMs: i });
        if (i % 13 === 0) return t.member.executions.cancel({ id: child.id });
        return t.member.executions.complete({ id: child.id, output: i, usage, costUsd: 0.000_007 * (i % 5), durationMs: i });
      }),
      ...chatRuns.map((run, i) =>
        t.member.executions.complete({
          id: run.id,
          output: i,
          usage: { inputTokens: 10 + i, outputTokens: 1 },
          costUsd: 0.000_3,
          durationMs: i,
        }),
      ),
    ]);
    // Then the crew runs finish concurrently: the trigger sums each one's children (cancel first closes a running child).
    // A cancel writes a child's counters and then its crew run's, two slots of the tenant's day in
    // no fixed order; two such cancels can deadlock (docs/schema.md, Triggers). Postgres aborts
    // one, which changed nothing, and the API answers CONFLICT "retry": this client retries, as
    // the API asks. The counters must be exact either way.
    const retried = (call: () => Promise<unknown>): Promise<unknown> =>
      call().catch((error: Error) => {
        if (!/concurrent update, retry/.test(error.message)) throw error;
        return retried(call);
      });
    await Promise.all(
      runs.map((run, i) =>
        open.has(run.id)
          ? retried(() => t.member.executions.cancel({ id: run.id, reason: "stopped" }))
          : i % 7 === 0
            ? t.member.executions.fail({ id: run.id, error: { message: "crew failed" }, durationMs: i })
            : t.member.executions.complete({
                id: run.id,
                output: i,
                usage: { inputTokens: 0, outputTokens: 0 },
                costUsd: 0,
                durationMs: i,
              }),
      ),
    );
    expect(await mismatches()).toEqual([]);
    const [left] = await queryRows<{ n: number }>(
      h.database.db,
      sql`select count(*)::int as n from agent_executions where status = 'running' and tenant_id = ${t.tenantId}`,
    );
    expect(left!.n).toBe(0);
    const tenant = (await t.member.usage.tenant()).lifetime;
    expect(tenant.executions - before.executions).toBe(260);
    const crewTotals = await Promise.all(crews.map((crew) => t.member.usage.crew({ crewId: crew.id })));
    expect(crewTotals.reduce((n, c) => n + c.lifetime.executions, 0)).toBe(200);
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
