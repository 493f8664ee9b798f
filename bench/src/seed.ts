/**
 * Data generator: `pnpm bench:seed --executions 1000000 [--db NAME]`. Loads a fresh database
 * agent_builder_bench_<NAME> (default e<N>) with 202 tenants (1,000 + 100 agents, then 200 small
 * ones with 5; 20 users and 10 spaces each; 90% of executions in the first tenant), executions over the last 100 days
 * with a realistic status mix (85% succeeded, 9% failed, 4% cancelled, 2% running), skewed
 * across agents, and 2 steps for every 10th execution. Server-side generate_series in batches,
 * with triggers off in the loading session (session_replication_role = replica), then the
 * usage counters (agent stats, agent days, tenant days) rebuilt in one INSERT ... SELECT ...
 * GROUP BY (slot = usage_slot(id)) each and checked against a recount.
 */
import { compactSeededUsage } from "./compaction";
import { banner, benchDbName, fmt, freshDatabase, withClient } from "./lib";

/**
 * Two named tenants carry the load the reads benchmark measures (`bench-big`); 200 small ones
 * (5 agents, 0.025% of the executions each) make the shared tables look like a service with many
 * customers, so the planner sees tenant-led tables with realistic selectivity (with two tenants,
 * a 45%-of-rows tenant makes a sequential scan of a small rollup table the cheaper plan).
 */
const smallTenants = 200;
export const seedTenants: Array<{ id: string; agents: number; share: number }> = [
  { id: "bench-big", agents: 1_000, share: 0.9 },
  { id: "bench-small", agents: 100, share: 0.05 },
  ...Array.from({ length: smallTenants }, (_, i) => ({
    id: `bench-t${String(i + 1).padStart(3, "0")}`,
    agents: 5,
    share: 0.05 / smallTenants,
  })),
];

const batchSize = 100_000;

