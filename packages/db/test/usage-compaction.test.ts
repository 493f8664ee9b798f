import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  compactUsage,
  type Database,
  foldAgentDayBatch,
  foldTenantDayBatch,
  packDays,
  queryRows,
  sql,
  type Tx,
  withStaff,
  withTenant,
} from "../src";
import { createTestDatabase, type TestDatabase, testTargets } from "../src/testing";
import { makeAgent, makeTenant, pgErrorCode } from "./support";

/**
 * Usage compaction: past days' counter slots folded into slot 0, exactly, while completions of
 * executions that started on those days keep arriving. Executions are placed on whole UTC days
 * (noon of `daysAgo` days before today, database clock); terminal ones are counted by the usage
 * trigger on insert, running ones when a test completes them, as the API does.
 */

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
type Tenant = Awaited<ReturnType<typeof makeTenant>>;
type Status = "running" | "succeeded" | "failed" | "cancelled";

/** Inserts `count` executions started on the UTC day `daysAgo` days before today (today: in the last minutes). Returns their ids. */
async function insertRuns(db: Database, t: Tenant, agentId: string, count: number, status: Status, daysAgo: number): Promise<string[]> {
  const rows = await withTenant(db, t.tenantId, (tx) =>
    queryRows<{ id: string }>(
      tx,
      sql`insert into agent_executions (tenant_id, agent_id, user_id, input_data, status, started_at, created_at, completed_at,
                                        duration_ms, input_tokens, output_tokens, provided_cost_usd)
          select ${t.tenantId}, ${agentId}::uuid, ${t.userId}::uuid, '{}'::jsonb, ${status}::execution_status, x.at, x.at,
                 case when ${status} = 'running' then null else x.at + interval '1 second' end,
                 case when ${status} = 'running' then null else 100 + g end, 10 * g, g, 0.000001 * g
          from generate_series(1, ${count}::int) g,
               lateral (select case when ${daysAgo}::int = 0 then least(now(), greatest(date_trunc('day', now() at time zone 'UTC') at time zone 'UTC', now() - make_interval(secs => g)))
                                    else date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' - make_interval(days => ${daysAgo}::int, hours => -12, secs => -g) end as at) x
          returning id`,
    ),
  );
  return rows.map((r) => r.id);
}

/** Completes a running execution as the API would (its own transaction, as the tenant). */
function complete(db: Database, t: Tenant, executionId: string, status: Exclude<Status, "running">, n = 1) {
  return withTenant(db, t.tenantId, (tx) => finish(tx, executionId, status, n));
}

function finish(tx: Tx, executionId: string, status: Exclude<Status, "running">, n = 1) {
  return tx.execute(
    sql`update agent_executions set status = ${status}::execution_status, completed_at = now(), duration_ms = ${1000 + n},
               input_tokens = ${7 * n}, output_tokens = ${3 * n}, provided_cost_usd = ${(0.000013 * n).toFixed(6)}::numeric
        where id = ${executionId}::uuid and status = 'running'`,
  );
}

const sums = `sum(total_executions)::text as n, sum(successful_executions)::text as ok, sum(failed_executions)::text as failed,
  sum(cancelled_executions)::text as cancelled, sum(input_tokens)::text as input, sum(output_tokens)::text as output,
  sum(total_tokens)::text as tokens, sum(total_cost_usd)::text as cost, sum(total_duration_ms)::text as duration`;
const recount = `count(*)::text as n, (count(*) filter (where status = 'succeeded'))::text as ok, (count(*) filter (where status = 'failed'))::text as failed,
  (count(*) filter (where status = 'cancelled'))::text as cancelled, sum(input_tokens)::text as input, sum(output_tokens)::text as output,
  sum(total_tokens)::text as tokens, sum(cost_usd)::text as cost, sum(coalesce(duration_ms, 0))::text as duration`;

/**
 * Every counter summed per agent day and per tenant day (as readers see them), and the same
 * recounted from the executions (counted on their UTC start day). Staff reads every tenant.
 */
