import { sql } from "drizzle-orm";

import type { Tx } from "./tenant-scope";

/**
 * The demo budgets of each demo tenant (seed.ts calls this after its runs are in): a soft monthly
 * tenant budget with an 80% alert threshold, and a hard monthly budget on the tenant's first agent
 * (acme's Support triage, globex's first). Limits are sized from the last 30 days' spend in the
 * rollups, so the bars read sensibly whatever the seed's `now`: the tenant's at 1.25 times that
 * month's spend, the agent's at twice its month (at least $25), so the hard budget never refuses
 * the demo's runs. Fixed ids (`kind` 14 of seed.ts's demoId), no random draws.
 */
export async function seedDemoBudgets(tx: Tx, tenantId: string, tenantIndex: number, now: Date): Promise<number> {
  const today = sql`(${now.toISOString()}::timestamptz at time zone 'utc')::date`;
  const id = (n: number) => `${tenantIndex.toString(16).padStart(8, "0")}-0000-4000-800e-${n.toString(16).padStart(12, "0")}`;
  await tx.execute(sql`
    insert into budgets (id, tenant_id, name, scope, period, limit_usd, enforcement, alert_threshold_percent)
    select ${id(1)}::uuid, ${tenantId}, 'Monthly spend', 'tenant', 'monthly',
           greatest(10, ceil(coalesce(sum(d.total_cost_usd), 0) * 1.25)), 'soft', 80
    from tenant_usage_daily d
    where d.tenant_id = ${tenantId} and d.day > ${today} - 30`);
  await tx.execute(sql`
    insert into budgets (id, tenant_id, name, scope, agent_id, period, limit_usd, enforcement, alert_threshold_percent)
    select ${id(2)}::uuid, a.tenant_id, a.name || ' cap', 'agent', a.id, 'monthly',
           greatest(25, ceil(coalesce((select sum(d.total_cost_usd) from agent_usage_daily d
                                       where d.tenant_id = a.tenant_id and d.agent_id = a.id
                                         and d.day > ${today} - 30), 0) * 2)),
           'hard', 90
    from agents a
    where a.tenant_id = ${tenantId}
    order by a.created_at, a.id
    limit 1`);
  return 2;
}
