/**
 * Test-only fault injection, installed by fault and timeout tests into THEIR OWN test database
 * (never part of a migration). A JSON marker in the request's payload makes the database fail or
 * stall in the middle of the request's transaction, after its first writes:
 *
 *   {"fault": "raise"}                  raise an exception (SQLSTATE P0001)
 *   {"fault": "violate"}                (steps only) turn the row into a check-constraint violation
 *   {"fault": "sleep", "seconds": 2}    pg_sleep, to hold a request in the database
 *
 * Where the marker goes and where it fires:
 *   - a step's `data` (executions.appendSteps): BEFORE INSERT on agent_execution_steps, i.e.
 *     after the request already bumped agent_executions.step_count;
 *   - an execution's `input` (executions.start): AFTER INSERT on agent_executions;
 *   - an execution's `output` (executions.complete): BEFORE INSERT OR UPDATE on agent_usage_stats, i.e.
 *     inside the usage-counter trigger, after the execution row became terminal.
 */
import { type Database, sql } from "@agent-builder/db";

export const faultInjectionSql = [
  `create or replace function test_fault(spec jsonb) returns void language plpgsql as $$
   begin
     if spec->>'fault' = 'raise' then
       raise exception 'injected fault';
     elsif spec->>'fault' = 'sleep' then
       perform pg_sleep(coalesce((spec->>'seconds')::float8, 1));
     end if;
   end $$`,
  `create or replace function test_fault_steps() returns trigger language plpgsql as $$
   begin
     if jsonb_typeof(NEW.data) = 'object' and NEW.data ? 'fault' then
       perform test_fault(NEW.data);
       if NEW.data->>'fault' = 'violate' then
         NEW.input_tokens := -1; -- agent_execution_steps_counts_non_negative
       end if;
     end if;
     return NEW;
   end $$`,
  `create or replace function test_fault_executions() returns trigger language plpgsql as $$
   begin
     if jsonb_typeof(NEW.input_data) = 'object' and NEW.input_data ? 'fault' then
       perform test_fault(NEW.input_data);
     end if;
     return NULL;
   end $$`,
  `create or replace function test_fault_usage() returns trigger language plpgsql as $$
   declare
     spec jsonb;
   begin
     select e.output_data into spec from agent_executions e
      where e.agent_id = NEW.agent_id and e.status <> 'running'
        and jsonb_typeof(e.output_data) = 'object' and e.output_data ? 'fault'
      limit 1;
     if spec is not null then
       perform test_fault(spec);
     end if;
     return NEW;
   end $$`,
  `drop trigger if exists test_fault_steps on agent_execution_steps`,
  `create trigger test_fault_steps before insert on agent_execution_steps for each row execute function test_fault_steps()`,
  `drop trigger if exists test_fault_executions on agent_executions`,
  `create trigger test_fault_executions after insert on agent_executions for each row execute function test_fault_executions()`,
  `drop trigger if exists test_fault_usage on agent_usage_stats`,
  `create trigger test_fault_usage before insert or update on agent_usage_stats for each row execute function test_fault_usage()`,
];

/** `db` must be a superuser (owner) connection to the test's own database. */
export async function installFaultInjection(db: Pick<Database, "execute">): Promise<void> {
  for (const statement of faultInjectionSql) await db.execute(sql.raw(statement));
}

/**
 * Mismatches between stored counters and a recount from the rows they summarise; [] when exact.
 * Run as a superuser (sees every tenant). Checks:
 *   - each execution's step_count equals its number of steps, and its ordinals are exactly 1..n;
 *   - each agent's lifetime usage row equals a recount of its terminal executions;
 *   - each (agent, UTC day) rollup row equals a recount of that day's terminal executions;
 *   - each (tenant, UTC day) rollup row likewise (no agent is deleted where this runs).
 */
