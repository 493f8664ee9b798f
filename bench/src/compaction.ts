/**
 * The nightly usage compaction (`pnpm db:compact-usage`, docs/operations.md) run on a freshly
 * seeded database, so benchmark databases look like production: past days folded into one row
 * per agent day and tenant day, today and yesterday still in their counter slots. Checks that
 * every counter summed per agent day and per tenant day is the same after as before (the seed
 * checked "before" against a recount), then vacuums and analyzes the two tables.
 */
import { compactUsage, usageCounterColumns } from "@agent-builder/db";

import { connect, fmt, withClient } from "./lib";

const counters = usageCounterColumns;
const sums = counters.map((c) => `sum(${c}) as ${c}`).join(", ");
const differs = counters.map((c) => `b.${c} is distinct from a.${c}`).join(" or ");

export async function compactSeededUsage(url: string): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(`create temp table agent_days_before as select agent_id, day, ${sums} from agent_usage_daily group by 1, 2`);
    await c.query(`create temp table tenant_days_before as select tenant_id, day, ${sums} from tenant_usage_daily group by 1, 2`);

    const database = connect(url, 2);
    const t0 = performance.now();
    const result = await compactUsage(database.db).finally(() => database.close());
    const ms = performance.now() - t0;

    const { rows } = await c.query<{ agent_days: number; tenant_days: number; slotted: number }>(
      `select (select count(*)::int from agent_days_before b
                 full join (select agent_id, day, ${sums} from agent_usage_daily group by 1, 2) a using (agent_id, day) where ${differs}) as agent_days,
              (select count(*)::int from tenant_days_before b
                 full join (select tenant_id, day, ${sums} from tenant_usage_daily group by 1, 2) a using (tenant_id, day) where ${differs}) as tenant_days,
              (select count(*)::int from agent_usage_daily where day < $1::date and slot <> 0) +
              (select count(*)::int from tenant_usage_daily where day < $1::date and slot <> 0) as slotted`,
      [result.foldedBefore],
    );
    await c.query("vacuum analyze agent_usage_daily, tenant_usage_daily");
    const r = rows[0]!;
    const { agentDays: ad, tenantDays: td } = result;
    console.log(
      `usage compaction (nightly maintenance, days before ${result.foldedBefore}): agent_usage_daily ${fmt(ad.rowsBefore)} → ${fmt(ad.rowsAfter)} rows ` +
        `(${fmt(ad.rowsFolded)} slot rows of ${fmt(ad.groups)} agent days folded, ${fmt(ad.batches)} batches), tenant_usage_daily ${fmt(td.rowsBefore)} → ` +
        `${fmt(td.rowsAfter)} rows (${fmt(td.rowsFolded)} of ${fmt(td.groups)} tenant days, ${fmt(td.batches)} batches) in ${fmt(ms / 1000, 1)} s`,
    );
    const exact = r.agent_days === 0 && r.tenant_days === 0 && r.slotted === 0;
    console.log(
      `compacted counters exact: ${exact} (agent days changed ${r.agent_days}, tenant days changed ${r.tenant_days}, past slot rows left ${r.slotted})`,
    );
    if (!exact) throw new Error("usage compaction changed the counters");
  });
}
