/**
 * The database goes away and comes back, under the real HTTP handler. Runs on every machine: it
 * needs no DATABASE_URL, it starts its own throwaway PostgreSQL cluster (test/support/cluster.ts)
 * and stops and starts THAT one; the shared server on 5432 is never touched.
 *
 * What it proves:
 *   - while the database is down (stopped with -m immediate and with -m fast, idle or with
 *     requests in flight, and while it restarts) every request answers quickly with HTTP 503 /
 *     SERVICE_UNAVAILABLE and a fixed message (no SQL, no driver text, no stack), and health
 *     says degraded;
 *   - nothing is half-written: an interrupted request left all of its writes or none, and the
 *     usage counters still equal a recount of the executions;
 *   - the same pool and handler serve again as soon as the server is back (no restart of ours);
 *   - a server that accepts TCP but never answers fails requests at the pool's connect timeout.
 */
import { spawn } from "node:child_process";
import { createServer, type Socket } from "node:net";
import { fileURLToPath } from "node:url";

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { connectPostgres, type DatabaseHandle, queryRows, type SQL, sql } from "@agent-builder/db";

import { type StopMode, startThrowawayCluster, type ThrowawayCluster } from "../../../test/support/cluster";
import { createTokenVerifier, mintToken } from "../src/auth";
import { createFetchHandler } from "../src/http";
import type { ApiDeps } from "../src/trpc";
import { type Answer, apiClient, dataOf, errorOf, expectUnavailable, type FetchHandler, sleep, waitFor } from "./fault-http";
import { consistencySql, installFaultInjection } from "./fault-injection";

const secret = "faults-test-secret-that-is-long-enough!!";
const tenantId = "faults-tenant";
const databaseName = "agent_builder_faults";
const usage = { inputTokens: 100, outputTokens: 20 };
const serverDir = fileURLToPath(new URL("../../../apps/server", import.meta.url));

/**
 * Upper bound for any answer while the server is stopped, stopping or starting. Measured answers
 * take milliseconds (refused connections fail at once; a stopping server sends FATAL 57P01/57P03);
 * the bound stays well under the pool's 5 s connect timeout, so passing proves nobody waited for it.
 */
const failFastMs = 2_000;

let cluster: ThrowawayCluster;
let app: DatabaseHandle;
let observer: DatabaseHandle;
let handler: FetchHandler;
let deps: ApiDeps;
const logged: Array<{ message: string; cause: string }> = [];
const api = apiClient(() => handler);
let memberToken: string;
let agentId: string;
const timings: Record<string, number | string> = {};

/** Superuser view of the test database (bypasses RLS): what really is stored. */
const stored = <T>(query: SQL) => queryRows<T>(observer.db, query);

async function consistencyProblems(): Promise<string[]> {
  return (await stored<{ problem: string }>(sql.raw(consistencySql))).map((r) => r.problem);
}

const query = (path: string, input?: unknown) => api.query(path, input, memberToken);
const mutate = (path: string, input: unknown) => api.mutate(path, input, memberToken);

async function runningExecution(steps = 0): Promise<string> {
  const { id } = dataOf<{ id: string }>(await mutate("executions.start", { agentId, input: { n: Math.random() } }));
  if (steps)
    dataOf(
      await mutate("executions.appendSteps", {
        executionId: id,
        steps: Array.from({ length: steps }, () => ({ type: "thought", data: { setup: true } })),
      }),
    );
  return id;
}