export const consistencySql = `
  with steps as (
    select execution_id, count(*)::int as n, max(ordinal) as top, count(distinct ordinal)::int as distinct_n
    from agent_execution_steps group by execution_id
  ), step_mismatch as (
    select 'steps ' || e.id || ': step_count ' || e.step_count || ', rows ' || coalesce(s.n, 0) as problem
    from agent_executions e left join steps s on s.execution_id = e.id
    where e.step_count <> coalesce(s.n, 0) or coalesce(s.top, 0) <> e.step_count or coalesce(s.distinct_n, 0) <> coalesce(s.n, 0)
  ), recount as (
    select agent_id, count(*) as total,
           count(*) filter (where status = 'succeeded') as ok,
           count(*) filter (where status = 'failed') as failed,
           count(*) filter (where status = 'cancelled') as cancelled,
           sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens,
           sum(cost_usd) as cost, sum(coalesce(duration_ms, 0)) as duration
    from agent_executions where status <> 'running' group by agent_id
  ), usage_mismatch as (
    select 'usage ' || u.agent_id || ': stored ' || u.total_executions || ', recount ' || coalesce(r.total, 0) as problem
    from (select agent_id, sum(total_executions) as total_executions, sum(successful_executions) as successful_executions,
                 sum(failed_executions) as failed_executions, sum(cancelled_executions) as cancelled_executions,
                 sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens, sum(total_tokens) as total_tokens,
                 sum(total_cost_usd) as total_cost_usd, sum(total_duration_ms) as total_duration_ms, max(last_executed_at) as last_executed_at
          from agent_usage_stats group by agent_id) u left join recount r using (agent_id)
    where u.total_executions <> coalesce(r.total, 0) or u.successful_executions <> coalesce(r.ok, 0)
       or u.failed_executions <> coalesce(r.failed, 0) or u.cancelled_executions <> coalesce(r.cancelled, 0)
       or u.input_tokens <> coalesce(r.input_tokens, 0) or u.output_tokens <> coalesce(r.output_tokens, 0)
       or u.total_cost_usd <> coalesce(r.cost, 0) or u.total_duration_ms <> coalesce(r.duration, 0)
  ), daily_recount as (
    select agent_id, (started_at at time zone 'UTC')::date as day, count(*) as total,
           sum(input_tokens) as input_tokens, sum(cost_usd) as cost
    from agent_executions where status <> 'running' group by 1, 2
  ), daily_mismatch as (
    select 'daily ' || coalesce(d.agent_id, r.agent_id) || ' ' || coalesce(d.day, r.day) || ': stored '
           || coalesce(d.total_executions, 0) || ', recount ' || coalesce(r.total, 0) as problem
    from (select agent_id, day, sum(total_executions) as total_executions, sum(input_tokens) as input_tokens,
                 sum(total_tokens) as total_tokens, sum(total_cost_usd) as total_cost_usd
          from agent_usage_daily group by agent_id, day) d full join daily_recount r on r.agent_id = d.agent_id and r.day = d.day
    where coalesce(d.total_executions, 0) <> coalesce(r.total, 0) or coalesce(d.input_tokens, 0) <> coalesce(r.input_tokens, 0)
       or coalesce(d.total_cost_usd, 0) <> coalesce(r.cost, 0)
  ), tenant_daily_recount as (
    select tenant_id, (started_at at time zone 'UTC')::date as day, count(*) as total,
           sum(input_tokens) as input_tokens, sum(cost_usd) as cost
    from agent_executions where status <> 'running' group by 1, 2
  ), tenant_daily_mismatch as (
    select 'tenant daily ' || coalesce(d.tenant_id, r.tenant_id) || ' ' || coalesce(d.day, r.day) || ': stored '
           || coalesce(d.total_executions, 0) || ', recount ' || coalesce(r.total, 0) as problem
    from (select tenant_id, day, sum(total_executions) as total_executions, sum(input_tokens) as input_tokens,
                 sum(total_cost_usd) as total_cost_usd
          from tenant_usage_daily group by tenant_id, day) d full join tenant_daily_recount r on r.tenant_id = d.tenant_id and r.day = d.day
    where coalesce(d.total_executions, 0) <> coalesce(r.total, 0) or coalesce(d.input_tokens, 0) <> coalesce(r.input_tokens, 0)
       or coalesce(d.total_cost_usd, 0) <> coalesce(r.cost, 0)
  )
  select problem from step_mismatch union all select problem from usage_mismatch union all select problem from daily_mismatch
  union all select problem from tenant_daily_mismatch`;