const usage = (db: Database) =>
  withStaff(db, (tx) =>
    queryRows<{ agentDays: string; tenantDays: string; agentRecount: string; tenantRecount: string }>(
      tx,
      sql`select (select json_agg(x order by x.agent_id, x.day)::text from (
                    select agent_id, day, ${sql.raw(sums)} from agent_usage_daily group by agent_id, day) x) as "agentDays",
                 (select json_agg(x order by x.tenant_id, x.day)::text from (
                    select tenant_id, day, ${sql.raw(sums)} from tenant_usage_daily group by tenant_id, day) x) as "tenantDays",
                 (select json_agg(x order by x.agent_id, x.day)::text from (
                    select agent_id, (started_at at time zone 'UTC')::date as day, ${sql.raw(recount)}
                    from agent_executions where status <> 'running' group by 1, 2) x) as "agentRecount",
                 (select json_agg(x order by x.tenant_id, x.day)::text from (
                    select tenant_id, (started_at at time zone 'UTC')::date as day, ${sql.raw(recount)}
                    from agent_executions where status <> 'running' group by 1, 2) x) as "tenantRecount"`,
    ),
  ).then((rows) => rows[0]!);

async function expectExact(db: Database) {
  const u = await usage(db);
  expect(u.agentDays).not.toBeNull();
  expect(u.agentDays).toBe(u.agentRecount);
  expect(u.tenantDays).toBe(u.tenantRecount);
  return u;
}

interface UsageRow {
  table: string;
  key: string;
  day: string;
  slot: number;
  n: number;
  createdAt: string;
  updatedAt: string;
}

/** Every row of both daily tables, oldest day first. */
const rowsOf = (db: Database) =>
  withStaff(db, (tx) =>
    queryRows<UsageRow>(
      tx,
      sql`select 'agent' as table, agent_id::text as key, to_char(day, 'YYYY-MM-DD') as day, slot, total_executions::int as n,
                 created_at::text as "createdAt", updated_at::text as "updatedAt" from agent_usage_daily
          union all
          select 'tenant', tenant_id, to_char(day, 'YYYY-MM-DD'), slot, total_executions::int, created_at::text, updated_at::text from tenant_usage_daily
          order by 1, 3, 2, 4`,
    ),
  );

/** YYYY-MM-DD of `daysAgo` days before today (UTC, database clock). */
const dayOf = (db: Database, daysAgo: number) =>
  queryRows<{ day: string }>(db, sql`select to_char((now() at time zone 'UTC')::date - ${daysAgo}::int, 'YYYY-MM-DD') as day`).then(
    (r) => r[0]!.day,
  );

/** Slots of the given executions. */
const slotsOf = (db: Database, ids: string[]) =>
  queryRows<{ id: string; slot: number }>(db, sql`select id::text, usage_slot(id) as slot from unnest(${`{${ids.join(",")}}`}::uuid[]) id`);

/** A transaction as the connecting role (the owner here) in one tenant's scope, as compactUsage runs its batches. */
function asOwner<T>(db: Database, tenantId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true)`);
    return work(tx);
  });
}

/** Resolves once at least `n` backends of this database wait for a lock. */
async function lockWaiters(db: Database, n: number) {
  for (let i = 0; i < 200; i++) {
    const [row] = await queryRows<{ waiting: number }>(
      db,
      sql`select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if (row!.waiting >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`expected ${n} backends waiting for a lock`);
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe("packDays", () => {
  it("packs consecutive days up to the batch size; a bigger day stands alone", () => {
    const d = (day: string, agents: number) => ({ day, agents });
    expect(packDays([d("2026-01-01", 2), d("2026-01-02", 3), d("2026-01-03", 1), d("2026-01-04", 9), d("2026-01-05", 4)], 6)).toEqual([
      { fromDay: "2026-01-01", toDay: "2026-01-03" },
      { fromDay: "2026-01-04", toDay: "2026-01-04" },
      { fromDay: "2026-01-05", toDay: "2026-01-05" },
    ]);
    expect(packDays([], 6)).toEqual([]);
  });
});