export async function seedBenchDatabase(executions: number, name: string): Promise<string> {
  banner(`Seed: ${fmt(executions)} executions into ${benchDbName(name)}`);
  const t0 = performance.now();
  const url = await freshDatabase(benchDbName(name));
  await withClient(url, async (c) => {
    await c.query("set session_replication_role = replica");
    for (const tenant of seedTenants) {
      await c.query("insert into tenants (id, name) values ($1, $1)", [tenant.id]);
      await c.query(
        `insert into users (id, tenant_id, email, role) select gen_random_uuid(), $1, 'user' || g || '@' || $1 || '.test', 'member' from generate_series(1, 20) g`,
        [tenant.id],
      );
      await c.query(`insert into spaces (id, tenant_id, name) select gen_random_uuid(), $1, 'Space ' || g from generate_series(1, 10) g`, [
        tenant.id,
      ]);
      await c.query(
        `insert into agents (tenant_id, name, status, owner_id, space_id, llm_config, created_at, updated_at)
         select $1, 'Agent ' || g, (array['active','active','active','paused','draft','archived']::agent_status[])[1 + g % 6],
                (select array_agg(id order by id) from users where tenant_id = $1)[1 + g % 20],
                (select array_agg(id order by id) from spaces where tenant_id = $1)[1 + g % 10],
                '{"provider":"openai","model":"gpt-4.1-mini","temperature":0.2}'::jsonb,
                now() - interval '120 days' + g * interval '1 minute', now()
         from generate_series(1, $2::int) g`,
        [tenant.id, tenant.agents],
      );
    }
    const tLoad = performance.now();
    // Rounded per tenant; the first tenant takes the remainder so the database holds exactly `executions`.
    const totals = seedTenants.map((tenant) => Math.round(executions * tenant.share));
    totals[0]! += executions - totals.reduce((a, b) => a + b, 0);
    for (const [index, tenant] of seedTenants.entries()) {
      const total = totals[index]!;
      for (let offset = 0; offset < total; offset += batchSize) {
        const n = Math.min(batchSize, total - offset);
        // Rows in start order (oldest first) so the time-ordered indexes grow at their right edge.
        await c.query(
          `with a as (select array_agg(id order by created_at) as ids from agents where tenant_id = $1),
                u as (select array_agg(id order by id) as ids from users where tenant_id = $1),
                g as (select i, random() as r, random() as s,
                             now() - interval '100 days' * (1 - (($2::int + i)::float8 / $3::int)) - interval '1 minute' as started
                      from generate_series(1, $4::int) i)
           insert into agent_executions (tenant_id, agent_id, user_id, input_data, output_data, status, started_at, completed_at,
                                         duration_ms, input_tokens, output_tokens, provided_cost_usd, error_code, error_message, created_at, updated_at)
           select $1, a.ids[1 + floor(array_length(a.ids, 1) * r * r)::int], u.ids[1 + (i % 20)],
                  jsonb_build_object('question', 'question ' || i),
                  case when st = 'succeeded' then jsonb_build_object('answer', 'answer ' || i) end,
                  st, started, case when st <> 'running' then started + dur * interval '1 millisecond' end,
                  case when st <> 'running' then dur end,
                  case when st <> 'running' then 200 + (i % 1800) else 0 end,
                  case when st <> 'running' then 20 + (i % 400) else 0 end,
                  case when st <> 'running' then round((0.0001 + (i % 100) * 0.00002)::numeric, 6) else 0 end,
                  case when st = 'failed' then 'provider_error' end,
                  case when st = 'failed' then 'upstream timed out' end,
                  started, started
           from g cross join a cross join u
           cross join lateral (select (case when s < 0.85 then 'succeeded' when s < 0.94 then 'failed' when s < 0.98 then 'cancelled'
                                            else 'running' end)::execution_status as st,
                                      (300 + floor(r * 20000))::int as dur) x`,
          [tenant.id, offset, total, n],
        );
        await c.query(
          `insert into agent_execution_steps (tenant_id, execution_id, ordinal, type, data, input_tokens, output_tokens, created_at, updated_at)
           select e.tenant_id, e.id, o, (case o when 1 then 'message' else 'tool_call' end)::execution_step_type,
                  jsonb_build_object('text', 'step ' || o), 100, 10, e.started_at, e.started_at
           from (select * from agent_executions where tenant_id = $1 order by created_at desc limit $2) e
           cross join generate_series(1, 2) o
           where hashtext(e.id::text) % 10 = 0`,
          [tenant.id, n],
        );
        if (tenant.agents > 5) process.stdout.write(`  ${tenant.id}: ${fmt(offset + n)} / ${fmt(total)} executions\r`);
      }
      if (tenant.agents > 5) process.stdout.write("\n");
    }
    const loadMs = performance.now() - tLoad;
    await c.query("set session_replication_role = origin");

    const tRollup = performance.now();
    await c.query("truncate agent_usage_stats, agent_usage_daily, tenant_usage_daily");
    await c.query(
      `insert into agent_usage_stats (agent_id, slot, tenant_id, total_executions, successful_executions, failed_executions, cancelled_executions,
                                      input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms, last_executed_at)
       select agent_id, usage_slot(id), tenant_id, count(*), count(*) filter (where status = 'succeeded'),
              count(*) filter (where status = 'failed'), count(*) filter (where status = 'cancelled'),
              sum(input_tokens), sum(output_tokens), sum(total_tokens), sum(cost_usd), sum(coalesce(duration_ms, 0)), max(started_at)
       from agent_executions where status <> 'running' group by agent_id, usage_slot(id), tenant_id`,
    );
    await c.query(
      `insert into agent_usage_daily (agent_id, day, slot, tenant_id, total_executions, successful_executions, failed_executions, cancelled_executions,
                                      input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms)
       select agent_id, (started_at at time zone 'UTC')::date, usage_slot(id), tenant_id, count(*), count(*) filter (where status = 'succeeded'),
              count(*) filter (where status = 'failed'), count(*) filter (where status = 'cancelled'),
              sum(input_tokens), sum(output_tokens), sum(total_tokens), sum(cost_usd), sum(coalesce(duration_ms, 0))
       from agent_executions where status <> 'running' group by 1, 2, 3, 4`,
    );
    await c.query(
      `insert into tenant_usage_daily (tenant_id, day, slot, total_executions, successful_executions, failed_executions, cancelled_executions,
                                       input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms)
       select tenant_id, (started_at at time zone 'UTC')::date, usage_slot(id), count(*), count(*) filter (where status = 'succeeded'),
              count(*) filter (where status = 'failed'), count(*) filter (where status = 'cancelled'),
              sum(input_tokens), sum(output_tokens), sum(total_tokens), sum(cost_usd), sum(coalesce(duration_ms, 0))
       from agent_executions where status <> 'running' group by 1, 2, 3`,
    );
    const rollupMs = performance.now() - tRollup;
    await c.query("vacuum analyze");

    const { rows } = await c.query<{
      executions: string;
      steps: string;
      mismatched: number;
      daily_mismatched: number;
      tenant_daily_mismatched: number;
      stats_rows: string;
      daily_rows: string;
      tenant_daily_rows: string;
    }>(`
      with recount as (select agent_id, count(*) n, sum(total_tokens) tok, sum(cost_usd) cost from agent_executions where status <> 'running' group by agent_id),
           stats as (select agent_id, sum(total_executions) n, sum(total_tokens) tok, sum(total_cost_usd) cost from agent_usage_stats group by agent_id),
           daily_recount as (select agent_id, (started_at at time zone 'UTC')::date as day, count(*) n, sum(cost_usd) cost from agent_executions where status <> 'running' group by 1, 2),
           daily as (select agent_id, day, sum(total_executions) n, sum(total_cost_usd) cost from agent_usage_daily group by 1, 2),
           tenant_daily_recount as (select tenant_id, (started_at at time zone 'UTC')::date as day, count(*) n, sum(total_tokens) tok, sum(cost_usd) cost
                                    from agent_executions where status <> 'running' group by 1, 2),
           tenant_daily as (select tenant_id, day, sum(total_executions) n, sum(total_tokens) tok, sum(total_cost_usd) cost from tenant_usage_daily group by 1, 2)
      select (select count(*) from agent_executions)::text as executions,
             (select count(*) from agent_execution_steps)::text as steps,
             (select count(*)::int from recount r full join stats s using (agent_id)
               where r.n is distinct from s.n or r.tok is distinct from s.tok or r.cost is distinct from s.cost) as mismatched,
             (select count(*)::int from daily_recount r full join daily d using (agent_id, day)
               where r.n is distinct from d.n or r.cost is distinct from d.cost) as daily_mismatched,
             (select count(*)::int from tenant_daily_recount r full join tenant_daily d using (tenant_id, day)
               where r.n is distinct from d.n or r.tok is distinct from d.tok or r.cost is distinct from d.cost) as tenant_daily_mismatched,
             (select count(*) from agent_usage_stats)::text as stats_rows,
             (select count(*) from agent_usage_daily)::text as daily_rows,
             (select count(*) from tenant_usage_daily)::text as tenant_daily_rows`);
    const r = rows[0]!;
    const totalMs = performance.now() - t0;
    console.log(
      `loaded ${fmt(Number(r.executions))} executions + ${fmt(Number(r.steps))} steps in ${fmt(loadMs / 1000, 1)} s ` +
        `(${fmt(Number(r.executions) / (loadMs / 1000))} executions/s); counters rebuilt in ${fmt(rollupMs / 1000, 1)} s ` +
        `(${fmt(Number(r.stats_rows))} stats rows, ${fmt(Number(r.daily_rows))} agent daily rows, ${fmt(Number(r.tenant_daily_rows))} tenant daily rows); ` +
        `total ${fmt(totalMs / 1000, 1)} s incl. migrate + vacuum analyze`,
    );
    const exact = r.mismatched === 0 && r.daily_mismatched === 0 && r.tenant_daily_mismatched === 0;
    console.log(
      `counters exact: ${exact} (agents mismatched ${r.mismatched}, agent-days mismatched ${r.daily_mismatched}, tenant-days mismatched ${r.tenant_daily_mismatched})`,
    );
    if (!exact) throw new Error("seeded counters do not match the recount");
  });
  // As nightly maintenance would have on a real database: past days' counter slots folded into one row, sums checked unchanged.
  await compactSeededUsage(url);
  return url;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const arg = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const executions = Number(arg("--executions") ?? 1_000_000);
  if (!Number.isInteger(executions) || executions < 1) throw new Error("--executions must be a positive integer");
  await seedBenchDatabase(executions, arg("--db") ?? `e${executions}`);
}
