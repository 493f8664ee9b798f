/**
 * The per-request statement timeout (ApiDeps.statementTimeoutMs, set transaction-locally by
 * withTenant): a slow statement is cancelled on time, the request fails with TIMEOUT and writes
 * nothing, and the connection goes back to the pool healthy, so a slow query cannot hold it.
 *
 * Runs on a throwaway Postgres cluster on every machine (test/support/cluster.ts), and also on
 * the DATABASE_URL server through node-postgres and the Neon driver when that is set. Not on
 * PGlite: it does not enforce statement_timeout at all (a 1.5 s pg_sleep under a 200 ms timeout
 * completes), which only matters for `pnpm dev`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { connectPostgres, type DatabaseHandle, queryRows, type SQL, sql, withTenant } from "@agent-builder/db";
import { createTestDatabase } from "@agent-builder/db/testing";

import { startThrowawayCluster, type ThrowawayCluster } from "../../../test/support/cluster";
import { createTokenVerifier, mintToken } from "../src/auth";
import { createFetchHandler } from "../src/http";
import { appRouter } from "../src/root";
import { type ApiDeps, createCallerFactory, createContext } from "../src/trpc";
import { apiClient, errorOf, leakPattern } from "./fault-http";
import { consistencySql, installFaultInjection } from "./fault-injection";
import { rejectsWith } from "./support";

type Target = "cluster" | "postgres" | "neon";
const targets: Target[] = process.env.DATABASE_URL ? ["cluster", "postgres", "neon"] : ["cluster"];

const secret = "timeouts-test-secret-that-is-long-enough!";
const timeoutMs = 200;
/**
 * The request must be answered within this much of the timeout (measured: 10-50 ms, the rest of
 * the request's statements included). Loose for loaded CI machines, yet far below the 2 s sleep.
 */
const marginMs = 1_000;
const usage = { inputTokens: 10, outputTokens: 1 };
const createCaller = createCallerFactory(appRouter);

