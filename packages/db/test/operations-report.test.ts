import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { PgDialect } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startThrowawayCluster, type ThrowawayCluster } from "../../../test/support/cluster";
import {
  collectReport,
  connectPostgres,
  type Database,
  type DatabaseHandle,
  formatReport,
  queryRows,
  reportQueries,
  shippedMigrations,
  sql,
  withTenant,
} from "../src";
import { createTestDatabase, type TestDatabase, testTargets } from "../src/testing";
import { makeAgent, makeTenant } from "./support";

/**
 * The monitoring report on a known dataset: stuck counts per tenant, table sizes and row
 * estimates, index scan counts and the unused ones, pg_stat_statements (missing, installed but
 * not loaded, and working on a throwaway cluster that preloads it), migration status; the
 * `pnpm db:*` commands; and docs/operations.md showing the report's SQL as it runs.
 */
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
type Tenant = Awaited<ReturnType<typeof makeTenant>>;

/** `count` executions with `status`, started `ageMinutes` ago (one second apart). */
async function insertExecutions(db: Database, t: Tenant, agentId: string, count: number, status: string, ageMinutes: number) {
  await withTenant(db, t.tenantId, (tx) =>
    tx.execute(sql`insert into agent_executions (tenant_id, agent_id, user_id, input_data, status, started_at, created_at, completed_at, duration_ms)
      select ${t.tenantId}, ${agentId}::uuid, ${t.userId}::uuid, '{}'::jsonb, ${status}::execution_status, x.at, x.at,
             case when ${status} = 'running' then null else x.at + interval '1 second' end, case when ${status} = 'running' then null else 1000 end
      from generate_series(1, ${count}::int) g, lateral (select now() - make_interval(mins => ${ageMinutes}::int) - make_interval(secs => g) as at) x`),
  );
}

