/**
 * Flat reads: p50/p95 of agents.list, executions.list (first page and a deep cursor page, 90% of
 * the tenant's executions down), usage.agent (the busiest agent) and usage.timeseries (90 days;
 * tenant-wide and one agent) at 10k and 1M executions, through the in-process tRPC caller
 * (createCallerFactory + createContext + a real token: everything a request does but HTTP).
 * Each procedure's SQL is captured with the QueryLogger and run under EXPLAIN (ANALYZE,
 * BUFFERS) inside the same tenant scope the API sets; Seq Scans are flagged.
 */
import type pg from "pg";

import { appRouter, createCallerFactory, createContext, createTokenVerifier, mintToken } from "@agent-builder/api";

import { banner, benchDbName, connect, databaseExists, fmt, summarise, urlOf, withClient } from "./lib";
import { seedBenchDatabase } from "./seed";

const calls = Number(process.env.BENCH_READ_CALLS ?? 200);
const secret = "bench-secret-that-is-long-enough-for-hs256!";
const tenantId = "bench-big";
const createCaller = createCallerFactory(appRouter);

/** The seeded database of that size, seeding it first when missing or of another size. */
export async function seededDatabase(executions: number): Promise<string> {
  const name = `e${executions}`;
  const url = urlOf(benchDbName(name));
  if (await databaseExists(benchDbName(name))) {
    const count = await withClient(url, async (c) => {
      try {
        return Number((await c.query("select count(*) as n from agent_executions")).rows[0].n);
      } catch {
        return -1;
      }
    });
    if (count === executions) return url;
  }
  return seedBenchDatabase(executions, name);
}

interface Captured {
  text: string;
  params: unknown[];
}

interface ReadResult {
  name: string;
  p50: number;
  p95: number;
  plan: string;
  seqScan: boolean;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

async function measureSize(executions: number): Promise<ReadResult[]> {
  const url = await seededDatabase(executions);
  let capture: Captured[] | null = null;
  const database = connect(url, 4, { logQuery: (text, params) => capture?.push({ text, params }) });
  const deps = { db: database.db, verifyToken: createTokenVerifier({ secret }), knownCallers: new Set<string>() };
  const setup = await withClient(url, async (c) => {
    const user = (await c.query("select id from users where tenant_id = $1 order by id limit 1", [tenantId])).rows[0].id as string;
    const busiest = (
      await c.query(
        "select agent_id from agent_usage_stats where tenant_id = $1 group by agent_id order by sum(total_executions) desc limit 1",
        [tenantId],
      )
    ).rows[0].agent_id as string;
    const total = Number((await c.query("select count(*) n from agent_executions where tenant_id = $1", [tenantId])).rows[0].n);
    const deep = (
      await c.query(
        "select created_at::text as v, id from agent_executions where tenant_id = $1 order by created_at desc, id desc offset $2 limit 1",
        [tenantId, Math.floor(total * 0.9)],
      )
    ).rows[0] as { v: string; id: string };
    return { user, busiest, deep };
  });
  const token = await mintToken(secret, { sub: setup.user, tid: tenantId, role: "member" });
  const api = createCaller(createContext(deps, new Headers({ authorization: `Bearer ${token}` })));
  const deepCursor = Buffer.from(JSON.stringify({ o: "createdAt:desc", v: setup.deep.v, id: setup.deep.id })).toString("base64url");
  const to = new Date();
  const from = new Date(to.getTime() - 89 * 86_400_000);

  const reads: Array<[string, () => Promise<unknown>]> = [
    ["agents.list (50)", () => api.agents.list({ limit: 50 })],
    ["executions.list first page (50)", () => api.executions.list({ limit: 50 })],
    ["executions.list deep cursor (90% down)", () => api.executions.list({ limit: 50, cursor: deepCursor })],
    ["usage.agent (busiest agent)", () => api.usage.agent({ agentId: setup.busiest })],
    ["usage.timeseries 90 days, tenant", () => api.usage.timeseries({ from: isoDay(from), to: isoDay(to) })],
    ["usage.timeseries 90 days, one agent", () => api.usage.timeseries({ from: isoDay(from), to: isoDay(to), agentId: setup.busiest })],
  ];

  await api.agents.list({ limit: 1 }); // creates nothing (mirror rows exist), marks the caller known
  const results: ReadResult[] = [];
  for (const [name, read] of reads) {
    for (let i = 0; i < 10; i++) await read(); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      await read();
      samples.push(performance.now() - t);
    }
    capture = [];
    await read();
    const statements: Captured[] = capture;
    capture = null;
    const plan = await explain(url, statements);
    const { p50, p95 } = summarise(samples);
    results.push({ name, p50, p95, plan, seqScan: /Seq Scan/.test(plan) });
  }
  await database.close();
  return results;
}

