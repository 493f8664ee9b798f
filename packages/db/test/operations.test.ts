import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  actAsTenant,
  closeStuckExecutions,
  type Database,
  deleteOldExecutions,
  queryRows,
  sql,
  stuckErrorCode,
  withStaff,
  withTenant,
} from "../src";
import { createTestDatabase, type TestDatabase, testTargets } from "../src/testing";
import { makeAgent, makeTenant } from "./support";

/**
 * Retention and stuck executions on real databases. Executions are inserted with past start
 * times (as a long-lived deployment would have them); terminal ones are counted by the usage
 * trigger on insert, exactly as when the API finishes them.
 */

type Tenant = Awaited<ReturnType<typeof makeTenant>>;

interface Batch {
  agentId: string;
  count: number;
  status: "running" | "succeeded" | "failed" | "cancelled";
  /** Start time: this many minutes ago (one second apart within the batch). */
  ageMinutes: number;
  steps?: number;
}

const day = 24 * 60;

/** Inserts executions (and `steps` steps each) in one statement; returns their ids, oldest first. */
async function insertExecutions(db: Database, t: Tenant, batch: Batch): Promise<string[]> {
  const steps = batch.steps ?? 0;
  const rows = await withTenant(db, t.tenantId, (tx) =>
    queryRows<{ id: string }>(
      tx,
      sql`with inserted as (
            insert into agent_executions (tenant_id, agent_id, user_id, input_data, status, started_at, created_at,
                                          completed_at, duration_ms, input_tokens, output_tokens, cost_usd, step_count)
            select ${t.tenantId}, ${batch.agentId}::uuid, ${t.userId}::uuid, jsonb_build_object('n', g), ${batch.status}::execution_status,
                   x.at, x.at, case when ${batch.status} = 'running' then null else x.at + interval '2 seconds' end,
                   case when ${batch.status} = 'running' then null else 2000 end, 100 + g, 10 + g, 0.001 * g, ${steps}::int
            from generate_series(1, ${batch.count}::int) g,
                 lateral (select now() - make_interval(mins => ${batch.ageMinutes}::int) - make_interval(secs => g) as at) x
            returning id, started_at, step_count
          ), steps as (
            insert into agent_execution_steps (tenant_id, execution_id, ordinal, type, data)
            select ${t.tenantId}, i.id, o, 'thought', '{}'::jsonb from inserted i, generate_series(1, i.step_count) o
          )
          select id from inserted order by started_at`,
    ),
  );
  return rows.map((r) => r.id);
}

/** Usage as readers see it: slots summed per agent (lifetime), per agent and day, and per tenant and day (rollups). */
const usageOf = (db: Database) =>
  withStaff(db, (tx) =>
    queryRows<{ stats: string; daily: string; tenantDaily: string }>(
      tx,
      sql`select (select json_agg(s order by s.agent_id)::text from (
                    select agent_id, sum(total_executions) as total, sum(successful_executions) as ok, sum(failed_executions) as failed,
                           sum(cancelled_executions) as cancelled, sum(input_tokens) as input, sum(output_tokens) as output,
                           sum(total_cost_usd) as cost, sum(total_duration_ms) as duration, max(last_executed_at) as last
                    from agent_usage_stats group by agent_id) s) as stats,
                 (select json_agg(d order by d.agent_id, d.day)::text from (
                    select agent_id, day, sum(total_executions) as total, sum(failed_executions) as failed,
                           sum(total_cost_usd) as cost, sum(total_duration_ms) as duration
                    from agent_usage_daily group by agent_id, day) d) as daily,
                 (select json_agg(d order by d.tenant_id, d.day)::text from (
                    select tenant_id, day, sum(total_executions) as total, sum(failed_executions) as failed,
                           sum(total_cost_usd) as cost, sum(total_duration_ms) as duration
                    from tenant_usage_daily group by tenant_id, day) d) as "tenantDaily"`,
    ),
  ).then((rows) => rows[0]!);

const executionIds = (db: Database) =>
  withStaff(db, (tx) => queryRows<{ id: string }>(tx, sql`select id from agent_executions order by id`)).then((r) => r.map((x) => x.id));

const stepCount = (db: Database) =>
  withStaff(db, (tx) => queryRows<{ n: number }>(tx, sql`select count(*)::int as n from agent_execution_steps`)).then((r) => r[0]!.n);