describe.each(testTargets())("database report on %s", (target) => {
  let database: TestDatabase;
  let db: Database;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    db = database.db;
    a = await makeTenant(db, "report-a");
    b = await makeTenant(db, "report-b");
    const agentA = await makeAgent(db, a);
    const agentB = await makeAgent(db, b);
    await insertExecutions(db, a, agentA, 3, "running", 120);
    await insertExecutions(db, a, agentA, 1, "running", 10);
    await insertExecutions(db, b, agentB, 1, "running", 180);
    await insertExecutions(db, a, agentA, 4, "succeeded", 120);
    await insertExecutions(db, b, agentB, 1, "failed", 30);
    await db.execute(sql`analyze`);
  });
  afterAll(() => database?.close());

  it("counts executions running longer than the limit, per tenant, with the oldest start", async () => {
    const oldest = await queryRows<{ tenant: string; at: string }>(
      db,
      sql`select tenant_id as tenant, min(started_at) as at from agent_executions where status = 'running' group by tenant_id order by tenant_id`,
    );
    const report = await collectReport(db, { stuckMinutes: 60 });
    expect(report.stuck).toEqual({
      olderThanMinutes: 60,
      tenants: [
        { tenantId: "report-a", running: 3, oldestStartedAt: new Date(oldest[0]!.at).toISOString() },
        { tenantId: "report-b", running: 1, oldestStartedAt: new Date(oldest[1]!.at).toISOString() },
      ],
      total: 4,
    });
    expect((await collectReport(db, { stuckMinutes: 5 })).stuck.total).toBe(5);
    expect((await collectReport(db, { stuckMinutes: 150 })).stuck.tenants).toEqual([
      expect.objectContaining({ tenantId: "report-b", running: 1 }),
    ]);
    expect(formatReport(report)).toContain("Executions running longer than 60 minutes: 4");
  });

  it("lists every table with sizes that add up, and row estimates that match after ANALYZE", async () => {
    const report = await collectReport(db);
    const tables = await queryRows<{ name: string }>(
      db,
      sql`select tablename as name from pg_tables where schemaname = 'public' order by 1`,
    );
    expect(report.tables.map((t) => t.table).toSorted()).toEqual(tables.map((t) => t.name));
    for (const t of report.tables) {
      expect(t.totalBytes, t.table).toBe(t.heapBytes + t.indexBytes + t.otherBytes);
      const indexBytes = report.indexes.filter((i) => i.table === t.table).reduce((n, i) => n + i.bytes, 0);
      expect(t.indexBytes, t.table).toBe(indexBytes);
    }
    const byName = Object.fromEntries(report.tables.map((t) => [t.table, t]));
    expect(byName.agent_executions!.rowsEstimate).toBe(10);
    expect(byName.agents!.rowsEstimate).toBe(2);
    expect(byName.tenants!.rowsEstimate).toBe(2);
    expect(byName.agent_executions!.heapBytes).toBeGreaterThan(0);
  });

  it("lists every index with its scans, and calls unused only those with no scans that no constraint needs", async () => {
    const gin = "agents_notebook_ids_gin_idx";
    const before = await collectReport(db);
    const all = await queryRows<{ name: string }>(db, sql`select indexname as name from pg_indexes where schemaname = 'public' order by 1`);
    expect(before.indexes.map((i) => i.index).toSorted()).toEqual(all.map((i) => i.name));
    expect(before.indexStatistics.collected).toBe(true);
    expect(before.indexStatistics.perProcess).toBe(target === "pglite");
    // PGlite's counters are this process's alone: it must not call anything unused.
    const unused = (value: boolean) => (target === "pglite" ? null : value);
    for (const i of before.indexes) {
      if (i.primary || i.enforcesConstraint) expect(i.unused, i.index).toBe(unused(false));
      else expect(i.unused, i.index).toBe(unused(i.scans === 0));
    }
    expect(before.indexes.find((i) => i.index === "agents_pkey")).toMatchObject({
      primary: true,
      enforcesConstraint: true,
      unused: unused(false),
    });
    expect(before.indexes.find((i) => i.index === "agent_executions_tenant_idempotency_key_idx")).toMatchObject({
      primary: false,
      enforcesConstraint: true,
      unused: unused(false),
    });
    expect(before.indexes.find((i) => i.index === gin)).toMatchObject({ scans: 0, unused: unused(true) });
    if (target === "pglite") {
      expect(formatReport(before)).toContain("Unused indexes: not reported on PGlite");
      expect(formatReport(before)).not.toContain("UNUSED");
    } else expect(formatReport(before)).toMatch(new RegExp(`Unused indexes .*${gin}`));

    // One query through the GIN index (in one transaction: one connection), its counters flushed at commit.
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      await tx.execute(sql`select count(*) from agents where notebook_ids @> array[${crypto.randomUUID()}::uuid]`);
      if (target !== "pglite") await tx.execute(sql`select pg_stat_force_next_flush()`);
    });
    let used = before.indexes.find((i) => i.index === gin)!;
    for (let attempt = 0; attempt < 30 && used.scans === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      used = (await collectReport(db)).indexes.find((i) => i.index === gin)!;
    }
    expect(used).toMatchObject({ scans: 1, unused: unused(false) });
  });

  it("says why slow statements are not available here", async () => {
    const { slowStatements } = await collectReport(db);
    expect(slowStatements.available).toBe(false);
    if (slowStatements.available) return;
    if (target === "pglite") expect(slowStatements.reason).toBe("PGlite has no pg_stat_statements extension");
    else {
      // The shared server does not preload it (and this test does not change the server's settings).
      expect(slowStatements.reason).toMatch(
        /not installed in this database \(shared_preload_libraries = ''\).*CREATE EXTENSION pg_stat_statements/,
      );
      await db.execute(sql`create extension pg_stat_statements`);
      const installed = (await collectReport(db)).slowStatements;
      expect(installed).toMatchObject({
        available: false,
        reason: expect.stringMatching(/installed but cannot be read \(55000\).*shared_preload_libraries/),
      });
      await db.execute(sql`drop extension pg_stat_statements`);
    }
    expect(formatReport(await collectReport(db))).toMatch(/Slowest statements.*\n  not available: /);
  });

  it("reports the migration state", async () => {
    const report = await collectReport(db);
    expect(report.migrations).toEqual({ current: shippedMigrations.at(-1)!.tag, appliedCount: shippedMigrations.length, pending: [] });
    expect(formatReport(report)).toContain(
      `Migrations: ${shippedMigrations.length} applied, current ${shippedMigrations.at(-1)!.tag}; pending: none`,
    );
  });

  // The commands as documented, against this test's own database (a PGlite in memory has no URL).
  if (target === "postgres")
    it("runs as `pnpm db:report`, `db:close-stuck` and `db:retention`", async () => {
      const pnpm = (...args: string[]) =>
        new Promise<string>((resolve, reject) =>
          execFile(
            "pnpm",
            ["-s", ...args],
            { cwd: repoRoot, env: { ...process.env, DATABASE_URL: database.url! }, timeout: 120_000 },
            (error, stdout, stderr) => (error ? reject(new Error(`${args.join(" ")}: ${error.message}\n${stderr}`)) : resolve(stdout)),
          ),
        );
      const json = JSON.parse(await pnpm("db:report", "--json", "--stuck-minutes", "60"));
      expect(json.stuck.total).toBe((await collectReport(db, { stuckMinutes: 60 })).stuck.total);
      expect(await pnpm("db:report")).toMatch(/^Database report: .*\n[\s\S]*Tables, largest first[\s\S]*Migrations: /);
      expect(await pnpm("db:close-stuck", "--minutes", "60", "--tenant", "report-b")).toMatch(
        /report-b: 1 closed[\s\S]*1 executions running since before .* marked failed/,
      );
      expect(await pnpm("db:retention", "--days", "1")).toMatch(/deleted 0 executions and 0 steps created before/);
      await expect(pnpm("db:retention")).rejects.toThrow(/--days N is required/);
    }, 300_000); // five pnpm + tsx start-ups: well over a minute on a busy 2-core machine
});