beforeAll(async () => {
  const started = performance.now();
  cluster = await startThrowawayCluster();
  timings.clusterInitMs = Math.round(cluster.initMs);
  timings.clusterStartMs = Math.round(cluster.startMs);
  timings.postgresVersion = cluster.version;
  const admin = connectPostgres({ url: cluster.url, max: 1 });
  await admin.db.execute(sql.raw(`create database ${databaseName}`));
  await admin.close();

  // Exactly what the server builds (apps/server/src/server.ts): one pool, one handler, for the whole run.
  app = connectPostgres({ url: cluster.urlFor(databaseName) });
  await app.migrate();
  observer = connectPostgres({ url: cluster.urlFor(databaseName), max: 2 });
  await installFaultInjection(observer.db);
  deps = {
    db: app.db,
    verifyToken: createTokenVerifier({ secret }),
    knownCallers: new Set(),
    logger: {
      error: (message, details) => logged.push({ message, cause: String(details?.cause) }),
      warn: () => undefined,
    },
  };
  handler = createFetchHandler(deps);

  const memberId = crypto.randomUUID();
  const serviceToken = await mintToken(secret, { sub: crypto.randomUUID(), tid: tenantId, role: "service" });
  memberToken = await mintToken(secret, { sub: memberId, tid: tenantId, role: "member" });
  dataOf(await api.mutate("directory.upsertUser", { id: memberId, email: "member@faults.test" }, serviceToken));
  const space = dataOf<{ id: string }>(await api.mutate("directory.upsertSpace", { id: crypto.randomUUID(), name: "Main" }, serviceToken));
  const agent = dataOf<{ id: string }>(
    await mutate("agents.create", { name: "Fault target", spaceId: space.id, llmConfig: { provider: "openai", model: "gpt-4.1-mini" } }),
  );
  agentId = dataOf<{ id: string }>(await mutate("agents.setStatus", { id: agent.id, status: "active" })).id;
  timings.setupMs = Math.round(performance.now() - started);
});

// A failed test must not leave the next one without a server.
afterEach(async () => {
  if (cluster && !cluster.running) await cluster.start();
});

afterAll(async () => {
  await app?.close();
  await observer?.close();
  await cluster?.destroy();
  console.info("fault timings", timings);
});

