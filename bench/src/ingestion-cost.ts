/**
 * Where an execution's Node CPU goes: one execution (start + complete) at a time, measured with
 * process.cpuUsage() (user + system CPU of this process, not wall time), layer by layer:
 *
 *   pg        the statements the API sends, replayed with node-postgres (the ingestion baseline)
 *   drizzle   our service functions (startExecution / completeExecution) in withTenant: Drizzle
 *             builds and maps the same statements; no tRPC, no HTTP
 *   trpc      the tRPC caller (context, auth, zod input and output, the procedure ladder)
 *   http      @hono/node-server + createFetchHandler + a keep-alive node:http client (both in
 *             this process, as in the ingestion benchmark)
 *   transport two POSTs to a bare @hono/node-server echo handler with the same client: the floor
 *             of the HTTP layer, without tRPC or the database
 *
 * Sequential calls and alternating rounds keep other processes' load from landing on one layer.
 * The difference between two adjacent layers is what the upper one adds. Postgres's own CPU is
 * not in these figures (it is the same for every layer but transport).
 */
import http from "node:http";

import { type ServerType, serve } from "@hono/node-server";
import pg from "pg";

import { appRouter, createCallerFactory, createContext, createFetchHandler, createTokenVerifier, mintToken } from "@agent-builder/api";
import { withTenant } from "@agent-builder/db";

import { completeExecution, startExecution } from "../../packages/api/src/executions/service";
import { banner, benchDbName, connect, createTenant, fmt, freshDatabase, machine, postProcedure, withClient } from "./lib";

const perRound = Number(process.env.BENCH_COST_EXECUTIONS ?? 400);
const rounds = Number(process.env.BENCH_COST_ROUNDS ?? 4);
const secret = "bench-secret-that-is-long-enough-for-hs256!";
const tenantId = "bench-cost";

const startInput = (agentId: string) => ({ agentId, input: { question: "What is the weather?" } });
const completeInput = (id: string) => ({
  id,
  output: { answer: "Sunny." },
  usage: { inputTokens: 900, outputTokens: 120, cachedInputTokens: 0, reasoningTokens: 0, cacheWriteTokens: 0 },
  costUsd: 0.0008,
  durationMs: 1234,
});

async function listen(handler: (request: Request) => Promise<Response>): Promise<{ server: ServerType; port: number }> {
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: handler, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const address = server.address();
  return { server, port: typeof address === "object" && address ? address.port : 0 };
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 16 });

const post = (port: number, path: string, token: string, input: unknown) =>
  postProcedure(keepAlive, `http://127.0.0.1:${port}${path}`, token, input);