describe("database report with pg_stat_statements loaded (throwaway cluster)", () => {
  let cluster: ThrowawayCluster;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    cluster = await startThrowawayCluster({ settings: { shared_preload_libraries: "pg_stat_statements" } });
    handle = connectPostgres({ url: cluster.url, max: 2 });
    await handle.migrate();
    await handle.db.execute(sql`create extension pg_stat_statements`);
  });
  afterAll(async () => {
    await handle?.close();
    await cluster?.destroy();
  });

  it("lists the slowest statements of this database by mean time", async () => {
    for (let i = 0; i < 3; i++) await handle.db.execute(sql`select pg_sleep(0.04)`);
    const report = await collectReport(handle.db, { statementLimit: 5 });
    if (!report.slowStatements.available) throw new Error(`expected statements: ${report.slowStatements.reason}`);
    const { statements } = report.slowStatements;
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.length).toBeLessThanOrEqual(5);
    expect(statements.map((s) => s.meanMs)).toEqual(statements.map((s) => s.meanMs).toSorted((x, y) => y - x));
    const sleep = statements.find((s) => s.query.includes("pg_sleep"));
    expect(sleep).toMatchObject({ calls: 3, rows: 3 });
    expect(sleep!.meanMs).toBeGreaterThanOrEqual(40);
    expect(formatReport(report)).toMatch(/mean ms\s+calls\s+total ms\s+rows\s+query[\s\S]*pg_sleep/);
  });
});

describe("docs/operations.md", () => {
  it("shows the report's queries as they run", () => {
    const squash = (s: string) => s.replace(/\s+/g, " ").trim();
    const docs = squash(readFileSync(`${repoRoot}docs/operations.md`, "utf8"));
    const dialect = new PgDialect();
    const queries = {
      ...reportQueries,
      slowestStatements: reportQueries.slowestStatements(10),
      stuckExecutions: reportQueries.stuckExecutions(60),
    };
    for (const [name, query] of Object.entries(queries)) {
      expect(docs, `${name} is not in docs/operations.md as it runs`).toContain(squash(dialect.sqlToQuery(query).sql));
    }
  });
});
