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
 * "plain" rate: what the counting costs), and checks that nothing was counted. Then every counter
 * at once (mixBench: crew runs in conversations with their child runs, agent runs in
 * conversations), with the trigger on and off, in alternating rounds, checked against a recount.
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
    await c.query(
      "truncate conversation_messages, agent_execution_steps, agent_executions, agent_usage_stats, agent_usage_daily, tenant_usage_daily",
    );
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
           output_data = $1::jsonb, input_tokens = $2, output_tokens = $3, provided_cost_usd = $4
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

const mixRounds = Number(process.env.BENCH_MIX_ROUNDS ?? 4);
const mixRoundMs = Number(process.env.BENCH_MIX_ROUND_MS ?? 2_000);
const mixGroups = Number(process.env.BENCH_MIX_GROUPS ?? 12_000);

interface MixSide {
  name: string;
  counting: boolean;
  pool: Array<{ crewRun: string; children: string[]; agentRun: string }>;
  next: number;
  completions: number;
  ms: number;
  ranOut: boolean;
}

/**
 * Every counter at once (shipped 16 slots). Each operation is a crew run's work: its 2 child
 * runs complete, each in its own transaction, then the crew run (the trigger sums its children),
 * then one agent run: 4 completions touching agent rows (the child runs' and the agent run's
 * agents), crew rows (the crew run), the tenant's day (all four, in their slots) and, for runs in
 * conversations, the conversations' rows (the crew run in one of 500 crew conversations, the
 * agent run in one of 500 agent conversations). 100 crews of 3 members over the 1,000 agents.
 * Three sides in alternating rounds (load drift hits all): every counter on; the same runs with
 * the usage trigger disabled (the crew-run trigger still sums); the same runs outside
 * conversations. Counters are then checked against a recount of the runs completed with the
 * trigger on.
 */
