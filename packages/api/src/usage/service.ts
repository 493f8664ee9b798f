import { queryRow, queryRows, type SQL, sql, type Tx } from "@agent-builder/db";

import type { Caller } from "../auth";
import { type BudgetRow, budgetsJson, toBudgets } from "../budgets/service";
import { BadRequest } from "../domain-errors";
import { notFound } from "../errors";
import type { UsageBucket, UsagePeriodsResult } from "./types";

/**
 * Usage reads. For an agent or a space: lifetime figures from `agent_usage_stats` (counter slots
 * per agent), periods and charts from `agent_usage_daily`. For a crew: the same from
 * `crew_usage_stats` / `crew_usage_daily` (each crew run once, with its child runs' totals). For the whole tenant: everything from
 * `tenant_usage_daily` (lifetime = all its days), one row per day and slot however many agents
 * the tenant has. The same trigger keeps all three, so they agree, except that a deleted agent's
 * rows go with it while the tenant's days keep its past usage. Every read is one query. Periods
 * are UTC: today, ISO week from Monday, calendar month.
 */

export type UsageScope =
  | { kind: "agent"; agentId: string }
  | { kind: "space"; spaceId: string }
  | { kind: "crew"; crewId: string }
  | { kind: "tenant" };

/** Which usage rows (stats or daily, aliased `u`) belong to the scope. */
function scopeFilter(caller: Caller, scope: UsageScope): SQL {
  const tenant = sql`u.tenant_id = ${caller.tenantId}`;
  switch (scope.kind) {
    case "agent":
      return sql`${tenant} and u.agent_id = ${scope.agentId}::uuid`;
    case "space":
      return sql`${tenant} and u.agent_id in (select id from agents where tenant_id = ${caller.tenantId} and space_id = ${scope.spaceId}::uuid)`;
    case "crew":
      return sql`${tenant} and u.crew_id = ${scope.crewId}::uuid`;
    case "tenant":
      return tenant;
  }
}

/** The lifetime (slotted) and daily counter tables of a scope that is not the tenant. */
const statsTable = (scope: UsageScope) => sql.raw(scope.kind === "crew" ? "crew_usage_stats" : "agent_usage_stats");

/**
 * The daily rollup a scope reads, aliased `u`, and which of its rows belong to the scope: the
 * tenant's own rollup for the tenant (range reads on its primary key), else the agent rows.
 */
function daily(caller: Caller, scope: UsageScope): { table: SQL; filter: SQL } {
  if (scope.kind === "tenant") return { table: sql`tenant_usage_daily u`, filter: sql`u.tenant_id = ${caller.tenantId}` };
  if (scope.kind === "crew") return { table: sql`crew_usage_daily u`, filter: scopeFilter(caller, scope) };
  return { table: sql`agent_usage_daily u`, filter: scopeFilter(caller, scope) };
}

/** Lifetime totals of the scope, with the start of its latest execution. */
function lifetime(caller: Caller, scope: UsageScope): SQL {
  if (scope.kind === "tenant") {
    // The latest run of a current agent: a deleted agent's counters stay in the tenant's days, its timestamp does not.
    const last = sql`(select max(s.last_executed_at) from agent_usage_stats s where s.tenant_id = ${caller.tenantId})`;
    const { table, filter } = daily(caller, scope);
    return sql`(select ${totals()}::jsonb || jsonb_build_object('lastExecutedAt', ${last}) from ${table} where ${filter})`;
  }
  return sql`(select ${totals()}::jsonb || jsonb_build_object('lastExecutedAt', max(u.last_executed_at))
                from ${statsTable(scope)} u where ${scopeFilter(caller, scope)})`;
}

/** Usage totals over the rows of `u` matching `filter`, as one JSON object. */
function totals(filter: SQL = sql`true`): SQL {
  const sum = (column: string) => sql`coalesce(sum(u.${sql.raw(column)}) filter (where ${filter}), 0)`;
  return sql`json_build_object(
    'executions', ${sum("total_executions")},
    'succeeded', ${sum("successful_executions")},
    'failed', ${sum("failed_executions")},
    'cancelled', ${sum("cancelled_executions")},
    'unpricedExecutions', ${sum("unpriced_executions")},
    'inputTokens', ${sum("input_tokens")},
    'outputTokens', ${sum("output_tokens")},
    'totalTokens', ${sum("total_tokens")},
    'costUsd', ${sum("total_cost_usd")},
    'avgDurationMs', round(${sum("total_duration_ms")} / nullif(${sum("total_executions")}, 0))
  )`;
}

function exists(caller: Caller, scope: UsageScope): SQL {
  switch (scope.kind) {
    case "agent":
      return sql`exists (select 1 from agents where tenant_id = ${caller.tenantId} and id = ${scope.agentId}::uuid)`;
    case "space":
      return sql`exists (select 1 from spaces where tenant_id = ${caller.tenantId} and id = ${scope.spaceId}::uuid)`;
    case "crew":
      return sql`exists (select 1 from crews where tenant_id = ${caller.tenantId} and id = ${scope.crewId}::uuid)`;
    case "tenant":
      return sql`true`;
  }
}

