/**
 * Ingestion: executions started and completed per second through HTTP + tRPC + Drizzle
 * (createFetchHandler on @hono/node-server as apps/server serves it, in this process;
 * BENCH_INGEST_SERVER=process runs apps/server/src/node.ts in its own process instead, real
 * HS256 tokens) vs the same SQL statements sent straight with `pg`. The API is driven two ways:
 * through @agent-builder/sdk, the client sibling apps use (tRPC's httpBatchLink: concurrent calls
 * share HTTP requests, each procedure still its own transaction), and with one keep-alive
 * node:http request per call.
 *
 * The baseline replays exactly what the API sent for one start and one complete (captured with
 * the QueryLogger of connectPostgres): per execution one transaction for start (its opening,
 * `begin; select set_config(...)` in one round trip, the procedure's statements, COMMIT), then
 * another for complete. Same pool size both sides.
 * Executions are spread over 100 agents so the hot counter does not enter the picture.
 */
import { spawn } from "node:child_process";
import http from "node:http";
import { fileURLToPath } from "node:url";

import { type ServerType, serve } from "@hono/node-server";
import pg from "pg";

import { createFetchHandler, createTokenVerifier, mintToken } from "@agent-builder/api";
import { createAgentBuilderClient } from "@agent-builder/sdk";

import { banner, benchDbName, connect, createTenant, fmt, freshDatabase, machine, postProcedure, runFor, withClient } from "./lib";

const durationMs = Number(process.env.BENCH_INGEST_MS ?? 6_000);
/** Each side's time is split into this many alternating rounds. */
const rounds = Number(process.env.BENCH_INGEST_ROUNDS ?? 6);
const roundMs = durationMs / rounds;
const concurrencies = (process.env.BENCH_INGEST_CONCURRENCY ?? "16,64").split(",").map(Number);
const poolMax = Number(process.env.BENCH_POOL_MAX ?? 20);
export const secret = "bench-secret-that-is-long-enough-for-hs256!";
const tenantId = "bench-ingest";
const serverDir = fileURLToPath(new URL("../../apps/server", import.meta.url));
/**
 * `inline` (default): the API served inside the benchmark's process; `process`: the production
 * entry in its own process. On this 2-core machine the extra process competes with Postgres and
 * the load generator for the same cores, and measured no better (docs/performance.md).
 */
const serverMode = process.env.BENCH_INGEST_SERVER === "process" ? "process" : "inline";

export interface Captured {
  text: string;
  params: unknown[];
}

export async function startServer(url: string, capture: Captured[] | null) {
  const database = connect(url, poolMax, capture ? { logQuery: (text, params) => capture.push({ text, params }) } : undefined);
  const handle = createFetchHandler({ db: database.db, verifyToken: createTokenVerifier({ secret }), knownCallers: new Set() });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: handle, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    base: `http://127.0.0.1:${port}/trpc`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
    },
  };
}

/**
 * The production entry (apps/server/src/node.ts) in its own process on the same database, as it
 * is deployed: the API's Node work then has its own thread instead of sharing the load
 * generator's event loop. Same pool size as the baseline (PG_POOL_MAX).
 */
async function startServerProcess(url: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/node.ts"], {
    cwd: serverDir,
    // LOG_LEVEL=warn: a log line per request is not what this measures (and would flood the pipe).
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: url,
      AUTH_JWT_SECRET: secret,
      PG_POOL_MAX: String(poolMax),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /API on http:\/\/localhost:(\d+)\/trpc/.exec(output);
      if (!match) return;
      child.stdout.off("data", onData);
      child.stdout.resume(); // keep draining, stop collecting
      resolve(Number(match[1]));
    };
    child.stdout.on("data", onData);
    child.on("exit", (code) => reject(new Error(`API server exited with ${code}: ${output}`)));
  });
  return {
    base: `http://127.0.0.1:${port}/trpc`,
    close: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });
const call = (base: string, token: string, procedure: string, input: unknown) =>
  postProcedure(keepAlive, `${base}/${procedure}`, token, input);

const startInput = (agentId: string) => ({ agentId, input: { question: "What is the weather?" } });
/** The caller reports its cost (what every caller had to do before the price table). */
const completeInput = (id: string) => ({
  id,
  output: { answer: "Sunny." },
  usage: { inputTokens: 900, outputTokens: 120 },
  costUsd: 0.0008,
  durationMs: 1234,
});
/** The caller reports only its usage: the database prices it (trigger agent_executions_price, the shipped price of gpt-4.1-mini). */
const completeComputedInput = (id: string) => ({
  id,
  output: { answer: "Sunny." },
  usage: { inputTokens: 900, outputTokens: 120, cachedInputTokens: 100 },
  durationMs: 1234,
});

