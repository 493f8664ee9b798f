/**
 * crews.get flat in the number of crews: p50/p95 of `crews.get` of one crew with 20 members (each
 * with 3 tools attached) and 50 tasks (each with context on the two before it), when the tenant has
 * 1,000 crews and when it has 100,000 (the others with 3 members and 5 tasks each: 300k member
 * rows and 500k tasks at 100k). Through the in-process tRPC caller (createCallerFactory +
 * createContext + a real token: everything a request does but HTTP), 20 warm-up calls then 300
 * timed calls per size; the statement is captured and run under EXPLAIN (ANALYZE, BUFFERS) at
 * both sizes, and the tables read by a Seq Scan are listed. Target: p95 at 100k ≤ 1.5× p95 at 1k.
 */
import type pg from "pg";

import { appRouter, createCallerFactory, createContext, createTokenVerifier, mintToken } from "@agent-builder/api";

import { banner, benchDbName, connect, createTenant, fmt, freshDatabase, machine, summarise, withClient } from "./lib";

const calls = Number(process.env.BENCH_CREWS_CALLS ?? 300);
const secret = "bench-secret-that-is-long-enough-for-hs256!";
const tenantId = "bench-crews";
const createCaller = createCallerFactory(appRouter);

/** `count` filler crews: each with 3 of the tenant's agents as members and 5 tasks, in bulk SQL. */
async function addFillerCrews(c: pg.Client, from: number, count: number, owner: { userId: string; spaceId: string }) {
  await c.query(
    `insert into crews (tenant_id, name, owner_id, space_id)
     select $1, 'Filler crew ' || g, $2, $3 from generate_series($4::int, $5::int) g`,
    [tenantId, owner.userId, owner.spaceId, from, from + count - 1],
  );
  // Members: agents k, k+1, k+2 (mod 40) for filler crew k; positions 0..2.
  await c.query(
    `with agents_numbered as (select id, row_number() over (order by id) - 1 as n from agents where tenant_id = $1),
          fill as (select id, (substring(name from 13))::int as k from crews
                   where tenant_id = $1 and name like 'Filler crew %' and (substring(name from 13))::int between $2 and $3)
     insert into crew_members (tenant_id, crew_id, agent_id, position)
     select $1, f.id, a.id, p from fill f cross join generate_series(0, 2) p
     join agents_numbered a on a.n = (f.k + p) % 40`,
    [tenantId, from, from + count - 1],
  );
  await c.query(
    `insert into tasks (tenant_id, crew_id, title, description, expected_output, agent_id, position)
     select $1, m.crew_id, 'Task ' || t, 'Do part ' || t, 'A result', m.agent_id, t
     from crew_members m join crews c on c.id = m.crew_id and c.tenant_id = m.tenant_id
     cross join generate_series(0, 4) t
     where m.tenant_id = $1 and m.position = t % 3 and c.name like 'Filler crew %'
       and (substring(c.name from 13))::int between $2 and $3`,
    [tenantId, from, from + count - 1],
  );
}

/** The measured crew: 20 members with 3 tools each, 50 tasks, each reading the two before it. */
async function addMeasuredCrew(c: pg.Client, owner: { userId: string; spaceId: string }, agentIds: string[]): Promise<string> {
  const crewId = (
    await c.query<{ id: string }>(
      `insert into crews (tenant_id, name, owner_id, space_id, process, memory)
       values ($1, 'Measured crew', $2, $3, 'sequential', true) returning id`,
      [tenantId, owner.userId, owner.spaceId],
    )
  ).rows[0]!.id;
  const members = agentIds.slice(0, 20);
  for (const [position, agentId] of members.entries()) {
    await c.query("insert into crew_members (tenant_id, crew_id, agent_id, position) values ($1, $2, $3, $4)", [
      tenantId,
      crewId,
      agentId,
      position,
    ]);
  }
  const taskIds: string[] = [];
  for (let t = 0; t < 50; t++) {
    const id = (
      await c.query<{ id: string }>(
        `insert into tasks (tenant_id, crew_id, title, description, expected_output, agent_id, position, output_format)
         values ($1, $2, $3, 'Research and write part of the report', 'A section', $4, $5, $6) returning id`,
        [
          tenantId,
          crewId,
          `Task ${t}`,
          members[t % 20],
          t,
          t % 10 === 0 ? { type: "object", properties: { summary: { type: "string" } } } : null,
        ],
      )
    ).rows[0]!.id;
    for (const context of taskIds.slice(-2)) {
      await c.query("insert into task_context (tenant_id, crew_id, task_id, context_task_id) values ($1, $2, $3, $4)", [
        tenantId,
        crewId,
        id,
        context,
      ]);
    }
    taskIds.push(id);
  }
  return crewId;
}