export async function ingestionCostBench(): Promise<void> {
  banner("Ingestion cost: Node CPU per execution (start + complete), layer by layer, one at a time");
  console.log(`${machine()}; ${rounds} alternating rounds of ${perRound} executions per layer`);
  const url = await freshDatabase(benchDbName("cost"));
  const { userId, agentIds } = await withClient(url, (c) => createTenant(c, tenantId, 100));
  const token = await mintToken(secret, { sub: userId, tid: tenantId, role: "member" });
  const caller = { tenantId, userId, role: "member" as const };

  let captured: Array<{ text: string; params: unknown[] }> | null = null;
  const database = connect(url, 4, { logQuery: (text, params) => captured?.push({ text, params }) });
  const deps = { db: database.db, verifyToken: createTokenVerifier({ secret }), knownCallers: new Set<string>() };
  const api = createCallerFactory(appRouter)(createContext(deps, new Headers({ authorization: `Bearer ${token}` })));
  const { server, port } = await listen(createFetchHandler(deps));
  const echo = await listen(async (request) => {
    const body = JSON.parse(await request.text()) as { agentId?: string; id?: string };
    return new Response(JSON.stringify({ result: { data: { id: body.agentId ?? body.id } } }), {
      headers: { "content-type": "application/json" },
    });
  });

  // The statements the service sends for one execution, for the pg layer.
  await api.executions.start(startInput(agentIds[0]!)); // creates the caller's mirror rows first
  captured = [];
  const sample = await api.executions.start(startInput(agentIds[0]!));
  const startStatements = captured.splice(0);
  await api.executions.complete(completeInput(sample.id));
  const completeStatements = captured.splice(0);
  captured = null;
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  const replay = async (statements: typeof startStatements, swap: (p: unknown) => unknown) => {
    const client = await pool.connect();
    let written: pg.QueryResult | undefined;
    try {
      for (const s of statements) {
        const result = await client.query(s.text, s.params.map(swap));
        if (/^\s*(insert|update)/i.test(s.text)) written = result;
      }
    } finally {
      client.release();
    }
    return written!;
  };

  const layers: Record<string, (agentId: string) => Promise<unknown>> = {
    pg: async (agentId) => {
      const inserted = await replay(startStatements, (p) => (p === agentIds[0] ? agentId : p));
      const id = (inserted.rows[0] as { id: string }).id;
      return replay(completeStatements, (p) => (p === sample.id ? id : p));
    },
    drizzle: async (agentId) => {
      const started = await withTenant(database.db, tenantId, (tx) => startExecution(tx, caller, { ...startInput(agentId), metadata: {} }));
      return withTenant(database.db, tenantId, (tx) => completeExecution(tx, caller, completeInput(started.id)));
    },
    trpc: async (agentId) => {
      const started = await api.executions.start(startInput(agentId));
      return api.executions.complete(completeInput(started.id));
    },
    http: async (agentId) => {
      const started = await post(port, "/trpc/executions.start", token, startInput(agentId));
      return post(port, "/trpc/executions.complete", token, completeInput(started.id));
    },
    transport: async (agentId) => {
      const started = await post(echo.port, "/start", token, startInput(agentId));
      return post(echo.port, "/complete", token, completeInput(started.id));
    },
  };

  const cpuMs: Record<string, number> = {};
  const wallMs: Record<string, number> = {};
  let k = 0;
  const only = process.env.BENCH_COST_LAYERS?.split(",");
  if (only) for (const name of Object.keys(layers)) if (!only.includes(name) && name !== "pg") delete layers[name];
  for (const [, run] of Object.entries(layers)) for (let i = 0; i < 50; i++) await run(agentIds[k++ % agentIds.length]!); // warm-up
  for (let round = 0; round < rounds; round++) {
    const order = Object.keys(layers);
    if (round % 2 === 1) order.reverse();
    for (const name of order) {
      const run = layers[name]!;
      const cpu = process.cpuUsage();
      const started = performance.now();
      for (let i = 0; i < perRound; i++) await run(agentIds[k++ % agentIds.length]!);
      const used = process.cpuUsage(cpu);
      cpuMs[name] = (cpuMs[name] ?? 0) + (used.user + used.system) / 1000;
      wallMs[name] = (wallMs[name] ?? 0) + performance.now() - started;
    }
  }

  const executions = rounds * perRound;
  const per = (name: string) => cpuMs[name]! / executions;
  console.log("layer     | Node CPU ms per execution | adds over the layer below | wall ms per execution");
  const stack = ["pg", "drizzle", "trpc", "http"].filter((name) => name in layers);
  for (const [i, name] of stack.entries()) {
    const added = i === 0 ? "" : fmt(per(name) - per(stack[i - 1]!), 3);
    console.log(
      `${name.padEnd(9)} | ${fmt(per(name), 3).padStart(25)} | ${added.padStart(25)} | ${fmt(wallMs[name]! / executions, 2).padStart(21)}`,
    );
  }
  if ("transport" in layers)
    console.log(
      `transport | ${fmt(per("transport"), 3).padStart(25)} | ${"(HTTP floor, no database)".padStart(25)} | ${fmt(wallMs.transport! / executions, 2).padStart(21)}`,
    );
  console.log(`the API's Node CPU per execution is ${fmt(per("http") / per("pg"), 1)}x the pg baseline's`);

  keepAlive.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => echo.server.close(() => resolve()));
  await pool.end();
  await database.close();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await ingestionCostBench();
}
