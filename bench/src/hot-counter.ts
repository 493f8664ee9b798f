/**
 * Hot counter: 32 concurrent completions on ONE agent vs spread over 1,000 agents, at the SQL
 * level through the real usage trigger, each completion in its own transaction with the tenant
 * scope the API sets, sent as the API sends it (`begin; select set_config(tenant,
 * statement_timeout, role)` in one round trip; UPDATE ... RETURNING; COMMIT — three round trips,
 * so the row lock is held across the COMMIT round trip just as in a real request).
 *
 * Executions are pre-started (inserted as `running` before the clock starts), so the timed part
 * is exactly the contended write: the completion and the trigger's three counter upserts
 * (agent stats, agent day, tenant day). Spread over 1,000 agents, the completions still meet on
 * the tenant's day rows, which have the same slots. The slot function is swapped per case
 * (1 = the old single-row design, 4, 16 = shipped, 64) and restored to the shipped definition
 * at the end. After each case the counters are checked against a recount from agent_executions.
 * A last reference case runs the same completions with the usage trigger disabled (the issue's
 * "plain" rate: what the counting costs), and checks that nothing was counted.
 */
import pg from "pg";

import { banner, benchDbName, createTenant, fmt, freshDatabase, machine, runFor, withClient } from "./lib";

const workers = Number(process.env.BENCH_WORKERS ?? 32);
const durationMs = Number(process.env.BENCH_HOT_MS ?? 5_000);
const preStarted = Number(process.env.BENCH_HOT_PRESTART ?? 40_000);
const slotCounts = (process.env.BENCH_SLOTS ?? "1,4,16,64").split(",").map(Number);
const tenantId = "bench-hot";

const shippedSlotFunction = `CREATE OR REPLACE FUNCTION usage_slot(execution_id uuid) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (hashtext(execution_id::text) & 15)::smallint
$$`;

function slotFunction(slots: number): string {
  if (slots === 16) return shippedSlotFunction;
  if (slots === 1)
    return `CREATE OR REPLACE FUNCTION usage_slot(execution_id uuid) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 0::smallint $$`;
  if ((slots & (slots - 1)) !== 0) throw new Error("slot counts must be powers of two");
  return `CREATE OR REPLACE FUNCTION usage_slot(execution_id uuid) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (hashtext(execution_id::text) & ${slots - 1})::smallint
$$`;
}

interface CaseResult {
  slots: number;
  agents: number;
  completions: number;
  perSecond: number;
  exact: boolean;
  slotRows: number;
  ranOut: boolean;
}