async function measure(url: string, userId: string, crewId: string) {
  let capture: { text: string; params: unknown[] }[] | null = null;
  const database = connect(url, 4, { logQuery: (text, params) => capture?.push({ text, params }) });
  try {
    const deps = { db: database.db, verifyToken: createTokenVerifier({ secret }), knownCallers: new Set<string>() };
    const token = await mintToken(secret, { sub: userId, tid: tenantId, role: "member" });
    const api = createCaller(createContext(deps, new Headers({ authorization: `Bearer ${token}` })));
    const first = await api.crews.get({ id: crewId });
    if (first.members.length !== 20 || first.tasks.length !== 50) throw new Error("the measured crew is not 20 members and 50 tasks");
    if (first.members.some((m) => m.tools.length !== 3)) throw new Error("every member should have 3 tools");
    for (let i = 0; i < 20; i++) await api.crews.get({ id: crewId });
    const samples: number[] = [];
    for (let i = 0; i < calls; i++) {
      const started = performance.now();
      await api.crews.get({ id: crewId });
      samples.push(performance.now() - started);
    }
    capture = [];
    await api.crews.get({ id: crewId });
    // The procedure's own statements: not the scope's opening (begin + set_config) nor its commit.
    const statements = capture.filter((s) => !/set_config|^\s*(begin|commit|rollback)\b/i.test(s.text));
    capture = null;
    const query = statements[statements.length - 1];
    if (!query) throw new Error("no statement captured");
    const plan = await withClient(url, async (c) => {
      await c.query("begin");
      await c.query("select set_config('app.tenant_id', $1, true), set_config('role', 'agent_builder_app', true)", [tenantId]);
      const rows = (await c.query(`explain (analyze, buffers) ${query.text}`, query.params)).rows as { "QUERY PLAN": string }[];
      await c.query("rollback");
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
    const seqScans = [...new Set([...plan.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]))].sort();
    return { ...summarise(samples), statements: statements.length, plan, seqScans };
  } finally {
    await database.close();
  }
}

export async function crewsGetBench(): Promise<void> {
  banner("crews.get: one crew of 20 members (3 tools each) and 50 tasks, at 1k and 100k crews");
  console.log(`${machine()}; ${calls} timed calls per size through the in-process caller`);
  const url = await freshDatabase(benchDbName("crews"));
  const setup = await withClient(url, async (c) => {
    const owner = await createTenant(c, tenantId, 40);
    // Three tools per agent (120 tools), attached in position order.
    await c.query(
      `insert into tools (tenant_id, name, description, type, parameters, created_by)
       select $1, 'Tool ' || g, 'A bench tool', 'function', '{"type":"object","properties":{"q":{"type":"string"}}}'::jsonb, $2
       from generate_series(1, 120) g`,
      [tenantId, owner.userId],
    );
    await c.query(
      `with a as (select id, row_number() over (order by id) - 1 as n from agents where tenant_id = $1),
            t as (select id, row_number() over (order by id) - 1 as n from tools where tenant_id = $1)
       insert into agent_resources (tenant_id, agent_id, tool_id, position)
       select $1, a.id, t.id, t.n % 3 from a join t on t.n / 3 = a.n`,
      [tenantId],
    );
    const crewId = await addMeasuredCrew(c, owner, owner.agentIds);
    await addFillerCrews(c, 1, 999, owner);
    await c.query("analyze");
    return { ...owner, crewId };
  });

  const small = await measure(url, setup.userId, setup.crewId);
  const grow = performance.now();
  await withClient(url, async (c) => {
    for (let from = 1000; from < 100_000; from += 11_000) await addFillerCrews(c, from, Math.min(11_000, 100_000 - from), setup);
    await c.query("analyze");
  });
  const counts = await withClient(url, async (c) => {
    const { rows } = await c.query(
      "select (select count(*) from crews)::int as crews, (select count(*) from crew_members)::int as members, (select count(*) from tasks)::int as tasks",
    );
    return rows[0] as { crews: number; members: number; tasks: number };
  });
  console.log(
    `grew to ${fmt(counts.crews)} crews, ${fmt(counts.members)} member rows, ${fmt(counts.tasks)} tasks in ${fmt((performance.now() - grow) / 1000, 1)} s`,
  );
  const large = await measure(url, setup.userId, setup.crewId);

  // A Seq Scan on the tables that grow (crews, crew_members, tasks, task_context) would not be flat;
  // the tenant's 40 agents, 120 tools and their attachments are small enough that one is cheaper.
  console.log("\n| crews | p50 ms | p95 ms | statements | Seq Scan on |");
  console.log("| ----: | -----: | -----: | ---------: | ----------- |");
  for (const [label, r] of [
    ["1k", small],
    ["100k", large],
  ] as const) {
    console.log(`| ${label} | ${fmt(r.p50, 2)} | ${fmt(r.p95, 2)} | ${r.statements} | ${r.seqScans.join(", ") || "none"} |`);
  }
  const ratio = large.p95 / small.p95;
  console.log(`p95 100k / 1k = ${fmt(ratio, 2)} (target <= 1.5: ${ratio <= 1.5 ? "met" : "NOT met"})`);
  console.log(`\nplan at 1k:\n${small.plan}\n\nplan at 100k:\n${large.plan}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await crewsGetBench();
}