describe("database outages, on a throwaway cluster", () => {
  // Runs last in this block (tests run in order): the outages above must not have cost the pool
  // any connection (Drizzle's own pool transaction leaked one whenever a connection died
  // between check-out and BEGIN; packages/db/src/database.ts releasingTransactions).
  afterAll(async () => {
    const pool = (app.db as unknown as { $client: { totalCount: number; idleCount: number; waitingCount: number } }).$client;
    await waitFor(async () => pool.totalCount === pool.idleCount || undefined, "every checked-out connection to return to the pool", 5_000);
    expect({ checkedOut: pool.totalCount - pool.idleCount, waiting: pool.waitingCount }).toEqual({ checkedOut: 0, waiting: 0 });
  });

  it("serves normal traffic", async () => {
    const health = dataOf<{ status: string; database: { reachable: boolean } }>(await api.query("health", undefined));
    expect(health).toMatchObject({ status: "ok", database: { reachable: true } });
    const id = await runningExecution(2);
    dataOf(await mutate("executions.complete", { id, output: { ok: true }, usage, costUsd: 0.001 }));
    const execution = dataOf<{ status: string; stepCount: number; steps: unknown[] }>(await query("executions.get", { id }));
    expect(execution).toMatchObject({ status: "succeeded", stepCount: 2 });
    expect(execution.steps).toHaveLength(2);
    expect(dataOf<{ lifetime: { executions: number } }>(await query("usage.agent", { agentId })).lifetime.executions).toBe(1);
    expect(await consistencyProblems()).toEqual([]);
  });

  it.each<StopMode>(["immediate", "fast"])(
    "stopped (-m %s) while idle: fails fast with 503, health degraded, recovers by itself",
    async (mode) => {
      // Several idle connections in the pool, all of which the stop kills.
      await Promise.all(Array.from({ length: 6 }, () => query("agents.list", { limit: 5 })));
      const running = await runningExecution(1);
      const key = `idle-${mode}-${crypto.randomUUID()}`;
      const [executionsBefore] = await stored<{ n: number }>(sql`select count(*)::int as n from agent_executions`);
      logged.length = 0;

      const stopStarted = performance.now();
      await cluster.stop(mode);
      timings[`stop -m ${mode} (idle) ms`] = Math.round(performance.now() - stopStarted);

      const calls = [
        () => query("agents.list", { limit: 5 }),
        () => query("agents.get", { id: agentId }),
        () => query("executions.get", { id: running }),
        () => query("usage.agent", { agentId }),
        () => mutate("executions.start", { agentId, input: { while: "down" }, idempotencyKey: key }),
        () => mutate("executions.appendSteps", { executionId: running, steps: [{ type: "message", data: { while: "down" } }] }),
        () => mutate("executions.complete", { id: running, output: { while: "down" }, usage, costUsd: 0.5 }),
      ];
      const down = await Promise.all(calls.map((call) => call()));
      for (const call of calls) down.push(await call()); // one after another, too
      for (const answer of down) {
        expectUnavailable(answer);
        expect(answer.ms).toBeLessThan(failFastMs);
      }
      timings[`answer while down (-m ${mode}) max ms`] = Math.round(Math.max(...down.map((a) => a.ms)));
      // The operator's log has the real cause; the client got none of it.
      expect(logged.length).toBeGreaterThanOrEqual(down.length);
      expect(logged.every((l) => l.message.endsWith("failed: SERVICE_UNAVAILABLE"))).toBe(true);
      expect(logged.map((l) => l.cause).join("\n")).toMatch(/ECONNREFUSED|Connection terminated|57P0|not queryable/);

      const health = await api.query("health", undefined);
      expect(health.ms).toBeLessThan(failFastMs);
      expect(dataOf(health)).toEqual({ status: "degraded", database: { reachable: false, version: null, latencyMs: null } });

      const restartStarted = performance.now();
      await cluster.start();
      const upAt = performance.now();
      timings[`start after -m ${mode} ms`] = Math.round(upAt - restartStarted);
      // Same pool, same handler: the very first request after the restart succeeds.
      const first = await query("agents.list", { limit: 5 });
      dataOf(first);
      timings[`first success after start (-m ${mode}) ms`] = Math.round(first.endedAt - upAt);
      expect(dataOf(await api.query("health", undefined))).toMatchObject({ status: "ok", database: { reachable: true } });

      // Nothing from the failed calls was written; the same calls now work.
      const [executionsDown] = await stored<{ n: number }>(sql`select count(*)::int as n from agent_executions`);
      expect(executionsDown!.n).toBe(executionsBefore!.n);
      expect(await stored(sql`select 1 from agent_executions where idempotency_key = ${key}`)).toEqual([]);
      const [{ step_count }] = (await stored<{ step_count: number }>(
        sql`select step_count from agent_executions where id = ${running}`,
      )) as [{ step_count: number }];
      expect(step_count).toBe(1);
      dataOf(await mutate("executions.start", { agentId, input: { while: "down" }, idempotencyKey: key }));
      expect(
        dataOf(await mutate("executions.appendSteps", { executionId: running, steps: [{ type: "message", data: "after" }] })),
      ).toMatchObject({ stepCount: 2 });
      expect(dataOf(await mutate("executions.complete", { id: running, output: 1, usage, costUsd: 0.5 }))).toMatchObject({
        status: "succeeded",
      });
      expect(await consistencyProblems()).toEqual([]);
    },
  );

  it.each<StopMode>(["immediate", "fast"])(
    "stopped (-m %s) with requests in flight and restarted under traffic: 503 or success, never half-written",
    async (mode) => {
      // Four requests held inside the database, each after its first write of the transaction.
      const [heldAppendA, heldAppendB, heldComplete] = await Promise.all([runningExecution(1), runningExecution(1), runningExecution(1)]);
      const heldKey = `held-${mode}-${crypto.randomUUID()}`;
      const hold = { fault: "sleep", seconds: 30 };
      const heldTag = `held-${mode}`;
      const held = [
        mutate("executions.appendSteps", {
          executionId: heldAppendA,
          steps: [
            { type: "message", data: { tag: heldTag } },
            { type: "message", data: { ...hold, tag: heldTag } },
          ],
        }),
        mutate("executions.appendSteps", {
          executionId: heldAppendB,
          steps: [
            { type: "message", data: { tag: heldTag } },
            { type: "message", data: { ...hold, tag: heldTag } },
          ],
        }),
        mutate("executions.complete", { id: heldComplete, output: hold, usage, costUsd: 1 }),
        mutate("executions.start", { agentId, input: hold, idempotencyKey: heldKey }),
      ];
      await waitFor(
        async () =>
          (await stored<{ n: number }>(sql`select count(*)::int as n from pg_stat_activity where wait_event = 'PgSleep'`))[0]!.n ===
          held.length,
        "the held requests to sleep in the database",
      );
      const [usageBefore] = await stored<{ total: number }>(
        sql`select coalesce(sum(total_executions), 0)::int as total from agent_usage_stats where agent_id = ${agentId}`,
      );

      // Traffic: three clients looping over writes and reads, through the stop, the outage and the restart.
      const completable = await Promise.all(Array.from({ length: 24 }, () => runningExecution()));
      const appendTarget = await runningExecution();
      type Sent = { kind: string; ref: string; answer: Answer };
      const sent: Sent[] = [];
      let trafficOn = true;
      let seq = 0;
      const client = async () => {
        while (trafficOn) {
          const n = seq++;
          const ref = `${mode}-${n}`;
          let kind = ["append", "start", "complete", "list"][n % 4]!;
          if (kind === "complete" && !completable.length) kind = "list";
          let answer: Answer;
          if (kind === "append") {
            answer = await mutate("executions.appendSteps", {
              executionId: appendTarget,
              steps: [
                { type: "message", data: { tag: ref } },
                { type: "message", data: { tag: ref } },
                { type: "message", data: { tag: ref } },
              ],
            });
          } else if (kind === "start") {
            answer = await mutate("executions.start", { agentId, input: { ref }, idempotencyKey: ref });
          } else if (kind === "complete") {
            const id = completable.pop()!;
            answer = await mutate("executions.complete", { id, output: { ref }, usage, costUsd: 0.25 });
            sent.push({ kind, ref: id, answer });
            await sleep(15);
            continue;
          } else {
            answer = await query("executions.list", { agentId, limit: 5 });
          }
          sent.push({ kind, ref, answer });
          await sleep(15); // paced: about 150 requests a second over three clients
        }
      };
      const clients = [client(), client(), client()];
      await sleep(300);

      const stopStarted = performance.now();
      await cluster.stop(mode);
      const stoppedAt = performance.now();
      timings[`stop -m ${mode} (in flight) ms`] = Math.round(stoppedAt - stopStarted);
      const heldAnswers = await Promise.all(held);
      for (const answer of heldAnswers) {
        expectUnavailable(answer);
        expect(answer.endedAt - stopStarted).toBeLessThan(failFastMs);
      }
      timings[`held request answered after stop began (-m ${mode}) max ms`] = Math.round(
        Math.max(...heldAnswers.map((a) => a.endedAt - stopStarted)),
      );

      await sleep(400);
      const health = await api.query("health", undefined);
      expect(dataOf(health)).toMatchObject({ status: "degraded", database: { reachable: false } });
      const restartStarted = performance.now();
      await cluster.start();
      const upAt = performance.now();
      timings[`restart (crash recovery after -m ${mode}) ms`] = Math.round(upAt - restartStarted);
      await sleep(400);
      trafficOn = false;
      await Promise.all(clients);

      // Every answer: a success or a clean 503, fast. After the restart: successes only.
      for (const { answer } of sent) {
        if (answer.status !== 200) expectUnavailable(answer);
        expect(answer.ms).toBeLessThan(failFastMs);
      }
      const during = sent.filter((s) => s.answer.endedAt > stopStarted && s.answer.startedAt < upAt);
      expect(during.some((s) => s.answer.status === 503)).toBe(true); // the traffic really met the outage
      expect(sent.filter((s) => s.answer.startedAt < stopStarted).some((s) => s.answer.status === 200)).toBe(true);
      const after = sent.filter((s) => s.answer.startedAt >= upAt);
      expect(after.length).toBeGreaterThan(3);
      for (const { answer } of after) expect(answer.status, answer.text).toBe(200);
      const firstAfter = after.reduce((a, b) => (a.answer.endedAt < b.answer.endedAt ? a : b));
      timings[`first success after restart (-m ${mode}) ms`] = Math.round(firstAfter.answer.endedAt - upAt);
      timings[`traffic (-m ${mode})`] = `${sent.length} requests, ${sent.filter((s) => s.answer.status === 503).length} answered 503`;

      // The held requests left nothing: no step, no counter bump, no completion, no execution.
      expect(await stored(sql`select 1 from agent_execution_steps where data->>'tag' = ${heldTag}`)).toEqual([]);
      const heldRows = await stored<{ id: string; status: string; step_count: number }>(
        sql`select id, status, step_count from agent_executions where id in (${heldAppendA}, ${heldAppendB}, ${heldComplete}) order by id`,
      );
      expect(heldRows.map((r) => [r.status, r.step_count])).toEqual([
        ["running", 1],
        ["running", 1],
        ["running", 1],
      ]);
      expect(await stored(sql`select 1 from agent_executions where idempotency_key = ${heldKey}`)).toEqual([]);

      // Each traffic request: all of its writes or none; all of them when it answered 200.
      const stepsByTag = new Map(
        (
          await stored<{ tag: string; n: number }>(
            sql`select data->>'tag' as tag, count(*)::int as n from agent_execution_steps where execution_id = ${appendTarget} group by 1`,
          )
        ).map((r) => [r.tag, r.n]),
      );
      const startedKeys = new Set(
        (
          await stored<{ key: string }>(sql`select idempotency_key as key from agent_executions where idempotency_key like ${`${mode}-%`}`)
        ).map((r) => r.key),
      );
      for (const { kind, ref, answer } of sent) {
        if (kind === "append") {
          expect([0, 3]).toContain(stepsByTag.get(ref) ?? 0);
          if (answer.status === 200) expect(stepsByTag.get(ref)).toBe(3);
        }
        if (kind === "start" && answer.status === 200) expect(startedKeys.has(ref)).toBe(true);
        if (kind === "complete" && answer.status === 200) {
          const [row] = await stored<{ status: string }>(sql`select status from agent_executions where id = ${ref}`);
          expect(row!.status).toBe("succeeded");
        }
      }
      // Counters equal a recount from agent_executions; step counts equal their rows.
      expect(await consistencyProblems()).toEqual([]);
      const [usageAfter] = await stored<{ total: number }>(
        sql`select coalesce(sum(total_executions), 0)::int as total from agent_usage_stats where agent_id = ${agentId}`,
      );
      const [terminal] = await stored<{ n: number }>(
        sql`select count(*)::int as n from agent_executions where agent_id = ${agentId} and status <> 'running'`,
      );
      expect(usageAfter!.total).toBe(terminal!.n);
      expect(usageAfter!.total).toBeGreaterThanOrEqual(usageBefore!.total);

      // The interrupted executions are intact and can finish now.
      for (const id of [heldAppendA, heldAppendB, heldComplete]) {
        expect(dataOf(await mutate("executions.complete", { id, output: "done", usage, costUsd: 0 }))).toMatchObject({
          status: "succeeded",
          stepCount: 1,
        });
      }
      expect(await consistencyProblems()).toEqual([]);
    },
  );

  it("the real Node server process survives a restart of the database under in-flight requests", async () => {
    // apps/server/src/node.ts as deployed, in its own process, on this cluster. A process that
    // crashes on a lost connection (an uncaught error event) would fail here: it must keep
    // answering 503 while the database is down and 200 once it is back.
    const child = spawn(process.execPath, ["--import", "tsx", "src/node.ts"], {
      cwd: serverDir,
      env: {
        ...process.env,
        PORT: "0",
        HOST: "127.0.0.1",
        AUTH_JWT_SECRET: secret,
        DATABASE_URL: cluster.urlFor(databaseName),
        NODE_ENV: "production",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const base = await waitFor(
        async () => /API on (http:\/\/localhost:\d+)\/trpc/.exec(output)?.[1],
        `the server to start:\n${output}`,
        30_000,
      );
      const remote = apiClient(() => (request) => fetch(request.url.replace("http://api.test", base), request));
      const executions: string[] = [];
      for (const i of [1, 2, 3])
        executions.push(dataOf<{ id: string }>(await remote.mutate("executions.start", { agentId, input: i }, memberToken)).id);
      const inFlight = executions.map((executionId) =>
        remote.mutate(
          "executions.appendSteps",
          { executionId, steps: [{ type: "message", data: { fault: "sleep", seconds: 30 } }] },
          memberToken,
        ),
      );
      await waitFor(
        async () =>
          (await stored<{ n: number }>(sql`select count(*)::int as n from pg_stat_activity where wait_event = 'PgSleep'`))[0]!.n === 3,
        "the in-flight requests to sleep in the database",
      );
      await cluster.stop("immediate");
      const answers = await Promise.all(inFlight).catch(async (error: unknown) => {
        await Promise.race([exited, sleep(1_000)]);
        throw new Error(`no answer from the server (exit code ${child.exitCode}):\n${output}`, { cause: error });
      });
      for (const answer of answers) expectUnavailable(answer);
      await sleep(200);
      expect(child.exitCode, output).toBeNull();
      expectUnavailable(await remote.query("agents.list", { limit: 1 }, memberToken));
      expect(dataOf(await remote.query("health", undefined))).toMatchObject({ status: "degraded" });
      await cluster.start();
      for (const id of executions) {
        expect(dataOf(await remote.query("executions.get", { id }, memberToken))).toMatchObject({
          status: "running",
          stepCount: 0,
          steps: [],
        });
      }
      expect(dataOf(await remote.query("health", undefined))).toMatchObject({ status: "ok" });
      expect(child.exitCode, output).toBeNull();
      // No crash report: an unhandled 'error' event prints "Unhandled" and the error at a line's
      // start. (The 503s' own log lines name the cause, "Connection terminated", inside `cause:`.)
      expect(output).not.toMatch(/Uncaught|Unhandled|^Error: Connection terminated/m);
    } finally {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    }
  });

  it("fails at the pool's connect timeout when the server accepts TCP but never answers", async () => {
    // A black hole: the TCP handshake completes (as with a hung server or a half-open network
    // path) and then nothing. Only connectionTimeoutMillis (5 s in packages/db/src/client.ts) ends the wait.
    const sockets: Socket[] = [];
    const blackHole = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
    const port = (blackHole.address() as { port: number }).port;
    const unreachable = connectPostgres({ url: `postgres://postgres@127.0.0.1:${port}/${databaseName}` });
    const unreachableHandler = createFetchHandler({ ...deps, db: unreachable.db, knownCallers: new Set() });
    const client = apiClient(() => unreachableHandler);
    try {
      const [list, start, health] = await Promise.all([
        client.query("agents.list", { limit: 1 }, memberToken),
        client.mutate("executions.start", { agentId, input: 1 }, memberToken),
        client.query("health", undefined),
      ]);
      for (const answer of [list, start]) {
        expectUnavailable(answer);
        expect(answer.ms).toBeGreaterThan(4_500);
        expect(answer.ms).toBeLessThan(6_000);
      }
      expect(errorOf(list).message).toBe("database unavailable, retry shortly");
      expect(dataOf(health)).toMatchObject({ status: "degraded", database: { reachable: false } });
      expect(health.ms).toBeLessThan(6_000);
      timings["black hole: answer after ms"] = Math.round(Math.max(list.ms, start.ms));
      timings["black hole: health after ms"] = Math.round(health.ms);
    } finally {
      await unreachable.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackHole.close(resolve));
    }
  });
});
