import type { TenantSummary, UsageBucket, UsageTotals } from "@agent-builder/contracts";
import { queryRows, sql, type Tx } from "@agent-builder/db";

import type { Caller } from "../auth";
import { bucketColumns } from "./service";

/**
 * Staff usage reads across tenants (the staff role reads every tenant's rollups). Figures come
 * from the same rollups as each tenant's own `usage.*` reads, with the same UTC periods, so the
 * two agree. Each read is one statement, whatever the number of tenants or agents.
 */

/** The UTC day `offsetDays` from today, `YYYY-MM-DD`. */
export const utcDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** Every tenant's agents and month so far (UTC), busiest first; from the tenants' own daily rollups. */
export async function tenantsThisMonth(tx: Tx): Promise<TenantSummary[]> {
  const tenants = await queryRows<TenantSummary>(
    tx,
    sql`with month as (select date_trunc('month', now() at time zone 'utc')::date as start)
        select t.id as "tenantId", t.name,
               (select count(*)::int from agents a where a.tenant_id = t.id) as "agentCount",
               (select count(*)::int from agents a where a.tenant_id = t.id and a.status = 'active') as "activeAgents",
               coalesce(m.executions, 0)::int as "executionsThisMonth",
               coalesce(m.failed, 0)::int as "failedThisMonth",
               coalesce(m.cost, 0)::float8 as "costThisMonthUsd",
               (m.failed / nullif(m.executions, 0))::float8 as "failureRate",
               (select max(s.last_executed_at) from agent_usage_stats s where s.tenant_id = t.id) as "lastExecutedAt"
        from tenants t
        cross join month
        left join lateral (
          select sum(d.total_executions) as executions, sum(d.failed_executions) as failed, sum(d.total_cost_usd) as cost
          from tenant_usage_daily d where d.tenant_id = t.id and d.day >= month.start
        ) m on true
        order by coalesce(m.executions, 0) desc, t.id`,
  );
  return tenants.map((t) => ({ ...t, lastExecutedAt: t.lastExecutedAt ? new Date(t.lastExecutedAt).toISOString() : null }));
}

/** All tenants' executions and cost per UTC day, the last `days` days up to today (empty days as zeros). */
export function dailyAcrossTenants(tx: Tx, days: number): Promise<UsageBucket[]> {
  const from = utcDay(1 - days);
  const to = utcDay(0);
  return queryRows<UsageBucket>(
    tx,
    sql`select to_char(g.day, 'YYYY-MM-DD') as day,
               ${bucketColumns}
        from generate_series(${from}::date, ${to}::date, interval '1 day') as g(day)
        left join tenant_usage_daily u on u.day = g.day::date and u.day between ${from}::date and ${to}::date
        group by g.day order by g.day`,
  );
}

/** What an agent without a run this month shows: zeros, and no average. */
const noUsage: UsageTotals = {
  executions: 0,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  unpricedExecutions: 0,
  inputTokens: 0,
  outputTokens: 0,
  totalTokens: 0,
  costUsd: 0,
  avgDurationMs: null,
};

/**
 * Each of a tenant's agents with its month so far (UTC), as `usage.agent`'s `thisMonth` gives it:
 * for a whole page of agents in one statement, the month's daily rows of just those agents
 * (`agent_usage_daily`, read by tenant and day), summed per agent.
 */
export async function withThisMonth<T extends { id: string }>(
  tx: Tx,
  scope: Caller,
  agents: T[],
): Promise<Array<T & { thisMonth: UsageTotals }>> {
  if (agents.length === 0) return [];
  const rows = await queryRows<{ agentId: string; thisMonth: UsageTotals }>(
    tx,
    sql`select u.agent_id as "agentId",
               json_build_object(
                 'executions', sum(u.total_executions),
                 'succeeded', sum(u.successful_executions),
                 'failed', sum(u.failed_executions),
                 'cancelled', sum(u.cancelled_executions),
                 'unpricedExecutions', sum(u.unpriced_executions),
                 'inputTokens', sum(u.input_tokens),
                 'outputTokens', sum(u.output_tokens),
                 'totalTokens', sum(u.total_tokens),
                 'costUsd', sum(u.total_cost_usd),
                 'avgDurationMs', round(sum(u.total_duration_ms) / nullif(sum(u.total_executions), 0))
               ) as "thisMonth"
        from agent_usage_daily u
        where u.tenant_id = ${scope.tenantId}
          and u.day >= date_trunc('month', now() at time zone 'utc')::date
          and u.agent_id in (${sql.join(
            agents.map((a) => sql`${a.id}::uuid`),
            sql`, `,
          )})
        group by u.agent_id`,
  );
  const byAgent = new Map(rows.map((r) => [r.agentId, r.thisMonth]));
  return agents.map((a) => ({ ...a, thisMonth: byAgent.get(a.id) ?? noUsage }));
}