describe.each(testTargets())("usage compaction on %s", (target) => {
  let database: TestDatabase;
  let db: Database;
  let a: Tenant;
  let b: Tenant;
  let agentA1: string;
  let agentA2: string;
  let agentB: string;
  let today: string;
  let yesterday: string;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    db = database.db;
    a = await makeTenant(db, "compact-a");
    b = await makeTenant(db, "compact-b");
    [agentA1, agentA2, agentB] = [await makeAgent(db, a), await makeAgent(db, a), await makeAgent(db, b)];
    // Enough runs per agent day that most of the 16 slots hold a row.
    for (const daysAgo of [0, 1, 2, 3, 5, 40]) {
      await insertRuns(db, a, agentA1, 40, "succeeded", daysAgo);
      await insertRuns(db, a, agentA1, 8, "failed", daysAgo);
      await insertRuns(db, a, agentA2, 12, "cancelled", daysAgo);
      await insertRuns(db, b, agentB, 30, "succeeded", daysAgo);
    }
    await insertRuns(db, a, agentA2, 3, "running", 2);
    [today, yesterday] = [await dayOf(db, 0), await dayOf(db, 1)];
  });
  afterAll(() => database?.close());

  it("folds every past agent day and tenant day into one row in slot 0, sums exact, today and yesterday untouched", async () => {
    const usageBefore = await expectExact(db);
    const rowsBefore = await rowsOf(db);
    const past = (r: UsageRow) => r.day < yesterday;
    const slotted = rowsBefore.filter((r) => past(r) && r.slot !== 0);
    // 4 past days (2, 3, 5, 40 days ago) × 3 agents, and × 2 tenants.
    const groups = (rows: UsageRow[], table: string) =>
      new Set(rows.filter((r) => r.table === table && past(r)).map((r) => `${r.key} ${r.day}`));
    expect(groups(rowsBefore, "agent").size).toBe(12);
    expect(groups(rowsBefore, "tenant").size).toBe(8);
    expect(slotted.length).toBeGreaterThan(100);

    const batches: string[] = [];
    const result = await compactUsage(db, { batchSize: 2, onBatch: (x) => void batches.push(`${x.tenantId} ${x.table} ${x.groups}`) });

    expect(result.foldedBefore).toBe(yesterday);
    expect(result.tenants).toEqual(["compact-a", "compact-b"]);
    const agentRows = (rows: UsageRow[]) => rows.filter((r) => r.table === "agent").length;
    const tenantRows = (rows: UsageRow[]) => rows.filter((r) => r.table === "tenant").length;
    const rowsAfter = await rowsOf(db);
    expect(result.agentDays).toMatchObject({
      groups: 12,
      rowsFolded: slotted.filter((r) => r.table === "agent").length,
      rowsBefore: agentRows(rowsBefore),
      rowsAfter: agentRows(rowsAfter),
    });
    expect(result.tenantDays).toMatchObject({
      groups: 8,
      rowsFolded: slotted.filter((r) => r.table === "tenant").length,
      rowsBefore: tenantRows(rowsBefore),
      rowsAfter: tenantRows(rowsAfter),
    });
    for (const t of [result.agentDays, result.tenantDays]) expect(t.rowsBefore - t.rowsAfter).toBe(t.rowsFolded - t.rowsCreated);
    // Batches of at most 2 groups: A's 2 agents × 4 days, two days per batch; B's 1 agent × 4 days; tenant days two at a time.
    expect(batches).toEqual([
      "compact-a tenant_usage_daily 2",
      "compact-a tenant_usage_daily 2",
      "compact-a agent_usage_daily 2",
      "compact-a agent_usage_daily 2",
      "compact-a agent_usage_daily 2",
      "compact-a agent_usage_daily 2",
      "compact-b tenant_usage_daily 2",
      "compact-b tenant_usage_daily 2",
      "compact-b agent_usage_daily 2",
      "compact-b agent_usage_daily 2",
    ]);

    // Sums per agent day and tenant day: equal to the recount, and to the sums before.
    const usageAfter = await expectExact(db);
    expect(usageAfter).toEqual(usageBefore);
    // Past days: one row per group, in slot 0, created when the group's first row was.
    const pastAfter = rowsAfter.filter(past);
    expect(pastAfter.every((r) => r.slot === 0)).toBe(true);
    expect(pastAfter.length).toBe(12 + 8);
    for (const r of pastAfter) {
      const firstCreated = rowsBefore
        .filter((x) => x.table === r.table && x.key === r.key && x.day === r.day)
        .map((x) => x.createdAt)
        .sort()[0];
      expect(r.createdAt).toBe(firstCreated);
    }
    // Yesterday and today: every row as it was, slots and timestamps included.
    expect(rowsAfter.filter((r) => !past(r))).toEqual(rowsBefore.filter((r) => !past(r)));
    expect(rowsAfter.filter((r) => r.day === today && r.slot !== 0).length).toBeGreaterThan(0);
  });

  it("changes nothing the second time", async () => {
    const rowsBefore = await rowsOf(db);
    const result = await compactUsage(db);
    expect(result.tenants).toEqual([]);
    for (const t of [result.agentDays, result.tenantDays])
      expect(t).toMatchObject({ groups: 0, rowsFolded: 0, rowsCreated: 0, batches: 0 });
    expect(await rowsOf(db)).toEqual(rowsBefore);
  });

  it("folds yesterday with keepDays 0, one tenant when asked, and never today", async () => {
    const onlyB = await compactUsage(db, { keepDays: 0, tenantId: b.tenantId });
    expect(onlyB.foldedBefore).toBe(today);
    expect(onlyB.tenants).toEqual(["compact-b"]);
    expect(onlyB.agentDays.groups).toBe(1);
    expect(onlyB.tenantDays.groups).toBe(1);
    const rows = await rowsOf(db);
    const slotsOn = (key: string, day: string) => rows.filter((r) => r.key === key && r.day === day).length;
    expect(slotsOn(agentB, yesterday)).toBe(1);
    expect(slotsOn(agentA1, yesterday)).toBeGreaterThan(1);
    expect(slotsOn(agentB, today)).toBeGreaterThan(1);
    expect((await compactUsage(db, { keepDays: 0 })).tenants).toEqual(["compact-a"]);
    expect((await rowsOf(db)).filter((r) => r.day < today && r.slot !== 0)).toEqual([]);
    await expectExact(db);
  });

  it("refuses a negative or fractional keepDays and a bad batch size", async () => {
    await expect(compactUsage(db, { keepDays: -1 })).rejects.toThrow(/0 or more/);
    await expect(compactUsage(db, { keepDays: 1.5 })).rejects.toThrow(/0 or more/);
    await expect(compactUsage(db, { batchSize: 0 })).rejects.toThrow(/positive integer/);
  });

  it("leaves the role walls as they were: neither the app role nor staff may delete usage rows", async () => {
    const privileges = await queryRows<{ role: string; table: string; delete: boolean; insert: boolean; update: boolean }>(
      db,
      sql`select r as role, t as table, has_table_privilege(r, t, 'DELETE') as delete, has_table_privilege(r, t, 'INSERT') as insert,
                 has_table_privilege(r, t, 'UPDATE') as update
          from unnest(array['agent_builder_app', 'agent_builder_admin']) r, unnest(array['agent_usage_stats', 'agent_usage_daily', 'tenant_usage_daily']) t
          order by 1, 2`,
    );
    for (const p of privileges)
      expect(p, `${p.role} ${p.table}`).toMatchObject({
        delete: false,
        insert: p.role === "agent_builder_app",
        update: p.role === "agent_builder_app",
      });
    for (const table of ["agent_usage_daily", "tenant_usage_daily", "agent_usage_stats"]) {
      expect(await pgErrorCode(withTenant(db, a.tenantId, (tx) => tx.execute(sql`delete from ${sql.raw(table)}`)))).toBe("42501");
      expect(await pgErrorCode(withStaff(db, (tx) => tx.execute(sql`delete from ${sql.raw(table)}`)))).toBe("42501");
    }
    // A fold attempted as the app role (an API request) is refused as a whole.
    await insertRuns(db, a, agentA1, 20, "succeeded", 3);
    const day = await dayOf(db, 3);
    expect(
      await pgErrorCode(
        withTenant(db, a.tenantId, (tx) =>
          foldAgentDayBatch(tx, a.tenantId, { fromDay: day, toDay: day }, "00000000-0000-0000-0000-000000000000", 10),
        ),
      ),
    ).toBe("42501");
    expect(await pgErrorCode(withTenant(db, a.tenantId, (tx) => foldTenantDayBatch(tx, a.tenantId, today, "0001-01-01", 10)))).toBe(
      "42501",
    );
    await expectExact(db);
  });

  it("holds an owner that is not a superuser to the tenant policy (FORCE ROW LEVEL SECURITY), as on Neon", async () => {
    const day = await dayOf(db, 3);
    const range = { fromDay: day, toDay: day };
    const zero = "00000000-0000-0000-0000-000000000000";
    const rollback = new Error("rollback");
    const seen = await db
      .transaction(async (tx) => {
        // Everything here is undone: the role, the ownership and the folds.
        await tx.execute(sql`create role compaction_owner_probe nologin nosuperuser nobypassrls`);
        for (const table of ["agents", "agent_usage_daily", "tenant_usage_daily"])
          await tx.execute(sql`alter table ${sql.raw(table)} owner to compaction_owner_probe`);
        await tx.execute(sql`set local role compaction_owner_probe`);
        const scoped = async (tenantId: string, work: () => Promise<unknown>) => {
          await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true)`);
          return work();
        };
        const seen = {
          noTenant: await scoped("", () => foldAgentDayBatch(tx, a.tenantId, range, zero, 10)),
          otherTenant: await scoped(b.tenantId, () => foldAgentDayBatch(tx, a.tenantId, range, zero, 10)),
          otherTenantDays: await scoped(b.tenantId, () => foldTenantDayBatch(tx, a.tenantId, today, "0001-01-01", 10)),
          ownTenant: await scoped(a.tenantId, () => foldAgentDayBatch(tx, a.tenantId, range, zero, 10)),
          ownTenantDays: await scoped(a.tenantId, () => foldTenantDayBatch(tx, a.tenantId, today, "0001-01-01", 10)),
        };
        throw Object.assign(rollback, { seen });
      })
      .catch((error: unknown) => {
        if (error !== rollback) throw error;
        return (rollback as Error & { seen: Record<string, { groups: number }> }).seen;
      });
    const none = { groups: 0, rowsFolded: 0, rowsCreated: 0 };
    expect(seen.noTenant).toMatchObject(none);
    expect(seen.otherTenant).toMatchObject(none);
    expect(seen.otherTenantDays).toMatchObject(none);
    expect(seen.ownTenant).toMatchObject({ groups: 1, rowsCreated: 0 });
    expect(seen.ownTenantDays).toMatchObject({ groups: 1, rowsCreated: 0 });
    const [owner] = await queryRows<{ owner: string }>(
      db,
      sql`select tableowner as owner from pg_tables where tablename = 'agent_usage_daily'`,
    );
    expect(owner!.owner).not.toBe("compaction_owner_probe");
    await compactUsage(db);
    await expectExact(db);
  });

  it("stays exact while completions of runs that started on the days being folded keep arriving", async () => {
    const s = await makeTenant(db, "compact-race");
    const agents = [await makeAgent(db, s), await makeAgent(db, s)];
    const running: string[] = [];
    for (const agentId of agents)
      for (const daysAgo of [2, 3, 4]) {
        await insertRuns(db, s, agentId, 24, "succeeded", daysAgo);
        running.push(...(await insertRuns(db, s, agentId, 40, "running", daysAgo)));
      }
    running.sort(() => Math.random() - 0.5);
    const statuses = ["succeeded", "failed", "cancelled"] as const;
    let compacting = false;
    let completedDuringCompaction = 0;
    let runs = 0;
    let folded = 0;
    const firstBatch = gate();
    let finished = false;

    const compactor = (async () => {
      do {
        compacting = true;
        const r = await compactUsage(db, { tenantId: s.tenantId, batchSize: 1, onBatch: () => firstBatch.open() });
        compacting = false;
        runs++;
        folded += r.agentDays.rowsFolded + r.tenantDays.rowsFolded;
        firstBatch.open();
      } while (!finished);
    })();
    await firstBatch.opened;
    const queue = [...running];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let id = queue.pop(), n = 0; id; id = queue.pop(), n++) {
          await complete(db, s, id, statuses[n % 3]!, n);
          if (compacting) completedDuringCompaction++;
        }
      }),
    );
    finished = true;
    await compactor;

    // The runs overlapped (on Postgres and Neon truly concurrently; PGlite interleaves whole transactions).
    expect(completedDuringCompaction).toBeGreaterThan(0);
    expect(runs).toBeGreaterThan(1);
    expect(folded).toBeGreaterThan(0);
    await expectExact(db);
    // Whatever arrived after the last fold of its day is folded by one more run.
    await compactUsage(db, { tenantId: s.tenantId });
    const rows = (await rowsOf(db)).filter((r) => (r.key === s.tenantId || agents.includes(r.key)) && r.day < yesterday);
    expect(rows.length).toBe(3 * 2 + 3);
    expect(rows.every((r) => r.slot === 0)).toBe(true);
    await expectExact(db);
  });

  // The command as documented, against this test's own database (a PGlite in memory has no URL).
  if (target === "postgres")
    it("runs as `pnpm db:compact-usage [--keep-days N]`", async () => {
      const pnpm = (...args: string[]) =>
        new Promise<string>((resolve, reject) =>
          execFile(
            "pnpm",
            ["-s", ...args],
            { cwd: repoRoot, env: { ...process.env, DATABASE_URL: database.url! }, timeout: 120_000 },
            (error, stdout, stderr) => (error ? reject(new Error(`${args.join(" ")}: ${error.message}\n${stderr}`)) : resolve(stdout)),
          ),
        );
      await insertRuns(db, b, agentB, 20, "failed", 9);
      const out = await pnpm("db:compact-usage", "--keep-days", "2");
      expect(out).toMatch(
        /^agent_usage_daily: \d+ rows before, \d+ after; folded \d+ slot rows of 1 agent-days into slot 0 \([01] slot-0 rows created\) in 1 batches\n/,
      );
      expect(out).toMatch(
        /\ntenant_usage_daily: \d+ rows before, \d+ after; folded \d+ slot rows of 1 tenant-days into slot 0 \([01] slot-0 rows created\) in 1 batches\n/,
      );
      expect(out).toContain(`compact-usage on postgres://***@`);
      expect(out).toContain(`days before ${await dayOf(db, 2)} (UTC) folded for 1 tenants`);
      await expect(pnpm("db:compact-usage", "--keep-days", "1.5")).rejects.toThrow(/--keep-days must be a whole number, 0 or more/);
      await expectExact(db);
    }, 300_000);

  // One connection on PGlite: a transaction waiting for another's row lock cannot exist there.
  if (target !== "pglite") {
    it("folds a completion that held its slot row when the fold came: the fold waits, re-reads the row and folds it", async () => {
      const day = await dayOf(db, 6);
      await insertRuns(db, a, agentA2, 48, "succeeded", 6);
      const running = await insertRuns(db, a, agentA2, 30, "running", 6);
      const occupied = new Set((await rowsOf(db)).filter((r) => r.key === agentA2 && r.day === day).map((r) => r.slot));
      const racing = (await slotsOf(db, running)).find((x) => x.slot !== 0 && occupied.has(x.slot))!;
      const range = { fromDay: day, toDay: day };

      const hold = gate();
      const held = gate();
      // The API completing the run: the usage trigger has updated the tenant's and the agent's slot rows; not committed yet.
      const finisher = withTenant(db, a.tenantId, async (tx) => {
        await finish(tx, racing.id, "failed", 5);
        held.open();
        await hold.opened;
      });
      await held.opened;
      const tenantFold = asOwner(db, a.tenantId, (tx) => foldTenantDayBatch(tx, a.tenantId, yesterday, "0001-01-01", 100));
      const agentFold = asOwner(db, a.tenantId, (tx) =>
        foldAgentDayBatch(tx, a.tenantId, range, "00000000-0000-0000-0000-000000000000", 100),
      );
      await lockWaiters(db, 2);
      hold.open();
      await finisher;
      const [t, g] = await Promise.all([tenantFold, agentFold]);
      expect(t.groups).toBeGreaterThan(0);
      expect(g.groups).toBe(1);

      // The slot rows the completion wrote went with the fold, its counts included: nothing left behind, nothing lost.
      const rows = (await rowsOf(db)).filter((r) => (r.key === agentA2 || r.key === a.tenantId) && r.day === day);
      expect(rows.map((r) => [r.table, r.slot])).toEqual([
        ["agent", 0],
        ["tenant", 0],
      ]);
      await expectExact(db);
    });

    it("keeps a completion that came while its slot row was being folded: it waits, then writes a fresh slot row", async () => {
      const day = await dayOf(db, 7);
      await insertRuns(db, a, agentA2, 48, "succeeded", 7);
      const running = await insertRuns(db, a, agentA2, 40, "running", 7);
      const occupied = new Set((await rowsOf(db)).filter((r) => r.key === agentA2 && r.day === day).map((r) => r.slot));
      const slots = await slotsOf(db, running);
      const intoFolded = slots.find((x) => x.slot !== 0 && occupied.has(x.slot))!;
      const intoSlot0 = slots.find((x) => x.slot === 0);
      const range = { fromDay: day, toDay: day };

      const hold = gate();
      const held = gate();
      // The fold has deleted the slot rows and added them to slot 0; not committed yet.
      const fold = asOwner(db, a.tenantId, async (tx) => {
        const tenantDays = await foldTenantDayBatch(tx, a.tenantId, yesterday, "0001-01-01", 100);
        const agentDays = await foldAgentDayBatch(tx, a.tenantId, range, "00000000-0000-0000-0000-000000000000", 100);
        held.open();
        await hold.opened;
        return { tenantDays, agentDays };
      });
      await held.opened;
      const finishers = [complete(db, a, intoFolded.id, "succeeded", 9)];
      if (intoSlot0) finishers.push(complete(db, a, intoSlot0.id, "cancelled", 4));
      await lockWaiters(db, finishers.length);
      hold.open();
      const { agentDays } = await fold;
      await Promise.all(finishers);
      expect(agentDays.groups).toBe(1);

      // The completion into a folded slot found its row gone once the fold committed and inserted a new one, with itself only.
      const rows = (await rowsOf(db)).filter((r) => (r.key === agentA2 || r.key === a.tenantId) && r.day === day);
      expect(rows.filter((r) => r.slot === intoFolded.slot).map((r) => [r.table, r.n])).toEqual([
        ["agent", 1],
        ["tenant", 1],
      ]);
      await expectExact(db);
      await compactUsage(db, { tenantId: a.tenantId });
      expect((await rowsOf(db)).filter((r) => r.key === agentA2 && r.day === day).map((r) => r.slot)).toEqual([0]);
      await expectExact(db);
    });
  }
});