describe.each(testTargets())("retention on %s", (target) => {
  let database: TestDatabase;
  let db: Database;
  let a: Tenant;
  let b: Tenant;
  let agentA1: string;
  let agentA2: string;
  let agentB: string;
  const kept = new Set<string>();
  let oldRunning: string[];

  beforeAll(async () => {
    database = await createTestDatabase(target);
    db = database.db;
    a = await makeTenant(db, "retention-a");
    b = await makeTenant(db, "retention-b");
    [agentA1, agentA2, agentB] = [await makeAgent(db, a), await makeAgent(db, a), await makeAgent(db, b)];
    // Old and finished (to go): 25 of A's, with 2 steps each, 7 of B's.
    await insertExecutions(db, a, { agentId: agentA1, count: 14, status: "succeeded", ageMinutes: 100 * day, steps: 2 });
    await insertExecutions(db, a, { agentId: agentA1, count: 6, status: "failed", ageMinutes: 95 * day, steps: 2 });
    await insertExecutions(db, a, { agentId: agentA2, count: 5, status: "cancelled", ageMinutes: 120 * day, steps: 2 });
    await insertExecutions(db, b, { agentId: agentB, count: 7, status: "succeeded", ageMinutes: 200 * day, steps: 1 });
    // To stay: old but still running, and recent ones.
    oldRunning = await insertExecutions(db, a, { agentId: agentA1, count: 1, status: "running", ageMinutes: 100 * day, steps: 3 });
    for (const id of oldRunning) kept.add(id);
    for (const id of await insertExecutions(db, a, { agentId: agentA1, count: 4, status: "succeeded", ageMinutes: 10 * day, steps: 1 }))
      kept.add(id);
    for (const id of await insertExecutions(db, a, { agentId: agentA2, count: 2, status: "failed", ageMinutes: 89 * day })) kept.add(id);
    for (const id of await insertExecutions(db, b, { agentId: agentB, count: 3, status: "succeeded", ageMinutes: day, steps: 2 }))
      kept.add(id);
  });
  afterAll(() => database?.close());

  const oldFinishedOf = (tenantId: string) =>
    withTenant(db, tenantId, (tx) =>
      queryRows<{ n: number }>(
        tx,
        sql`select count(*)::int as n from agent_executions where status <> 'running' and created_at < now() - interval '90 days'`,
      ),
    ).then((r) => r[0]!.n);

  it("deletes only finished executions older than the cutoff, with their steps, in batches that each commit", async () => {
    const usageBefore = await usageOf(db);
    expect(await executionIds(db)).toHaveLength(25 + 7 + kept.size);
    const seenBetweenBatches: Array<[string, number, number]> = [];

    const result = await deleteOldExecutions(db, {
      olderThanDays: 90,
      batchSize: 10,
      // Another transaction, between batches: each batch is already committed and visible.
      onBatch: async (progress) => {
        seenBetweenBatches.push([progress.tenantId, progress.executions, await oldFinishedOf(progress.tenantId)]);
      },
    });

    expect(result.tenants).toEqual([
      { tenantId: "retention-a", executions: 25, steps: 50, batches: 3 },
      { tenantId: "retention-b", executions: 7, steps: 7, batches: 1 },
    ]);
    expect(result).toMatchObject({ executions: 32, steps: 57, complete: true });
    expect(seenBetweenBatches).toEqual([
      ["retention-a", 10, 15],
      ["retention-a", 20, 5],
      ["retention-a", 25, 0],
      ["retention-b", 7, 0],
    ]);
    expect(new Set(await executionIds(db))).toEqual(kept);
    // Kept executions keep all their steps (3 + 4×1 + 2×0 + 3×2); the deleted ones' went with them.
    expect(await stepCount(db)).toBe(3 + 4 + 0 + 6);
    // Lifetime stats and daily rollups (agent and tenant) are exactly as before: nothing subtracts deleted executions.
    expect(usageBefore.tenantDaily).not.toBeNull();
    expect(await usageOf(db)).toEqual(usageBefore);
    const [running] = await withTenant(db, a.tenantId, (tx) =>
      queryRows<{ status: string }>(tx, sql`select status from agent_executions where id = ${oldRunning[0]!}::uuid`),
    );
    expect(running!.status).toBe("running");
  });

  it("finds nothing the second time", async () => {
    const usageBefore = await usageOf(db);
    expect(await deleteOldExecutions(db, { olderThanDays: 90 })).toMatchObject({ tenants: [], executions: 0, steps: 0 });
    expect(new Set(await executionIds(db))).toEqual(kept);
    expect(await usageOf(db)).toEqual(usageBefore);
  });

  it("limits itself to one tenant when asked", async () => {
    const oldA = await insertExecutions(db, a, { agentId: agentA2, count: 3, status: "succeeded", ageMinutes: 40 * day });
    const oldB = await insertExecutions(db, b, { agentId: agentB, count: 2, status: "failed", ageMinutes: 40 * day, steps: 1 });
    const result = await deleteOldExecutions(db, { olderThanDays: 30, tenantId: b.tenantId });
    expect(result.tenants).toEqual([{ tenantId: "retention-b", executions: 2, steps: 2, batches: 1 }]);
    const left = new Set(await executionIds(db));
    for (const id of oldA) expect(left.has(id)).toBe(true);
    for (const id of oldB) expect(left.has(id)).toBe(false);
    // A's: those three and the two failed ones of 89 days ago.
    expect((await deleteOldExecutions(db, { olderThanDays: 30, tenantId: a.tenantId })).executions).toBe(5);
  });

  it("refuses a cutoff that is not a positive number of days", async () => {
    await expect(deleteOldExecutions(db, { olderThanDays: 0 })).rejects.toThrow(/positive integer/);
    await expect(deleteOldExecutions(db, { olderThanDays: 1.5 })).rejects.toThrow(/positive integer/);
  });

  it("acts as a tenant inside a staff transaction and returns to the staff role", async () => {
    const roles = await withStaff(db, async (tx) => {
      const who = () =>
        queryRows<{ role: string; tenant: string }>(
          tx,
          sql`select current_user as role, current_setting('app.tenant_id', true) as tenant`,
        ).then((r) => r[0]!);
      const inside = await actAsTenant(tx, a.tenantId, who);
      return { inside, after: await who() };
    });
    expect(roles).toEqual({
      inside: { role: "agent_builder_app", tenant: "retention-a" },
      after: { role: "agent_builder_admin", tenant: "" },
    });
  });
});

