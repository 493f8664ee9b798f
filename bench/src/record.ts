/**
 * `executions.record`: finished runs written in one call and one transaction, through the SDK
 * (`createAgentBuilderClient`, the API served in this process as in the ingestion benchmark).
 *
 * a. One finished agent run with 3 steps per call, through the SDK, vs the same statements sent
 *    straight with `pg` in one transaction (captured with the QueryLogger: the transaction's
 *    opening, the subjects read, the run insert, the steps insert, COMMIT; replayed with a fresh
 *    run id each time). Then batches of 100 such runs per call vs one run per call (runs/s).
 * b. A crew run with 5 tasks (5 child runs, one per task, 3 steps each naming its task) recorded
 *    in one call vs 5 agent runs with the same steps in one call (agent runs/s): what a crew run
 *    adds (its insert, the finishing update that sums its children, its counters).
 * Sides alternate in short rounds, so load drift hits all of them; concurrency 16 for every side
 * but the batches of 100 (4 at a time: batches of one tenant take turns).
 */
import pg from "pg";

import { mintToken } from "@agent-builder/api";
import { createAgentBuilderClient, type StepInput } from "@agent-builder/sdk";

import { type Captured, secret, startServer } from "./ingestion";
import { banner, benchDbName, createTenant, fmt, freshDatabase, machine, runFor, withClient } from "./lib";

const roundMs = Number(process.env.BENCH_RECORD_ROUND_MS ?? 1_500);
const rounds = Number(process.env.BENCH_RECORD_ROUNDS ?? 4);
const concurrency = Number(process.env.BENCH_RECORD_CONCURRENCY ?? 16);
/**
 * Batches of one tenant take turns (executions.record's advisory lock), so 16 at once only queue:
 * on a loaded machine the last ones waited past the 10 s statement timeout. An importer sends a
 * few at a time; 4 here.
 */
const batchConcurrency = Number(process.env.BENCH_RECORD_BATCH_CONCURRENCY ?? 4);
const poolMax = Number(process.env.BENCH_POOL_MAX ?? 20);
const tenantId = "bench-record";

const usage = { inputTokens: 900, outputTokens: 120 };
const steps = (taskId?: string): StepInput[] => [
  { type: "thought", data: { text: "Look it up." }, inputTokens: 300, ...(taskId && { taskId }) },
  { type: "tool_call", data: { tool: "search", q: "weather" }, ...(taskId && { taskId }) },
  { type: "message", data: { text: "Sunny." }, outputTokens: 120, ...(taskId && { taskId }) },
];
const agentRun = (agentId: string, taskId?: string) => ({
  agentId,
  input: { question: "What is the weather?" },
  output: { answer: "Sunny." },
  status: "succeeded" as const,
  durationMs: 1_234,
  usage,
  costUsd: 0.0008,
  steps: steps(taskId),
});

interface Side {
  name: string;
  /** Runs (or agent parts) written per operation. */
  perOp: number;
  run: () => Promise<{ ops: number; ms: number }>;
  ops: number;
  ms: number;
}

async function alternate(sides: Side[]) {
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      const { ops, ms } = await side.run();
      side.ops += ops;
      side.ms += ms;
    }
  }
  return Object.fromEntries(sides.map((s) => [s.name, { runs: s.ops * s.perOp, rate: ((s.ops * s.perOp) / s.ms) * 1000 }]));
}