function agentCount(caller: Caller, scope: UsageScope): SQL {
  const space = scope.kind === "space" ? sql`and space_id = ${scope.spaceId}::uuid` : sql``;
  return sql`(select count(*)::int from agents where tenant_id = ${caller.tenantId} ${space})`;
}

function throwNotFound(scope: UsageScope): void {
  if (scope.kind === "agent") throw notFound("agent", scope.agentId);
  if (scope.kind === "space") throw notFound("space", scope.spaceId);
  if (scope.kind === "crew") throw notFound("crew", scope.crewId);
}

/**
 * `extra`: more columns of the same row (usage.* adds the budgets that apply, `budgetsJson`), so
 * the read stays one statement.
 */
export async function usageFor<Extra extends Record<string, unknown> = Record<never, never>>(
  tx: Tx,
  caller: Caller,
  scope: UsageScope,
  extra?: { [K in keyof Extra]: SQL },
): Promise<UsagePeriodsResult & Extra> {
  const { table, filter } = daily(caller, scope);
  const extraColumns = Object.entries(extra ?? {}).map(([name, value]) => sql`, ${value as SQL} as ${sql.identifier(name)}`);
  const row = await queryRow<UsagePeriodsResult & Extra & { found: boolean }>(
    tx,
    sql`with bounds as (
          select (now() at time zone 'utc')::date as today,
                 date_trunc('week', now() at time zone 'utc')::date as week,
                 date_trunc('month', now() at time zone 'utc')::date as month
        )
        select ${exists(caller, scope)} as found,
               ${agentCount(caller, scope)} as "agentCount",
               ${lifetime(caller, scope)} as lifetime,
               p.today, p."thisWeek", p."thisMonth"
               ${sql.join(extraColumns, sql``)}
        from bounds b
        -- One pass over the month's (or week's) daily rows gives all three periods.
        cross join lateral (
          select ${totals(sql`u.day >= b.today`)} as today,
                 ${totals(sql`u.day >= b.week`)} as "thisWeek",
                 ${totals(sql`u.day >= b.month`)} as "thisMonth"
          from ${table} where ${filter} and u.day >= least(b.week, b.month)
        ) p`,
  );
  if (!row.found) throwNotFound(scope);
  // max(timestamptz) inside jsonb is Postgres' text form; the contract wants ISO 8601.
  const last = row.lifetime.lastExecutedAt;
  row.lifetime = { ...row.lifetime, lastExecutedAt: last ? new Date(last).toISOString() : null };
  const { found: _found, ...usage } = row;
  return usage as UsagePeriodsResult & Extra;
}

/**
 * `usage.agent` / `space` / `crew` / `tenant`: the scope's usage and the budgets its runs answer
 * to (the scope is also the budgets' subject), in one statement.
 */
export async function usageWithBudgets(tx: Tx, caller: Caller, scope: UsageScope) {
  const { budgets, ...periods } = await usageFor<{ budgets: BudgetRow[] }>(tx, caller, scope, { budgets: budgetsJson(caller, scope) });
  return { ...periods, budgets: toBudgets(budgets) };
}

/** A daily bucket's counters, summed over the rows `u` of a day (usage.timeseries, the staff charts). */
export const bucketColumns = sql.raw(`coalesce(sum(u.total_executions), 0)::float8 as executions,
               coalesce(sum(u.successful_executions), 0)::float8 as succeeded,
               coalesce(sum(u.failed_executions), 0)::float8 as failed,
               coalesce(sum(u.cancelled_executions), 0)::float8 as cancelled,
               coalesce(sum(u.unpriced_executions), 0)::float8 as "unpricedExecutions",
               coalesce(sum(u.total_tokens), 0)::float8 as "totalTokens",
               coalesce(sum(u.total_cost_usd), 0)::float8 as "costUsd",
               round(sum(u.total_duration_ms) / nullif(sum(u.total_executions), 0))::float8 as "avgDurationMs"`);

export async function timeseries(
  tx: Tx,
  caller: Caller,
  input: { from: string; to: string; agentId?: string; spaceId?: string; crewId?: string },
): Promise<UsageBucket[]> {
  if ([input.agentId, input.spaceId, input.crewId].filter((id) => id !== undefined).length > 1) {
    throw new BadRequest("filter by one of agentId, spaceId and crewId, not several");
  }
  const scope: UsageScope = input.agentId
    ? { kind: "agent", agentId: input.agentId }
    : input.spaceId
      ? { kind: "space", spaceId: input.spaceId }
      : input.crewId
        ? { kind: "crew", crewId: input.crewId }
        : { kind: "tenant" };
  const { table, filter } = daily(caller, scope);
  const rows = await queryRows<UsageBucket & { found: boolean }>(
    tx,
    sql`select to_char(g.day, 'YYYY-MM-DD') as day,
               ${exists(caller, scope)} as found,
               ${bucketColumns}
        from generate_series(${input.from}::date, ${input.to}::date, interval '1 day') as g(day)
        -- The explicit range lets an index leading with (tenant_id, day) bound the scan; the join alone does not.
        left join ${table} on u.day = g.day::date and ${filter}
          and u.day between ${input.from}::date and ${input.to}::date
        group by g.day
        order by g.day`,
  );
  const [first] = rows;
  if (first && !first.found) throwNotFound(scope);
  return rows.map(({ found: _found, ...bucket }) => bucket);
}