describe.each(testTargets())("stuck executions on %s", (target) => {
  let database: TestDatabase;
  let db: Database;
  let a: Tenant;
  let b: Tenant;
  let agentA: string;
  let agentB: string;
  let stuckA: string[];
  let stuckB: string[];
  let recent: string[];

  beforeAll(async () => {
    database = await createTestDatabase(target);
    db = database.db;
    a = await makeTenant(db, "stuck-a");
    b = await makeTenant(db, "stuck-b");
    agentA = await makeAgent(db, a);
    agentB = await makeAgent(db, b);
    stuckA = await insertExecutions(db, a, { agentId: agentA, count: 3, status: "running", ageMinutes: 120, steps: 1 });
    stuckB = await insertExecutions(db, b, { agentId: agentB, count: 1, status: "running", ageMinutes: 180 });
    recent = await insertExecutions(db, a, { agentId: agentA, count: 1, status: "running", ageMinutes: 10 });
    await insertExecutions(db, a, { agentId: agentA, count: 2, status: "succeeded", ageMinutes: 120 });
  });
  afterAll(() => database?.close());

  /** Per agent (one per tenant here): the summed counters, its tenant's daily total, and a recount of its finished executions. */
  const countersAndRecount = () =>
    withStaff(db, (tx) =>
      queryRows<{
        agentId: string;
        total: number;
        failed: number;
        recount: number;
        recountFailed: number;
        dailyTotal: number;
        tenantTotal: number;
      }>(
        tx,
        sql`select a.id as "agentId",
                   (select coalesce(sum(total_executions), 0)::int from agent_usage_stats s where s.agent_id = a.id) as total,
                   (select coalesce(sum(failed_executions), 0)::int from agent_usage_stats s where s.agent_id = a.id) as failed,
                   (select count(*)::int from agent_executions e where e.agent_id = a.id and e.status <> 'running') as recount,
                   (select count(*)::int from agent_executions e where e.agent_id = a.id and e.status = 'failed') as "recountFailed",
                   (select coalesce(sum(total_executions), 0)::int from agent_usage_daily d where d.agent_id = a.id) as "dailyTotal",
                   (select coalesce(sum(total_executions), 0)::int from tenant_usage_daily t where t.tenant_id = a.tenant_id) as "tenantTotal"
            from agents a order by a.tenant_id`,
      ),
    );

  it("closes executions running longer than the limit as failed (stuck), counted once", async () => {
    expect(await countersAndRecount()).toEqual([
      { agentId: agentA, total: 2, failed: 0, recount: 2, recountFailed: 0, dailyTotal: 2, tenantTotal: 2 },
      { agentId: agentB, total: 0, failed: 0, recount: 0, recountFailed: 0, dailyTotal: 0, tenantTotal: 0 },
    ]);
    const result = await closeStuckExecutions(db, { olderThanMinutes: 60 });
    expect(result.tenants.map((t) => ({ ...t, executionIds: t.executionIds.toSorted() }))).toEqual([
      { tenantId: "stuck-a", closed: 3, executionIds: stuckA.toSorted() },
      { tenantId: "stuck-b", closed: 1, executionIds: stuckB },
    ]);
    expect(result.closed).toBe(4);

    const rows = await withStaff(db, (tx) =>
      queryRows<{
        id: string;
        status: string;
        errorCode: string | null;
        errorMessage: string | null;
        completed: boolean;
        durationMs: number | null;
      }>(
        tx,
        sql`select id, status, error_code as "errorCode", error_message as "errorMessage", completed_at is not null as completed, duration_ms as "durationMs"
            from agent_executions where status in ('running', 'failed') order by started_at`,
      ),
    );
    const closed = {
      status: "failed",
      errorCode: stuckErrorCode,
      errorMessage: "closed by maintenance: still running after 60 minutes",
      completed: true,
      durationMs: null,
    };
    expect(rows).toEqual([
      { id: stuckB[0], ...closed },
      ...stuckA.map((id) => ({ id, ...closed })),
      { id: recent[0], status: "running", errorCode: null, errorMessage: null, completed: false, durationMs: null },
    ]);
    // Counted by the usage trigger, once each: counters equal a recount, in lifetime and daily rows.
    expect(await countersAndRecount()).toEqual([
      { agentId: agentA, total: 5, failed: 3, recount: 5, recountFailed: 3, dailyTotal: 5, tenantTotal: 5 },
      { agentId: agentB, total: 1, failed: 1, recount: 1, recountFailed: 1, dailyTotal: 1, tenantTotal: 1 },
    ]);
  });

  it("finds nothing the second time and counts nothing twice", async () => {
    const before = await countersAndRecount();
    expect(await closeStuckExecutions(db, { olderThanMinutes: 60 })).toMatchObject({ tenants: [], closed: 0 });
    expect(await countersAndRecount()).toEqual(before);
    // A 5-minute limit reaches the 10-minute-old run; a tenant filter keeps B out of it.
    expect((await closeStuckExecutions(db, { olderThanMinutes: 5, tenantId: b.tenantId })).closed).toBe(0);
    expect((await closeStuckExecutions(db, { olderThanMinutes: 5, tenantId: a.tenantId })).tenants).toEqual([
      { tenantId: "stuck-a", closed: 1, executionIds: recent },
    ]);
  });

  // One connection on PGlite: a second transaction holding a lock cannot exist there.
  if (target !== "pglite")
    it("leaves a run that is being finished right now to its finisher: counted once, as what the finisher says", async () => {
      const [racing] = await insertExecutions(db, a, { agentId: agentA, count: 1, status: "running", ageMinutes: 300 });
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let signalLocked!: () => void;
      const locked = new Promise<void>((resolve) => (signalLocked = resolve));
      // The API completing the run: it holds the row lock while it works.
      const finisher = withTenant(db, a.tenantId, async (tx) => {
        await tx.execute(sql`select id from agent_executions where id = ${racing!}::uuid for update`);
        signalLocked();
        await released;
        await tx.execute(sql`update agent_executions set status = 'succeeded', completed_at = now(), duration_ms = 5
                             where id = ${racing!}::uuid and status = 'running'`);
      });
      await locked;
      const result = await closeStuckExecutions(db, { olderThanMinutes: 60 });
      release();
      await finisher;
      expect(result.closed).toBe(0);
      const [row] = await withTenant(db, a.tenantId, (tx) =>
        queryRows<{ status: string }>(tx, sql`select status from agent_executions where id = ${racing!}::uuid`),
      );
      expect(row!.status).toBe("succeeded");
      expect((await closeStuckExecutions(db, { olderThanMinutes: 60 })).closed).toBe(0);
      const [counters] = await countersAndRecount();
      expect(counters!.total).toBe(counters!.recount);
      expect(counters!.dailyTotal).toBe(counters!.recount);
      expect(counters!.tenantTotal).toBe(counters!.recount);
    });
});