describe.each(targets)("statement timeout on %s", (target) => {
  let cluster: ThrowawayCluster | undefined;
  let database: DatabaseHandle;
  let deps: ApiDeps;
  let agentId: string;
  let member: ReturnType<typeof createCaller>;
  let memberToken: string;
  const tenantId = `timeouts-${target}`;
  const measured: Record<string, number> = {};

  /** The API's own pool has ONE connection: whatever this sees is the connection requests use. */
  const onPool = <T>(query: SQL) => queryRows<T>(database.db, query);
  const session = async () =>
    (
      await onPool<{ pid: number; timeout: string; role: string; tenant: string | null }>(
        sql`select pg_backend_pid() as pid, current_setting('statement_timeout') as timeout, current_user as role, current_setting('app.tenant_id', true) as tenant`,
      )
    )[0]!;

  beforeAll(async () => {
    if (target === "cluster") {
      cluster = await startThrowawayCluster();
      const admin = connectPostgres({ url: cluster.url, max: 1 });
      await admin.db.execute(sql.raw("create database agent_builder_timeouts"));
      await admin.close();
      database = connectPostgres({ url: cluster.urlFor("agent_builder_timeouts"), max: 1 });
      await database.migrate();
    } else {
      database = await createTestDatabase(target, { poolMax: 1 });
    }
    await installFaultInjection(database.db);
    deps = {
      db: database.db,
      verifyToken: createTokenVerifier({ secret }),
      statementTimeoutMs: timeoutMs,
      knownCallers: new Set(),
      logger: { error: () => undefined, warn: () => undefined },
    };
    const as = async (sub: string, role: "member" | "service") =>
      createCaller(createContext(deps, new Headers({ authorization: `Bearer ${await mintToken(secret, { sub, tid: tenantId, role })}` })));
    const memberId = crypto.randomUUID();
    memberToken = await mintToken(secret, { sub: memberId, tid: tenantId, role: "member" });
    const service = await as(crypto.randomUUID(), "service");
    await service.directory.upsertUser({ id: memberId, email: "member@timeouts.test" });
    const space = await service.directory.upsertSpace({ id: crypto.randomUUID(), name: "Main" });
    member = await as(memberId, "member");
    const agent = await member.agents.create({ name: "Slow", spaceId: space.id, llmConfig: { provider: "openai", model: "gpt-4.1-mini" } });
    agentId = (await member.agents.setStatus({ id: agent.id, status: "active" })).id;
  });

  afterAll(async () => {
    await database?.close();
    await cluster?.destroy();
    console.info(`statement timeout on ${target}`, measured);
  });

  it("cancels a slow statement on time: TIMEOUT, nothing written, the connection reused healthy", async () => {
    const e = await member.executions.start({ agentId, input: "slow" });
    await member.executions.appendSteps({ executionId: e.id, steps: [{ type: "thought", data: "first" }] });
    const before = await session();

    const started = performance.now();
    await rejectsWith(
      member.executions.appendSteps({
        executionId: e.id,
        steps: [
          { type: "message", data: { tag: "slow" } },
          { type: "message", data: { fault: "sleep", seconds: 2, tag: "slow" } },
        ],
      }),
      "TIMEOUT",
      /^the query took too long and was cancelled$/,
    );
    const elapsed = performance.now() - started;
    measured["request answered after ms"] = Math.round(elapsed);
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs);
    expect(elapsed).toBeLessThan(timeoutMs + marginMs);

    // Nothing of the request remains: not the step_count bump, not the first step.
    const [row] = await onPool<{ step_count: number }>(sql`select step_count from agent_executions where id = ${e.id}`);
    expect(row!.step_count).toBe(1);
    expect(await onPool(sql`select 1 from agent_execution_steps where data->>'tag' = 'slow'`)).toEqual([]);

    // The same connection (same backend), back to its session defaults: no timeout, role or tenant left on it.
    const after = await session();
    expect(after).toEqual({ ...before, tenant: after.tenant });
    expect(after.timeout).not.toBe(`${timeoutMs}ms`);
    expect(after.role).toBe("postgres");
    expect(after.tenant ?? "").toBe("");
    // And the next request on it works.
    expect(await member.executions.appendSteps({ executionId: e.id, steps: [{ type: "message", data: "next" }] })).toMatchObject({
      stepCount: 2,
    });
  });

  it("answers HTTP 408 with a fixed message", async () => {
    const e = await member.executions.start({ agentId, input: "http" });
    const answer = await apiClient(() => createFetchHandler(deps)).mutate(
      "executions.appendSteps",
      { executionId: e.id, steps: [{ type: "message", data: { fault: "sleep", seconds: 2 } }] },
      memberToken,
    );
    expect(answer.status).toBe(408);
    expect(errorOf(answer)).toMatchObject({ message: "the query took too long and was cancelled", data: { code: "TIMEOUT" } });
    expect(answer.text).not.toMatch(leakPattern);
    expect(answer.ms).toBeLessThan(timeoutMs + marginMs);
  });

  it("a completion stuck in the usage-counter trigger times out: still running, counters unchanged", async () => {
    const before = await member.usage.agent({ agentId });
    const e = await member.executions.start({ agentId, input: "complete" });
    await rejectsWith(member.executions.complete({ id: e.id, output: { fault: "sleep", seconds: 2 }, usage, costUsd: 1 }), "TIMEOUT");
    expect(await member.executions.get({ id: e.id })).toMatchObject({ status: "running", completedAt: null });
    expect(await member.usage.agent({ agentId })).toEqual(before);
    expect(await onPool(sql.raw(consistencySql))).toEqual([]);
  });

  it("a slow request holds the only connection no longer than the timeout: the request queued behind it succeeds", async () => {
    const e = await member.executions.start({ agentId, input: "queue" });
    const started = performance.now();
    // Without the timeout the sleeper would hold the connection for 10 s, and the queued request
    // would give up after the pool's 5 s connect timeout.
    const slow = member.executions.appendSteps({ executionId: e.id, steps: [{ type: "message", data: { fault: "sleep", seconds: 10 } }] });
    const queued = member.agents.get({ id: agentId }).then(() => performance.now() - started);
    await rejectsWith(slow, "TIMEOUT");
    const queuedMs = await queued;
    measured["queued request answered after ms"] = Math.round(queuedMs);
    expect(queuedMs).toBeLessThan(timeoutMs + marginMs);
  });

  it("lets statements under the timeout finish, and defaults to 10 s when none is configured", async () => {
    const e = await member.executions.start({ agentId, input: "fast enough" });
    await member.executions.appendSteps({ executionId: e.id, steps: [{ type: "message", data: { fault: "sleep", seconds: 0.05 } }] });
    const [setting] = await withTenant(database.db, tenantId, (tx) =>
      queryRows<{ timeout: string }>(tx, sql`select current_setting('statement_timeout') as timeout`),
    );
    expect(setting!.timeout).toBe("10s");
  });
});
