/**
 * Ingestion: executions started and completed per second through HTTP + tRPC + Drizzle
 * (createFetchHandler on @hono/node-server as apps/server serves it, in this process;
 * BENCH_INGEST_SERVER=process runs apps/server/src/node.ts in its own process instead,
 * real HS256 tokens, a keep-alive node:http client) vs the same SQL statements sent straight with `pg`.
 *
 * The baseline replays exactly what the API sent for one start and one complete (captured with
 * the QueryLogger of connectPostgres): per execution one transaction of set_config + the
 * procedure's statements for start, then another for complete. Same pool size both sides.
 * Executions are spread over 100 agents so the hot counter does not enter the picture.
 */
import { spawn } from "node:child_process";
import http from "node:http";
import { fileURLToPath } from "node:url";

import { serve, type ServerType } from "@hono/node-server";
import pg from "pg";

import { createFetchHandler, createTokenVerifier, mintToken } from "@agent-builder/api";

import { banner, benchDbName, connect, createTenant, fmt, freshDatabase, machine, runFor, withClient } from "./lib";

const durationMs = Number(process.env.BENCH_INGEST_MS ?? 6_000);
/** Each side's time is split into this many alternating rounds. */
const rounds = Number(process.env.BENCH_INGEST_ROUNDS ?? 6);
const roundMs = durationMs / rounds;
const concurrencies = (process.env.BENCH_INGEST_CONCURRENCY ?? "16,64").split(",").map(Number);
const poolMax = Number(process.env.BENCH_POOL_MAX ?? 20);
const secret = "bench-secret-that-is-long-enough-for-hs256!";
const tenantId = "bench-ingest";
const serverDir = fileURLToPath(new URL("../../apps/server", import.meta.url));
/**
 * `inline` (default): the API served inside the benchmark's process; `process`: the production
 * entry in its own process. On this 2-core machine the extra process competes with Postgres and
 * the load generator for the same cores, and measured no better (docs/performance.md).
 */
const serverMode = process.env.BENCH_INGEST_SERVER === "process" ? "process" : "inline";

interface Captured {
  text: string;
  params: unknown[];
}

async function startServer(url: string, capture: Captured[] | null) {
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
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATABASE_URL: url, AUTH_JWT_SECRET: secret, PG_POOL_MAX: String(poolMax) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /API on http:\/\/localhost:(\d+)\/trpc/.exec(output);
      if (match) resolve(Number(match[1]));
    });
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

/**
 * The load generator: node:http with keep-alive sockets, like autocannon or k6 would be, rather
 * than `fetch` (undici), whose Request/Response machinery costs more CPU per call than the
 * server's own handling on this 2-core machine, where client and server share the cores.
 */
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

function call(base: string, token: string, procedure: string, input: unknown): Promise<any> {
  const body = JSON.stringify(input);
  const url = new URL(`${base}/${procedure}`);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        agent: keepAlive,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          if (response.statusCode !== 200) reject(new Error(`${procedure}: ${response.statusCode} ${JSON.stringify(parsed)}`));
          else resolve(parsed.result.data);
        });
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

const startInput = (agentId: string) => ({ agentId, input: { question: "What is the weather?" } });
const completeInput = (id: string) => ({
  id,
  output: { answer: "Sunny." },
  usage: { inputTokens: 900, outputTokens: 120 },
  costUsd: 0.0008,
  durationMs: 1234,
});

export async function ingestionBench(): Promise<void> {
  banner("Ingestion: start + complete per second, HTTP + tRPC + Drizzle vs the same SQL with pg");
  console.log(`${machine()}; ${durationMs / 1000} s per side and concurrency in ${rounds} alternating rounds, pool of ${poolMax} connections both sides, API server ${serverMode === "process" ? "in its own process (apps/server/src/node.ts)" : "in this process"} on 127.0.0.1, node:http keep-alive client`);
  const url = await freshDatabase(benchDbName("ingest"));
  const { userId, agentIds } = await withClient(url, (c) => createTenant(c, tenantId, 100));
  const token = await mintToken(secret, { sub: userId, tid: tenantId, role: "member" });

  // 1. Capture what the API sends for one start and one complete (after a warm-up request that creates the mirror rows).
  const captured: Captured[] = [];
  const capturing = await startServer(url, captured);
  const warm = await call(capturing.base, token, "executions.start", startInput(agentIds[0]!));
  await call(capturing.base, token, "executions.complete", completeInput(warm.id));
  captured.length = 0;
  const started = await call(capturing.base, token, "executions.start", startInput(agentIds[0]!));
  const startStatements = captured.splice(0);
  await call(capturing.base, token, "executions.complete", completeInput(started.id));
  const completeStatements = captured.splice(0);
  await capturing.close();
  console.log("SQL the API sends per execution (each list is one transaction):");
  for (const [name, list] of [["start", startStatements], ["complete", completeStatements]] as const) {
    for (const s of list) console.log(`  ${name}: ${s.text.replace(/\s+/g, " ").slice(0, 160)}${s.text.length > 160 ? " ..." : ""}`);
  }

  const results: Array<{ concurrency: number; api: number; direct: number }> = [];
  for (const concurrency of concurrencies) {
    // 2. Through the API.
    const server = serverMode === "process" ? await startServerProcess(url) : await startServer(url, null);
    let i = 0;
    const throughApi = () =>
      runFor(roundMs, concurrency, async () => {
        const agentId = agentIds[i++ % agentIds.length]!;
        const execution = await call(server.base, token, "executions.start", startInput(agentId));
        await call(server.base, token, "executions.complete", completeInput(execution.id));
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

    // Short alternating rounds (API, pg, pg, API, ...) instead of one long run each: on a shared
    // machine the load drifts, and alternating exposes both sides to the same drift.
    const api = { ops: 0, ms: 0 };
    const direct = { ops: 0, ms: 0 };
    const add = (total: { ops: number; ms: number }, part: { ops: number; ms: number }) => {
      total.ops += part.ops;
      total.ms += part.ms;
    };
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        add(api, await throughApi());
        add(direct, await throughPg());
      } else {
        add(direct, await throughPg());
        add(api, await throughApi());
      }
    }
    await server.close();
    await pool.end();

    const apiRate = (api.ops / api.ms) * 1000;
    const directRate = (direct.ops / direct.ms) * 1000;
    results.push({ concurrency, api: apiRate, direct: directRate });
    console.log(`concurrency ${concurrency}: API ${fmt(api.ops)} executions (${fmt(apiRate)}/s), pg ${fmt(direct.ops)} executions (${fmt(directRate)}/s)`);
  }

  const check = await withClient(url, async (c) => {
    const { rows } = await c.query<{ running: number; counted: string; recount: string }>(
      `select (select count(*)::int from agent_executions where status = 'running') as running,
              (select sum(total_executions)::text from agent_usage_stats) as counted,
              (select count(*)::text from agent_executions where status <> 'running') as recount`,
    );
    return rows[0]!;
  });
  console.log(`\nafter the runs: ${check.running} executions left running, counters ${check.counted} = recount ${check.recount}: ${check.counted === check.recount}`);
  console.log("concurrency | API executions/s | pg executions/s | ratio API/pg");
  for (const r of results) {
    console.log(`${String(r.concurrency).padStart(11)} | ${fmt(r.api).padStart(16)} | ${fmt(r.direct).padStart(15)} | ${fmt(r.api / r.direct, 2).padStart(12)}`);
  }
  console.log("target: API >= 0.5x pg");
  keepAlive.destroy();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await ingestionBench();
}