/**
 * "Without computed cost": the pricing trigger switched off, the caller's cost stored as given,
 * which is what a completion did before migration 0014. Switched between rounds only (ALTER
 * TABLE takes a lock no request may hold), as the bench's owner role.
 */
const setPricing = (url: string, on: boolean) =>
  withClient(url, (c) => c.query(`alter table agent_executions ${on ? "enable" : "disable"} trigger agent_executions_price`));

export async function ingestionBench(): Promise<void> {
  banner("Ingestion: start + complete per second, HTTP + tRPC + Drizzle vs the same SQL with pg");
  console.log(
    `${machine()}; ${durationMs / 1000} s per side and concurrency in ${rounds} alternating rounds, pool of ${poolMax} connections both sides, API server ${serverMode === "process" ? "in its own process (apps/server/src/node.ts)" : "in this process"} on 127.0.0.1, clients: the SDK and keep-alive node:http`,
  );
  const url = await freshDatabase(benchDbName("ingest"));
  const { userId, agentIds } = await withClient(url, (c) => createTenant(c, tenantId, 100));
  const token = await mintToken(secret, { sub: userId, tid: tenantId, role: "member" });
  const [price] = await withClient(
    url,
    async (c) =>
      (
        await c.query<{ source: string | null; rows: number }>(
          `select (model_price_at($1, 'gpt-4.1-mini', 'openai', now())).source, (select count(*)::int from models) as rows`,
          [tenantId],
        )
      ).rows,
  );
  if (!price?.source) throw new Error("gpt-4.1-mini has no price in this database: the shipped price table did not sync at migrate");
  console.log(`pricing: gpt-4.1-mini priced from ${price.source}; the models table holds ${price.rows} rows`);

  // 1. Capture what the API sends for one start and one complete (after a warm-up request that creates the mirror rows).
  const captured: Captured[] = [];
  const capturing = await startServer(url, captured);
  const warm = await call(capturing.base, token, "executions.start", startInput(agentIds[0]!));
  await call(capturing.base, token, "executions.complete", completeInput(warm.id));
  captured.length = 0;
  const started = await call(capturing.base, token, "executions.start", startInput(agentIds[0]!));
  const startStatements = captured.splice(0);
  const priced = await call(capturing.base, token, "executions.complete", completeComputedInput(started.id));
  const completeStatements = captured.splice(0);
  if (priced.costUsd !== 0.000522)
    throw new Error(`computed cost ${priced.costUsd}, expected 0.000522 (800 x $0.4 + 100 cached x $0.1 + 120 x $1.6 per million)`);
  await capturing.close();
  console.log("SQL the API sends per execution (each list is one transaction):");
  for (const [name, list] of [
    ["start", startStatements],
    ["complete", completeStatements],
  ] as const) {
    for (const s of list) console.log(`  ${name}: ${s.text.replace(/\s+/g, " ").slice(0, 160)}${s.text.length > 160 ? " ..." : ""}`);
  }

  const results: Array<{ concurrency: number; sdk: number; sdkBefore: number; sdkProvided: number; perCall: number; direct: number }> = [];
  for (const concurrency of concurrencies) {
    // 2. Through the API, two ways. The SDK (@agent-builder/sdk, what sibling apps use: one
    //    client, tRPC's httpBatchLink, so calls made in the same tick share a request; each
    //    procedure still runs in its own transaction) and one HTTP request per call.
    const server = serverMode === "process" ? await startServerProcess(url) : await startServer(url, null);
    const sdk = createAgentBuilderClient({ url: server.base, getToken: () => token, retry: { retries: 0 } });
    let i = 0;
    const throughSdk = (complete: typeof completeInput | typeof completeComputedInput) => () =>
      runFor(roundMs, concurrency, async () => {
        const execution = await sdk.executions.start.mutate(startInput(agentIds[i++ % agentIds.length]!));
        await sdk.executions.complete.mutate(complete(execution.id));
        return true;
      });
    /** The pricing trigger off for this side's round only. */
    const withoutPricing = (run: () => ReturnType<typeof runFor>) => async () => {
      await setPricing(url, false);
      try {
        return await run();
      } finally {
        await setPricing(url, true);
      }
    };
    const throughHttp = () =>
      runFor(roundMs, concurrency, async () => {
        const execution = await call(server.base, token, "executions.start", startInput(agentIds[i++ % agentIds.length]!));
        await call(server.base, token, "executions.complete", completeComputedInput(execution.id));
        return true;
      });

    // 3. The same statements straight through pg: the captured texts, the captured parameters
    //    with the agent and execution ids swapped for this execution's.
    const pool = new pg.Pool({ connectionString: url, max: poolMax });
    // The captured list already holds BEGIN and COMMIT (Drizzle sends them as statements).
    const transaction = async (statements: Captured[], swap: (p: unknown) => unknown) => {
      const client = await pool.connect();
      let result: pg.QueryResult | undefined;
      try {
        for (const s of statements) {
          const r = await client.query(s.text, s.params.map(swap));
          if (/^\s*(insert|update)/i.test(s.text)) result = r;
        }
      } catch (error) {
        await client.query("rollback");
        throw error;
      } finally {
        client.release();
      }
      return result!;
    };
    const capturedAgent = agentIds[0]!;
    let j = 0;
    const throughPg = () =>
      runFor(roundMs, concurrency, async () => {
        const agentId = agentIds[j++ % agentIds.length]!;
        const inserted = await transaction(startStatements, (p) => (p === capturedAgent ? agentId : p));
        const id = (inserted.rows[0] as { id: string }).id;
        const completed = await transaction(completeStatements, (p) => (p === started.id ? id : p));
        if (completed.rowCount !== 1) throw new Error("baseline complete did not update one row");
        return true;
      });

    // Short alternating rounds (SDK, per call, pg, then the reverse, ...) instead of one long run
    // each: on a shared machine the load drifts, and alternating exposes every side to it.
    const sides = [
      { name: "sdk", run: throughSdk(completeComputedInput), ops: 0, ms: 0 },
      { name: "sdkBefore", run: withoutPricing(throughSdk(completeInput)), ops: 0, ms: 0 },
      { name: "sdkProvided", run: throughSdk(completeInput), ops: 0, ms: 0 },
      { name: "perCall", run: throughHttp, ops: 0, ms: 0 },
      { name: "pg", run: throughPg, ops: 0, ms: 0 },
    ];
    for (let round = 0; round < rounds; round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        const { ops, ms } = await side.run();
        side.ops += ops;
        side.ms += ms;
      }
    }
    await server.close();
    await pool.end();

    const [viaSdk, before, provided, perCall, direct] = sides.map((side) => ({ ops: side.ops, rate: (side.ops / side.ms) * 1000 }));
    results.push({
      concurrency,
      sdk: viaSdk!.rate,
      sdkBefore: before!.rate,
      sdkProvided: provided!.rate,
      perCall: perCall!.rate,
      direct: direct!.rate,
    });
    console.log(
      `concurrency ${concurrency}: API via the SDK, cost computed ${fmt(viaSdk!.ops)} executions (${fmt(viaSdk!.rate)}/s), ` +
        `without pricing ${fmt(before!.ops)} (${fmt(before!.rate)}/s), cost given ${fmt(provided!.ops)} (${fmt(provided!.rate)}/s), ` +
        `API one request per call ${fmt(perCall!.ops)} (${fmt(perCall!.rate)}/s), pg ${fmt(direct!.ops)} (${fmt(direct!.rate)}/s)`,
    );
  }

  const check = await withClient(url, async (c) => {
    const { rows } = await c.query<{ running: number; counted: string; recount: string }>(
      `select (select count(*)::int from agent_executions where status = 'running') as running,
              (select sum(total_executions)::text from agent_usage_stats) as counted,
              (select count(*)::text from agent_executions where status <> 'running') as recount`,
    );
    return rows[0]!;
  });
  console.log(
    `\nafter the runs: ${check.running} executions left running, counters ${check.counted} = recount ${check.recount}: ${check.counted === check.recount}`,
  );
  console.log(
    "concurrency | API via SDK /s | API per call /s | pg /s | SDK / pg | per call / pg | SDK without pricing / pg | computed / without",
  );
  for (const r of results) {
    console.log(
      `${String(r.concurrency).padStart(11)} | ${fmt(r.sdk).padStart(14)} | ${fmt(r.perCall).padStart(15)} | ${fmt(r.direct).padStart(6)} | ` +
        `${fmt(r.sdk / r.direct, 2).padStart(8)} | ${fmt(r.perCall / r.direct, 2).padStart(13)} | ` +
        `${fmt(r.sdkBefore / r.direct, 2).padStart(24)} | ${fmt(r.sdk / r.sdkBefore, 2).padStart(18)}`,
    );
  }
  console.log("target: API >= 0.5x pg; with computed cost within 10% of the ratio without it (computed / without >= 0.90)");
  keepAlive.destroy();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await ingestionBench();
}
