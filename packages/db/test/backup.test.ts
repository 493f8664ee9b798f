import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  connectPostgres,
  type Database,
  type DatabaseHandle,
  migrationStatus,
  queryRows,
  seedDemoData,
  shippedMigrations,
  sql,
  withStaff,
  withTenant,
} from "../src";
import { dumpDatabase, restoreDatabase } from "../src/operations/backup";
import { createTestDatabase, schemaTenantTables, type TestDatabase, testTargets } from "../src/testing";
import { pgErrorCode } from "./support";

/**
 * Backup and restore of the whole database with pg_dump / pg_restore (the commands of
 * docs/operations.md): the demo data dumped, restored into a fresh empty database on the same
 * server (the roles are cluster-wide and exist), then compared table by table, row by row, with
 * the usage per agent, the migration state, and row-level security still separating tenants.
 */
describe.runIf(testTargets().includes("postgres"))("pg_dump and pg_restore of the whole database", () => {
  let source: TestDatabase;
  let restored: DatabaseHandle;
  let restoredName: string;
  const dir = mkdtempSync(join(tmpdir(), "agent-builder-backup-"));
  const dumpFile = join(dir, "agent-builder.dump");
  const timings: Record<string, number> = {};

  const onServer = async (statement: string) => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    source = await createTestDatabase("postgres");
    await seedDemoData(source.db);
    // A staff action too, so the audit log (not a tenant table) has a row to carry over.
    await withStaff(source.db, (tx) =>
      tx.execute(
        sql`insert into admin_audit_log (actor_id, actor_tenant_id, action) values (gen_random_uuid(), 'platform', 'backup.test')`,
      ),
    );

    let started = performance.now();
    await dumpDatabase(source.url!, dumpFile);
    timings.dumpMs = Math.round(performance.now() - started);
    // Named like the test databases, so a crashed run's leftover is dropped by the next run.
    restoredName = `agent_builder_test_${process.env.AGENT_BUILDER_TEST_RUN}_restored_${process.pid}_${Date.now()}`;
    await onServer(`create database ${restoredName} template template0`);
    const url = new URL(source.url!);
    url.pathname = `/${restoredName}`;
    started = performance.now();
    await restoreDatabase(dumpFile, url.toString());
    timings.restoreMs = Math.round(performance.now() - started);
    restored = connectPostgres({ url: url.toString(), max: 4 });
  });
  afterAll(async () => {
    console.log(`backup: dump ${statSync(dumpFile, { throwIfNoEntry: false })?.size ?? 0} bytes, ${JSON.stringify(timings)}`);
    await restored?.close();
    if (restoredName) await onServer(`drop database if exists ${restoredName} with (force)`);
    await source?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every table of the application and of drizzle, with its row count and a hash of all its rows (as superuser: no RLS). */
  const contents = async (db: Database) => {
    const tables = await queryRows<{ name: string }>(
      db,
      sql`select schemaname || '.' || tablename as name from pg_tables where schemaname in ('public', 'drizzle') order by 1`,
    );
    const result: Record<string, { rows: number; hash: string | null }> = {};
    for (const { name } of tables) {
      const [row] = await queryRows<{ rows: number; hash: string | null }>(
        db,
        sql`select count(*)::int as rows, md5(string_agg(to_jsonb(t)::text, '|' order by to_jsonb(t)::text)) as hash from ${sql.raw(name)} t`,
      );
      result[name] = row!;
    }
    return result;
  };

  const usagePerAgent = (db: Database) =>
    queryRows(
      db,
      sql`select agent_id, sum(total_executions)::int as executions, sum(successful_executions)::int as succeeded, sum(failed_executions)::int as failed,
                 sum(total_tokens)::text as tokens, sum(total_cost_usd)::text as cost, sum(total_duration_ms)::text as duration, max(last_executed_at) as last
          from agent_usage_stats group by agent_id order by agent_id`,
    );

  it("restores every table with the same rows", async () => {
    const before = await contents(source.db);
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining(["public.agent_executions", "public.admin_audit_log", "drizzle.__drizzle_migrations"]),
    );
    expect(before["public.agent_executions"]!.rows).toBeGreaterThan(400);
    expect(await contents(restored.db)).toEqual(before);
  });

  it("restores the usage per agent and the migration state", async () => {
    const usage = await usagePerAgent(source.db);
    expect(usage).toHaveLength(20);
    expect(await usagePerAgent(restored.db)).toEqual(usage);
    expect(await migrationStatus(restored.db)).toEqual({
      current: shippedMigrations.at(-1)!.tag,
      appliedCount: shippedMigrations.length,
      pending: [],
    });
  });

  it("keeps row-level security: a tenant sees only itself, staff read all and write nothing, tenants never see the audit log", async () => {
    const seen = (db: Database, tenantId: string) =>
      withTenant(db, tenantId, (tx) =>
        queryRows<{ tenants: string[]; executions: number }>(
          tx,
          sql`select array(select distinct tenant_id from (
                select id as tenant_id from tenants union all select tenant_id from agents
                union all select tenant_id from agent_executions union all select tenant_id from agent_usage_stats) s order by 1) as tenants,
              (select count(*)::int from agent_executions) as executions`,
        ),
      ).then((rows) => rows[0]!);
    for (const tenantId of ["acme", "globex"]) {
      const after = await seen(restored.db, tenantId);
      expect(after.tenants).toEqual([tenantId]);
      expect(after).toEqual(await seen(source.db, tenantId));
    }
    expect((await seen(restored.db, "nobody")).executions).toBe(0);
    const [staff] = await withStaff(restored.db, (tx) =>
      queryRows<{ tenants: number }>(tx, sql`select count(*)::int as tenants from tenants`),
    );
    expect(staff!.tenants).toBe(2);
    expect(await pgErrorCode(withStaff(restored.db, (tx) => tx.execute(sql`delete from agent_executions`)))).toBe("42501");
    expect(await pgErrorCode(withTenant(restored.db, "acme", (tx) => tx.execute(sql`select * from admin_audit_log`)))).toBe("42501");
    const flags = await queryRows<{ table: string; forced: boolean }>(
      restored.db,
      sql`select relname as table, relforcerowsecurity as forced from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r' and relrowsecurity order by 1`,
    );
    // Every tenant table of the schema, and the staff audit log.
    expect(flags.map((f) => f.table)).toEqual([...schemaTenantTables.map((t) => t.name), "admin_audit_log"].toSorted());
    expect(flags.every((f) => f.forced)).toBe(true);
  });

  it("keeps the triggers: a run finished on the restored database is counted", async () => {
    const [agent] = await withTenant(restored.db, "acme", (tx) =>
      queryRows<{ id: string; owner: string }>(
        tx,
        sql`select id, owner_id as owner from agents where status = 'active' order by id limit 1`,
      ),
    );
    const total = async () =>
      (
        await withTenant(restored.db, "acme", (tx) =>
          queryRows<{ agent: number; tenant: number }>(
            tx,
            sql`select (select sum(total_executions)::int from agent_usage_stats where agent_id = ${agent!.id}::uuid) as agent,
                     (select sum(total_executions)::int from tenant_usage_daily) as tenant`,
          ),
        )
      )[0]!;
    const before = await total();
    await withTenant(restored.db, "acme", (tx) =>
      tx.execute(sql`insert into agent_executions (tenant_id, agent_id, user_id, input_data, status, completed_at, duration_ms)
                     values ('acme', ${agent!.id}::uuid, ${agent!.owner}::uuid, '{}', 'succeeded', now(), 10)`),
    );
    expect(await total()).toEqual({ agent: before.agent + 1, tenant: before.tenant + 1 });
  });
});