/** EXPLAIN (ANALYZE, BUFFERS) of the procedure's statements, in a transaction scoped as the API scopes it, rolled back. */
async function explain(url: string, statements: Captured[]): Promise<string> {
  return withClient(url, async (c: pg.Client) => {
    const out: string[] = [];
    await c.query("begin");
    try {
      for (const s of statements) {
        // The API opens with `begin; select set_config(...)` in one round trip (PGlite: the
        // set_config alone); here the transaction is already open, so only the scope is applied.
        if (/set_config\('app\.tenant_id'/.test(s.text)) {
          await c.query(s.text.replace(/^\s*begin;\s*/i, ""), s.params);
          continue;
        }
        if (/^\s*(begin|commit|rollback)\b/i.test(s.text)) continue;
        const { rows } = await c.query(`explain (analyze, buffers) ${s.text}`, s.params);
        out.push(
          `-- ${s.text.replace(/\s+/g, " ")}\n-- params: ${JSON.stringify(s.params)}\n${rows.map((r) => r["QUERY PLAN"]).join("\n")}`,
        );
      }
    } finally {
      await c.query("rollback");
    }
    return out.join("\n\n");
  });
}

export async function readsBench(): Promise<void> {
  banner(`Flat reads: p50/p95 over ${calls} calls each, in-process tRPC caller, tenant ${tenantId} (90% of executions, 1,000 agents)`);
  const sizes = (process.env.BENCH_READ_SIZES ?? "10000,1000000").split(",").map(Number);
  const bySize = new Map<number, ReadResult[]>();
  for (const size of sizes) bySize.set(size, await measureSize(size));
  const small = sizes[0]!;
  const larger = sizes.slice(1);
  const header = sizes.map((s) => `${fmt(s)}: p50 / p95 ms`).join(" | ");
  const ratioHeader = larger.map((s) => `p95 ${fmt(s)} / ${fmt(small)}`).join(" | ");
  console.log(`\nprocedure | ${header} | ${ratioHeader} | seq scan`);
  const smallResults = bySize.get(small)!;
  for (let i = 0; i < smallResults.length; i++) {
    const cells = sizes.map((s) => {
      const r = bySize.get(s)![i]!;
      return `${fmt(r.p50, 2)} / ${fmt(r.p95, 2)}`;
    });
    const ratios = larger.map((s) => fmt(bySize.get(s)![i]!.p95 / smallResults[i]!.p95, 2));
    const seqAt = sizes.filter((s) => bySize.get(s)![i]!.seqScan);
    const seq = seqAt.length === 0 ? "no" : `SEQ SCAN at ${seqAt.map((s) => fmt(s)).join(", ")}`;
    console.log(`${smallResults[i]!.name} | ${cells.join(" | ")} | ${ratios.join(" | ")} | ${seq}`);
  }
  console.log("targets: p95 at 1M <= 1.5x p95 at 10k; usage.timeseries p95 <= 20 ms; no sequential scans");
  for (const size of [...sizes].reverse()) {
    console.log(`\nEXPLAIN (ANALYZE, BUFFERS) at ${fmt(size)} executions:`);
    for (const r of bySize.get(size)!) console.log(`\n### ${r.name} (${fmt(size)})${r.seqScan ? "  [SEQ SCAN]" : ""}\n${r.plan}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await readsBench();
}