export async function recordBench(): Promise<void> {
  banner("executions.record: finished runs in one call, through the SDK vs pg; batches; a crew run of 5 tasks");
  console.log(
    `${machine()}; ${rounds} alternating rounds of ${roundMs / 1000} s per side, concurrency ${concurrency} (batches of 100: ${batchConcurrency}), pool of ${poolMax} both sides`,
  );
  const url = await freshDatabase(benchDbName("record"));
  const { userId, spaceId, agentIds } = await withClient(url, (c) => createTenant(c, tenantId, 100));
  // One crew of 5 members with 5 tasks (task i assigned to member i).
  const { crewId, members, taskIds } = await withClient(url, async (c) => {
    const crew = await c.query<{ id: string }>(
      "insert into crews (tenant_id, name, owner_id, space_id) values ($1, 'Bench crew', $2, $3) returning id",
      [tenantId, userId, spaceId],
    );
    const id = crew.rows[0]!.id;
    const chosen = agentIds.slice(0, 5);
    const tasks: string[] = [];
    for (const [position, agentId] of chosen.entries()) {
      await c.query("insert into crew_members (tenant_id, crew_id, agent_id, position) values ($1, $2, $3, $4)", [
        tenantId,
        id,
        agentId,
        position,
      ]);
      const task = await c.query<{ id: string }>(
        `insert into tasks (tenant_id, crew_id, title, description, expected_output, agent_id, position)
         values ($1, $2, $3, 'Do it', 'Done', $4, $5) returning id`,
        [tenantId, id, `Task ${position}`, agentId, position],
      );
      tasks.push(task.rows[0]!.id);
    }
    return { crewId: id, members: chosen, taskIds: tasks };
  });
  const token = await mintToken(secret, { sub: userId, tid: tenantId, role: "member" });

  // The statements of one record call of one run with 3 steps (after a warm-up creating the mirror rows).
  const captured: Captured[] = [];
  const capturing = await startServer(url, captured);
  const warmClient = createAgentBuilderClient({ url: capturing.base, getToken: () => token, retry: { retries: 0 } });
  await warmClient.executions.record.mutate({ runs: [agentRun(agentIds[0]!)] });
  captured.length = 0;
  const sample = await warmClient.executions.record.mutate({ runs: [agentRun(agentIds[0]!)] });
  const statements = captured.splice(0);
  await capturing.close();
  const capturedId = sample.runs[0]!.id;
  console.log("SQL the API sends for one run with 3 steps (one transaction):");
  for (const s of statements) console.log(`  ${s.text.replace(/\s+/g, " ").slice(0, 150)}${s.text.length > 150 ? " ..." : ""}`);

  const server = await startServer(url, null);
  const sdk = createAgentBuilderClient({ url: server.base, getToken: () => token, retry: { retries: 0 } });
  const pool = new pg.Pool({ connectionString: url, max: poolMax });
  let n = 0;
  const nextAgent = () => agentIds[n++ % agentIds.length]!;
  const batchOf = (size: number) => Array.from({ length: size }, () => agentRun(nextAgent()));

  // a. One run per call, SDK vs pg; then batches of 100 vs one run per call.
  const oneViaSdk = () => runFor(roundMs, concurrency, async () => !!(await sdk.executions.record.mutate({ runs: batchOf(1) })));
  const oneViaPg = () =>
    runFor(roundMs, concurrency, async () => {
      const id = crypto.randomUUID();
      const client = await pool.connect();
      try {
        for (const s of statements) {
          await client.query(
            s.text,
            s.params.map((p) => (typeof p === "string" && p.includes(capturedId) ? p.replaceAll(capturedId, id) : p)),
          );
        }
      } catch (error) {
        await client.query("rollback");
        throw error;
      } finally {
        client.release();
      }
      return true;
    });
  // Statistics as a database in use has them (autovacuum has not seen this fresh one yet):
  // without them the planner's guesses for the grown tables slowed each later side down.
  const analyze = () => withClient(url, (c) => c.query("analyze"));
  await analyze();
  const oneSide = await alternate([
    { name: "sdk", perOp: 1, run: oneViaSdk, ops: 0, ms: 0 },
    { name: "pg", perOp: 1, run: oneViaPg, ops: 0, ms: 0 },
  ]);
  await analyze();
  const batches = await alternate([
    {
      name: "batch",
      perOp: 100,
      run: () => runFor(roundMs, batchConcurrency, async () => !!(await sdk.executions.record.mutate({ runs: batchOf(100) }))),
      ops: 0,
      ms: 0,
    },
    { name: "single", perOp: 1, run: oneViaSdk, ops: 0, ms: 0 },
  ]);

  // b. A crew run of 5 tasks (5 child runs) vs 5 agent runs, one call each.
  const crewRun = () => ({
    crewId,
    input: { goal: "Weather report" },
    output: { report: "Sunny." },
    status: "succeeded" as const,
    durationMs: 6_000,
    childRuns: members.map((agentId, i) => agentRun(agentId, taskIds[i])),
  });
  await analyze();
  const crewSides = await alternate([
    {
      name: "crew",
      perOp: 5,
      run: () => runFor(roundMs, concurrency, async () => !!(await sdk.executions.record.mutate({ runs: [crewRun()] }))),
      ops: 0,
      ms: 0,
    },
    {
      name: "agents",
      perOp: 5,
      run: () =>
        runFor(roundMs, concurrency, async () => !!(await sdk.executions.record.mutate({ runs: members.map((a) => agentRun(a)) }))),
      ops: 0,
      ms: 0,
    },
  ]);
  await server.close();
  await pool.end();

  const check = await withClient(url, async (c) => {
    const { rows } = await c.query<{
      counted: string;
      recount: string;
      crew: string;
      crewRecount: string;
      tenant: string;
      tenantRecount: string;
    }>(
      `select (select sum(total_executions)::text from agent_usage_stats) as counted,
              (select count(*)::text from agent_executions where agent_id is not null) as recount,
              (select coalesce(sum(total_executions), 0)::text from crew_usage_stats) as crew,
              (select count(*)::text from agent_executions where agent_id is null) as "crewRecount",
              (select sum(total_tokens)::text from tenant_usage_daily) as tenant,
              (select sum(total_tokens)::text from agent_executions where agent_id is not null) as "tenantRecount"`,
    );
    return rows[0]!;
  });
  console.log(
    `after the runs: agent counters ${check.counted} = recount ${check.recount}, crew runs ${check.crew} = ${check.crewRecount}, tenant tokens ${check.tenant} = ${check.tenantRecount}: ` +
      `${check.counted === check.recount && check.crew === check.crewRecount && check.tenant === check.tenantRecount}`,
  );
  const line = (label: string, a: { runs: number; rate: number }, b: { runs: number; rate: number }, unit: string) =>
    `${label}: ${fmt(a.rate)} vs ${fmt(b.rate)} ${unit}/s = ${fmt(a.rate / b.rate, 2)}x (${fmt(a.runs)} vs ${fmt(b.runs)} ${unit})`;
  console.log(line("one run with 3 steps per call, SDK vs pg", oneSide.sdk!, oneSide.pg!, "runs"));
  console.log(line("batches of 100 vs one run per call (SDK)", batches.batch!, batches.single!, "runs"));
  console.log(line("a crew run of 5 tasks vs 5 agent runs per call (SDK)", crewSides.crew!, crewSides.agents!, "agent runs"));
  console.log("targets: SDK >= 0.8x pg; batches >= 3x one run per call");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await recordBench();
}