/** `counting: false` is the reference without usage counting: the trigger disabled for the case. */
async function runCase(
  url: string,
  agentIds: string[],
  userId: string,
  slots: number,
  spread: number,
  counting = true,
): Promise<CaseResult> {
  const ids = await withClient(url, async (c) => {
    await c.query("truncate agent_execution_steps, agent_executions, agent_usage_stats, agent_usage_daily, tenant_usage_daily");
    await c.query(slotFunction(slots));
    await c.query(`alter table agent_executions ${counting ? "enable" : "disable"} trigger agent_executions_count_usage`);
    const { rows } = await c.query<{ id: string }>(
      `insert into agent_executions (tenant_id, agent_id, user_id, input_data)
       select $1, ($2::uuid[])[1 + (g % $3::int)], $4, '{"question":"hi"}'::jsonb
       from generate_series(1, $5::int) g returning id`,
      [tenantId, agentIds, spread, userId, preStarted],
    );
    await c.query("vacuum analyze agent_executions");
    return rows.map((r) => r.id);
  });

  // Fresh connections per case: no session keeps a plan of the previous slot function.
  const clients = await Promise.all(
    Array.from({ length: workers }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  let next = 0;
  let ranOut = false;
  const { ops, ms } = await runFor(durationMs, workers, async (w) => {
    const id = ids[next++];
    if (!id) {
      ranOut = true;
      return false;
    }
    const c = clients[w]!;
    // As the API opens a transaction: BEGIN and the tenant scope in one round trip.
    await c.query(
      `begin; select set_config('app.tenant_id', '${tenantId}', true), set_config('statement_timeout', '10000', true), set_config('role', 'agent_builder_app', true)`,
    );
    try {
      const { rowCount } = await c.query(
        `update agent_executions set status = 'succeeded', completed_at = greatest(now(), started_at),
           duration_ms = round(extract(epoch from (greatest(now(), started_at) - started_at)) * 1000)::int,
           output_data = $1::jsonb, input_tokens = $2, output_tokens = $3, cost_usd = $4
         where tenant_id = $5 and id = $6 and status = 'running' returning *`,
        ['{"answer":"ok"}', 900, 120, "0.000800", tenantId, id],
      );
      if (rowCount !== 1) throw new Error(`execution ${id} was not running`);
      await c.query("commit");
    } catch (error) {
      await c.query("rollback");
      throw error;
    }
    return true;
  });
  await Promise.all(clients.map((c) => c.end()));

  const check = await withClient(url, async (c) => {
    const { rows } = await c.query<{ mismatched: number; tenant_mismatched: boolean; agents: number; slot_rows: number; counted: string }>(`
      with recount as (
        select agent_id, count(*) as n, sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens, sum(cost_usd) as cost
        from agent_executions where status <> 'running' group by agent_id),
      stats as (
        select agent_id, sum(total_executions) as n, sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens, sum(total_cost_usd) as cost
        from agent_usage_stats group by agent_id),
      daily as (select agent_id, sum(total_executions) as n, sum(total_cost_usd) as cost from agent_usage_daily group by agent_id)
      select count(*) filter (where r.n is distinct from s.n or r.input_tokens is distinct from s.input_tokens
                                or r.output_tokens is distinct from s.output_tokens or r.cost is distinct from s.cost
                                or r.n is distinct from d.n or r.cost is distinct from d.cost)::int as mismatched,
             coalesce((select sum(total_executions) from tenant_usage_daily), 0) <> coalesce(sum(r.n), 0)
               or coalesce((select sum(total_cost_usd) from tenant_usage_daily), 0) <> coalesce(sum(r.cost), 0) as tenant_mismatched,
             count(*)::int as agents,
             (select count(*)::int from agent_usage_stats) as slot_rows,
             coalesce(sum(s.n), 0)::text as counted
      from recount r full join stats s using (agent_id) full join daily d using (agent_id)`);
    return rows[0]!;
  });
  // Without counting, "exact" means nothing was counted (the trigger really was off).
  const exact = counting
    ? check.mismatched === 0 && !check.tenant_mismatched && Number(check.counted) === ops
    : Number(check.counted) === 0 && check.slot_rows === 0;
  return { slots, agents: spread, completions: ops, perSecond: (ops / ms) * 1000, exact, slotRows: check.slot_rows, ranOut };
}

export async function hotCounterBench(): Promise<void> {
  banner("Hot counter: 32 concurrent completions, one agent vs 1,000 agents");
  console.log(
    `${machine()}; ${workers} workers, ${durationMs / 1000} s per case, pre-started executions completed via the real trigger, tenant scope as the API sets it (SQL level, not in-process API)`,
  );
  const url = await freshDatabase(benchDbName("hot"));
  const { userId, agentIds } = await withClient(url, (c) => createTenant(c, tenantId, 1_000));
  const rows: Array<{ slots: number; one: CaseResult; spread: CaseResult }> = [];
  let plain: CaseResult | undefined;
  try {
    for (const slots of slotCounts) {
      const one = await runCase(url, agentIds, userId, slots, 1);
      const spread = await runCase(url, agentIds, userId, slots, 1_000);
      rows.push({ slots, one, spread });
      for (const r of [one, spread]) {
        console.log(
          `slots=${String(slots).padStart(2)} agents=${String(r.agents).padStart(4)}: ${fmt(r.completions).padStart(7)} completions, ${fmt(r.perSecond).padStart(6)}/s, ` +
            `stats rows ${r.slotRows}, exact=${r.exact}${r.ranOut ? " (ran out of pre-started executions)" : ""}`,
        );
      }
    }
    // The same completions with no usage counting at all: what the counters cost.
    plain = await runCase(url, agentIds, userId, 16, 1_000, false);
    console.log(
      `no counting (trigger off) agents=1000: ${fmt(plain.completions).padStart(7)} completions, ${fmt(plain.perSecond).padStart(6)}/s, nothing counted=${plain.exact}`,
    );
  } finally {
    await withClient(url, async (c) => {
      await c.query(shippedSlotFunction);
      await c.query("alter table agent_executions enable trigger agent_executions_count_usage");
    });
  }
  console.log("\nslots | one agent /s | 1,000 agents /s | ratio one/spread | exact");
  for (const { slots, one, spread } of rows) {
    console.log(
      `${String(slots).padStart(5)} | ${fmt(one.perSecond).padStart(12)} | ${fmt(spread.perSecond).padStart(15)} | ${fmt(one.perSecond / spread.perSecond, 2).padStart(16)} | ${one.exact && spread.exact}`,
    );
  }
  if (plain) {
    const shipped = rows.find((r) => r.slots === 16);
    console.log(`no counting | ${"".padStart(12)} | ${fmt(plain.perSecond).padStart(15)} |`);
    if (shipped)
      console.log(
        `counting costs: 16 slots spread = ${fmt(shipped.spread.perSecond / plain.perSecond, 2)}x, one agent = ${fmt(shipped.one.perSecond / plain.perSecond, 2)}x the rate without counting`,
      );
  }
  console.log(
    "target: one agent >= 0.5x spread with the shipped slot count (16), counters exact; usage_slot restored to the shipped 16-slot definition",
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await hotCounterBench();
}