/**
 * Crew days (`crew_usage_daily`) fold as agent days do: one row in slot 0 per (crew, day), every
 * sum unchanged and equal to a recount of the crew runs (each with its children's totals), a crew
 * run completed afterwards on a folded day counted in a fresh slot row. Own database: crew runs
 * and their child runs would change the recounts of the tests above.
 */
describe.each(testTargets())("crew usage compaction on %s", (target) => {
  let database: TestDatabase;
  let db: Database;
  let t: Tenant;
  let crewId: string;
  let members: string[];

  /** Inserts crew runs started `daysAgo` days ago, two finished child runs each, then finishes the crew runs (the trigger sums them). */
  async function crewRuns(count: number, daysAgo: number, finish = true): Promise<string[]> {
    return withTenant(db, t.tenantId, async (tx) => {
      const at = sql`(date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' - make_interval(days => ${daysAgo}::int, hours => -12, secs => -g))`;
      const runs = await queryRows<{ id: string }>(
        tx,
        sql`insert into agent_executions (tenant_id, crew_id, user_id, input_data, started_at, created_at)
            select ${t.tenantId}, ${crewId}::uuid, ${t.userId}::uuid, '{}'::jsonb, ${at}, ${at} from generate_series(1, ${count}::int) g
            returning id`,
      );
      const ids = `{${runs.map((r) => r.id).join(",")}}`;
      await tx.execute(
        sql`insert into agent_executions (tenant_id, agent_id, parent_execution_id, user_id, input_data, status, started_at, created_at,
                                          completed_at, duration_ms, input_tokens, output_tokens, provided_cost_usd)
            select ${t.tenantId}, m.agent_id, p.id, ${t.userId}::uuid, '{}'::jsonb, 'succeeded', p.started_at, p.started_at,
                   p.started_at + interval '1 second', 1000, 10 + m.n, 2 * m.n, 0.000003 * m.n
            from agent_executions p, unnest(${`{${members.join(",")}}`}::uuid[]) with ordinality m(agent_id, n)
            where p.id = any(${ids}::uuid[])`,
      );
      if (finish) {
        await tx.execute(
          sql`update agent_executions set status = 'succeeded', completed_at = started_at + interval '2 seconds', duration_ms = 2000
              where id = any(${ids}::uuid[])`,
        );
      }
      return runs.map((r) => r.id);
    });
  }

  /** Each crew day's sums as readers see them, and the same recounted from the crew runs. */
  const crewDays = () =>
    withStaff(db, (tx) =>
      queryRows<{ stored: string; recount: string; slotted: number; rows: number }>(
        tx,
        sql`select (select json_agg(x order by x.crew_id, x.day)::text from (
                      select crew_id, day, ${sql.raw(sums)} from crew_usage_daily group by crew_id, day) x) as stored,
                   (select json_agg(x order by x.crew_id, x.day)::text from (
                      select crew_id, (started_at at time zone 'UTC')::date as day, ${sql.raw(recount)}
                      from agent_executions where status <> 'running' and agent_id is null group by 1, 2) x) as recount,
                   (select count(*)::int from crew_usage_daily where slot <> 0 and day < (now() at time zone 'UTC')::date - 1) as slotted,
                   (select count(*)::int from crew_usage_daily) as rows`,
      ),
    ).then((rows) => rows[0]!);

  beforeAll(async () => {
    database = await createTestDatabase(target);
    db = database.db;
    t = await makeTenant(db, "compact-crews");
    members = [await makeAgent(db, t), await makeAgent(db, t)];
    crewId = await withTenant(db, t.tenantId, async (tx) => {
      const [crew] = await queryRows<{ id: string }>(
        tx,
        sql`insert into crews (tenant_id, name, owner_id, space_id) values (${t.tenantId}, 'Crew', ${t.userId}::uuid, ${t.spaceId}::uuid) returning id`,
      );
      for (const [position, agentId] of members.entries()) {
        await tx.execute(
          sql`insert into crew_members (tenant_id, crew_id, agent_id, position) values (${t.tenantId}, ${crew!.id}::uuid, ${agentId}::uuid, ${position})`,
        );
      }
      return crew!.id;
    });
    for (const daysAgo of [0, 2, 3, 30]) await crewRuns(30, daysAgo);
  });
  afterAll(() => database?.close());

  it("folds every past crew day into slot 0, sums exact; a late crew run on a folded day is counted in a new slot row", async () => {
    const late = await crewRuns(3, 3, false);
    const before = await crewDays();
    expect(before.stored).toBe(before.recount);
    expect(before.slotted).toBeGreaterThan(20);

    const batches: string[] = [];
    const result = await compactUsage(db, { batchSize: 2, onBatch: (x) => void batches.push(`${x.table} ${x.groups}`) });
    const after = await crewDays();
    expect(after.stored).toBe(before.stored);
    expect(after.slotted).toBe(0);
    expect(result.crewDays).toMatchObject({ groups: 3, rowsFolded: before.slotted, rowsBefore: before.rows, rowsAfter: after.rows });
    expect(result.crewDays.rowsBefore - result.crewDays.rowsAfter).toBe(result.crewDays.rowsFolded - result.crewDays.rowsCreated);
    // One crew, three past days: in batches of whole days up to 2 crew days each.
    expect(batches.filter((b) => b.startsWith("crew_usage_daily"))).toEqual(["crew_usage_daily 2", "crew_usage_daily 1"]);

    await withTenant(db, t.tenantId, (tx) =>
      tx.execute(
        sql`update agent_executions set status = 'failed', completed_at = started_at + interval '3 seconds', duration_ms = 3000
            where id = any(${`{${late.join(",")}}`}::uuid[])`,
      ),
    );
    const counted = await crewDays();
    expect(counted.stored).toBe(counted.recount);
    expect(counted.slotted).toBeGreaterThan(0);
    await compactUsage(db, {});
    const again = await crewDays();
    expect(again.stored).toBe(counted.stored);
    expect(again.slotted).toBe(0);
  });
});