async function mixBench(url: string, agentIds: string[], userId: string, spaceId: string) {
  const prestart = async (c: pg.Client, groups: number, inConversations: boolean) => {
    const { rows: crewRuns } = await c.query<{ id: string }>(
      `insert into agent_executions (tenant_id, crew_id, conversation_id, user_id, input_data)
       select $1, v.crew_id, case when $4::boolean then v.id end, $2, '{"goal":"report"}'::jsonb
       from generate_series(0, $3::int - 1) g
       join lateral (select id, crew_id from conversations where tenant_id = $1 and crew_id is not null order by id offset g % 500 limit 1) v on true
       returning id`,
      [tenantId, userId, groups, inConversations],
    );
    const { rows: children } = await c.query<{ id: string; parent: string }>(
      `insert into agent_executions (tenant_id, agent_id, parent_execution_id, user_id, input_data)
       select $1, m.agent_id, p.id, $2, '{"task":"part"}'::jsonb
       from unnest($3::uuid[]) p(id) join agent_executions e on e.id = p.id
       join lateral (select agent_id from crew_members where crew_id = e.crew_id order by position limit 2) m on true
       returning id, parent_execution_id as parent`,
      [tenantId, userId, crewRuns.map((r) => r.id)],
    );
    const { rows: agentRuns } = await c.query<{ id: string }>(
      `insert into agent_executions (tenant_id, agent_id, conversation_id, user_id, input_data)
       select $1, v.agent_id, case when $4::boolean then v.id end, $2, '{"question":"hi"}'::jsonb
       from generate_series(0, $3::int - 1) g
       join lateral (select id, agent_id from conversations where tenant_id = $1 and agent_id is not null order by id offset g % 500 limit 1) v on true
       returning id`,
      [tenantId, userId, groups, inConversations],
    );
    const byParent = new Map<string, string[]>();
    for (const child of children) byParent.set(child.parent, [...(byParent.get(child.parent) ?? []), child.id]);
    return crewRuns.map((run, i) => ({ crewRun: run.id, children: byParent.get(run.id) ?? [], agentRun: agentRuns[i]!.id }));
  };
  const [inChats, outside] = await withClient(url, async (c) => {
    await c.query(
      "truncate conversation_messages, agent_execution_steps, agent_executions, agent_usage_stats, agent_usage_daily, tenant_usage_daily, crew_usage_stats, crew_usage_daily",
    );
    await c.query(shippedSlotFunction);
    await c.query("alter table agent_executions enable trigger agent_executions_count_usage");
    const crews = (
      await c.query<{ id: string }>(
        `insert into crews (tenant_id, name, owner_id, space_id) select $1, 'Crew ' || lpad(g::text, 3, '0'), $2, $3
         from generate_series(1, 100) g returning id`,
        [tenantId, userId, spaceId],
      )
    ).rows.map((r) => r.id);
    await c.query(
      `insert into crew_members (tenant_id, crew_id, agent_id, position)
       select $1, c.id, ($2::uuid[])[1 + ((c.n - 1) * 3 + m) % 1000], m
       from unnest($3::uuid[]) with ordinality c(id, n), generate_series(0, 2) m`,
      [tenantId, agentIds, crews],
    );
    await c.query(
      `insert into conversations (tenant_id, user_id, crew_id, title) select $1, $2, ($3::uuid[])[1 + g % 100], 'Crew chat' from generate_series(0, 499) g`,
      [tenantId, userId, crews],
    );
    await c.query(
      `insert into conversations (tenant_id, user_id, agent_id, title) select $1, $2, ($3::uuid[])[1 + g % 1000], 'Agent chat' from generate_series(0, 499) g`,
      [tenantId, userId, agentIds],
    );
    const pools = [await prestart(c, mixGroups, true), await prestart(c, Math.ceil(mixGroups / 2), false)] as const;
    await c.query("vacuum analyze agent_executions");
    return pools;
  });
  const sides: MixSide[] = [
    {
      name: "every counter (agent, crew, tenant, conversation)",
      counting: true,
      pool: inChats,
      next: 0,
      completions: 0,
      ms: 0,
      ranOut: false,
    },
    { name: "the same runs, usage trigger off", counting: false, pool: inChats, next: 0, completions: 0, ms: 0, ranOut: false },
    {
      name: "the same runs outside conversations (agent, crew, tenant)",
      counting: true,
      pool: outside,
      next: 0,
      completions: 0,
      ms: 0,
      ranOut: false,
    },
  ];
  // The trigger-off side takes its groups from the far end of the shared pool.
  const takeFrom = (side: MixSide) => (side.counting ? side.pool[side.next++] : side.pool[side.pool.length - 1 - side.next++]);
  const counted: string[] = [];

  const clients = await Promise.all(
    Array.from({ length: workers }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  const complete = async (c: pg.Client, id: string) => {
    await c.query(
      `begin; select set_config('app.tenant_id', '${tenantId}', true), set_config('statement_timeout', '10000', true), set_config('role', 'agent_builder_app', true)`,
    );
    try {
      const { rowCount } = await c.query(
        `update agent_executions set status = 'succeeded', completed_at = greatest(now(), started_at),
           duration_ms = round(extract(epoch from (greatest(now(), started_at) - started_at)) * 1000)::int,
           output_data = $1::jsonb, input_tokens = $2, output_tokens = $3, provided_cost_usd = $4
         where tenant_id = $5 and id = $6 and status = 'running' returning *`,
        ['{"answer":"ok"}', 900, 120, "0.000800", tenantId, id],
      );
      if (rowCount !== 1) throw new Error(`execution ${id} was not running`);
      await c.query("commit");
    } catch (error) {
      await c.query("rollback");
      throw error;
    }
  };
  for (let round = 0; round < mixRounds; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      await withClient(url, (c) =>
        c.query(`alter table agent_executions ${side.counting ? "enable" : "disable"} trigger agent_executions_count_usage`),
      );
      const { ops, ms } = await runFor(mixRoundMs, workers, async (w) => {
        const group = takeFrom(side);
        if (!group || side.next > side.pool.length / (side.pool === inChats ? 2 : 1)) {
          side.ranOut = true;
          return false;
        }
        const c = clients[w]!;
        for (const child of group.children) await complete(c, child);
        await complete(c, group.crewRun);
        await complete(c, group.agentRun);
        if (side.counting) counted.push(...group.children, group.crewRun, group.agentRun);
        return true;
      });
      side.completions += ops * 4;
      side.ms += ms;
    }
  }
  await Promise.all(clients.map((c) => c.end()));
  await withClient(url, (c) => c.query("alter table agent_executions enable trigger agent_executions_count_usage"));

  // Exact: the counters equal a recount of the runs completed with the trigger on (and only those).
  const check = await withClient(url, async (c) => {
    await c.query("create temporary table counted (id uuid primary key)");
    await c.query("insert into counted select unnest($1::uuid[])", [counted]);
    const { rows } = await c.query<{ bad: string; counted: string }>(`
      with runs as (select e.* from agent_executions e join counted using (id)),
           agents_truth as (select agent_id, count(*) as n, sum(total_tokens) as tokens from runs where agent_id is not null group by agent_id),
           agents_stored as (select agent_id, sum(total_executions) as n, sum(total_tokens) as tokens from agent_usage_stats group by agent_id),
           crews_truth as (select p.crew_id, count(*) as n, sum((select sum(k.total_tokens) from agent_executions k where k.parent_execution_id = p.id)) as tokens
                           from runs p where p.agent_id is null group by p.crew_id),
           crews_stored as (select crew_id, sum(total_executions) as n, sum(total_tokens) as tokens from crew_usage_stats group by crew_id),
           chats_truth as (select v.id, count(e.id) as n, coalesce(sum(e.input_tokens), 0) as tokens from conversations v
                           left join runs e on e.conversation_id = v.id group by v.id)
      select ((select count(*) from agents_truth t full join agents_stored s using (agent_id) where (t.n, t.tokens) is distinct from (s.n, s.tokens))
           + (select count(*) from crews_truth t full join crews_stored s using (crew_id) where (t.n, t.tokens) is distinct from (s.n, s.tokens))
           + (select count(*) from chats_truth t join conversations v using (id) where (t.n, t.tokens) is distinct from (v.execution_count, v.input_tokens))
           + (select count(*) from (select sum(total_executions) as n, sum(total_tokens) as tokens from tenant_usage_daily) d,
                (select count(*) filter (where parent_execution_id is null) as n, sum(total_tokens) filter (where agent_id is not null) as tokens from runs) t
              where (d.n, d.tokens) is distinct from (t.n, t.tokens)))::text as bad,
             (select coalesce(sum(total_executions), 0)::text from agent_usage_stats) as counted`);
    return rows[0]!;
  });
  const agentCompletions = counted.length - counted.length / 4; // children and agent runs (3 of every 4)
  return { sides, exact: check.bad === "0" && Number(check.counted) === agentCompletions };
}

export async function hotCounterBench(): Promise<void> {
  banner("Hot counter: 32 concurrent completions, one agent vs 1,000 agents");
  console.log(
    `${machine()}; ${workers} workers, ${durationMs / 1000} s per case, pre-started executions completed via the real trigger, tenant scope as the API sets it (SQL level, not in-process API)`,
  );
  const url = await freshDatabase(benchDbName("hot"));
  const { userId, spaceId, agentIds } = await withClient(url, (c) => createTenant(c, tenantId, 1_000));
  const rows: Array<{ slots: number; one: CaseResult; spread: CaseResult }> = [];
  let plain: CaseResult | undefined;
  let mix: Awaited<ReturnType<typeof mixBench>> | undefined;
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
    // Every counter on: crew runs in conversations with their child runs, agent runs in conversations; against the trigger off.
    mix = await mixBench(url, agentIds, userId, spaceId);
    for (const side of mix.sides) {
      console.log(
        `${side.name}: ${fmt(side.completions).padStart(7)} completions, ${fmt((side.completions / side.ms) * 1000).padStart(6)}/s${side.ranOut ? " (ran out of pre-started executions)" : ""}`,
      );
    }
    console.log(`counters after the mixed rounds equal a recount of the runs completed with the trigger on: ${mix.exact}`);
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
  if (mix) {
    const [on, off, noChat] = mix.sides.map((side) => (side.completions / side.ms) * 1000) as [number, number, number];
    console.log(
      `every counter on (crew runs in conversations with 2 child runs each, agent runs in conversations): ${fmt(on)}/s vs ${fmt(off)}/s trigger off = ${fmt(on / off, 2)}x (target >= 0.6x); ` +
        `the same runs outside conversations ${fmt(noChat / off, 2)}x; exact=${mix.exact}`,
    );
  }
  console.log(
    "target: one agent >= 0.5x spread with the shipped slot count (16), counters exact; usage_slot restored to the shipped 16-slot definition",
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await hotCounterBench();
}
