import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  type Database,
  deleteOldExecutions,
  exportTenant,
  importTenant,
  queryRows,
  seedDemoData,
  sql,
  tenantTables,
  withStaff,
  withTenant,
} from "../src";
import { createTestDatabase, type TestDatabase, testTargets } from "../src/testing";
import { pgErrorCode } from "./support";

/**
 * One tenant's export (JSON lines) and import into another, freshly migrated database. The
 * source has been through retention, so its lifetime counters cover executions that no longer
 * exist: the import must carry the counters over as they were (a rebuild from the remaining
 * executions would come out lower), while the usage trigger fires on every imported execution.
 */
describe.each(testTargets())("tenant export and import on %s", (target) => {
  let source: TestDatabase;
  let destination: TestDatabase;
  let lines: string[];

  beforeAll(async () => {
    source = await createTestDatabase(target);
    destination = await createTestDatabase(target);
    await seedDemoData(source.db);
    // Executions over 30 days old go; their counts stay in the lifetime and daily rows.
    const retention = await deleteOldExecutions(source.db, { olderThanDays: 30, tenantId: "acme" });
    expect(retention.executions).toBeGreaterThan(50);
    // An agent deleted with its rows: its past usage stays only in the tenant's daily rollup.
    await withTenant(source.db, "acme", (tx) =>
      tx.execute(
        sql`delete from agents where id = (select agent_id from agent_usage_stats group by agent_id having sum(total_executions) > 0 order by sum(total_executions), agent_id limit 1)`,
      ),
    );
    lines = [];
    // Small pages, so the keyset paging of every table is exercised.
    await exportTenant(source.db, "acme", (line) => void lines.push(line), { pageSize: 37 });
  });
  afterAll(async () => {
    await source?.close();
    await destination?.close();
  });

  /** All of a tenant's rows of a table as JSON text, in key order (RLS: as the tenant). */
  const rowsOf = (db: Database, table: string, order: string) =>
    withTenant(db, "acme", (tx) =>
      queryRows<{ rows: string | null }>(
        tx,
        sql`select json_agg(t order by ${sql.raw(order)})::text as rows from ${sql.identifier(table)} t`,
      ),
    ).then((r) => r[0]!.rows);

  /** Counters as readers see them: slots summed per agent, per agent and day, and per tenant day. */
  const usage = (db: Database) =>
    withTenant(db, "acme", (tx) =>
      queryRows<{ lifetime: string; daily: string; tenantDaily: string; counted: number; executions: number }>(
        tx,
        sql`select (select json_agg(s order by agent_id)::text from (
                      select agent_id, sum(total_executions) as total, sum(successful_executions) as ok, sum(failed_executions) as failed,
                             sum(cancelled_executions) as cancelled, sum(input_tokens) as input, sum(output_tokens) as output,
                             sum(total_tokens) as tokens, sum(total_cost_usd) as cost, sum(total_duration_ms) as duration,
                             max(last_executed_at) as last, min(created_at) as created
                      from agent_usage_stats group by agent_id) s) as lifetime,
                   (select json_agg(d order by agent_id, day)::text from (
                      select agent_id, day, sum(total_executions) as total, sum(failed_executions) as failed, sum(total_tokens) as tokens,
                             sum(total_cost_usd) as cost, sum(total_duration_ms) as duration
                      from agent_usage_daily group by agent_id, day) d) as daily,
                   (select json_agg(d order by day)::text from (
                      select day, sum(total_executions) as total, sum(failed_executions) as failed, sum(total_tokens) as tokens,
                             sum(total_cost_usd) as cost, sum(total_duration_ms) as duration, min(created_at) as created
                      from tenant_usage_daily group by day) d) as "tenantDaily",
                   (select sum(total_executions)::int from agent_usage_stats) as counted,
                   (select count(*)::int from agent_executions where status <> 'running') as executions`,
      ),
    ).then((r) => r[0]!);

  it("covers every table that has a tenant", async () => {
    const withTenantColumn = await queryRows<{ table: string }>(
      source.db,
      sql`select c.relname as table from pg_class c
          where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
            and (c.relname = 'tenants' or exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id'))
          order by 1`,
    );
    expect([...tenantTables].toSorted()).toEqual(withTenantColumn.map((t) => t.table));
  });

  it("writes a header, the rows in foreign-key order and a trailer with the counts", () => {
    const header = JSON.parse(lines[0]!);
    expect(header).toMatchObject({ format: "agent-builder.tenant-export", version: 1, tenantId: "acme", tables: tenantTables });
    const trailer = JSON.parse(lines.at(-1)!);
    const order = lines.slice(1, -1).map((l) => tenantTables.indexOf(JSON.parse(l).table));
    expect(order).toEqual(order.toSorted((x, y) => x - y));
    expect(lines.slice(1, -1).every((l) => JSON.parse(l).row.tenant_id === "acme" || JSON.parse(l).row.id === "acme")).toBe(true);
    expect(trailer).toEqual({
      end: true,
      rows: Object.fromEntries(tenantTables.map((t) => [t, lines.filter((l) => l.startsWith(`{"table":"${t}"`)).length])),
    });
    expect(trailer.rows.agent_executions).toBeGreaterThan(150); // several pages of 37
  });

  it("imports into a fresh database: every row as it was, and the counters as they were, not recounted", async () => {
    const result = await importTenant(destination.db, lines, { batchSize: 50 });
    expect(result.rows).toEqual(JSON.parse(lines.at(-1)!).rows);

    const keys: Record<string, string> = {
      tenants: "id",
      users: "id",
      spaces: "id",
      agents: "id",
      agent_executions: "id",
      agent_execution_steps: "execution_id, ordinal",
    };
    for (const [table, order] of Object.entries(keys)) {
      const expected = await rowsOf(source.db, table, order);
      expect(expected, table).not.toBeNull();
      expect(await rowsOf(destination.db, table, order), table).toBe(expected);
    }
    const before = await usage(source.db);
    const after = await usage(destination.db);
    expect(after).toEqual(before);
    // Retention made the lifetime counters larger than a recount of what is left: they were carried, not rebuilt.
    expect(after.counted).toBeGreaterThan(after.executions);
    // The tenant's days still count the deleted agent; the agents' rows no longer can.
    const [sums] = await withTenant(destination.db, "acme", (tx) =>
      queryRows<{ agents: number; tenant: number }>(
        tx,
        sql`select (select sum(total_executions)::int from agent_usage_daily) as agents, (select sum(total_executions)::int from tenant_usage_daily) as tenant`,
      ),
    );
    expect(sums!.tenant).toBeGreaterThan(sums!.agents);
    // Only acme came along.
    const tenants = await withStaff(destination.db, (tx) => queryRows<{ id: string }>(tx, sql`select id from tenants`));
    expect(tenants.map((t) => t.id)).toEqual(["acme"]);
  });

  it("refuses a tenant that exists, another migration, an incomplete file, and rows of another tenant; and writes nothing then", async () => {
    const globex: string[] = [];
    await exportTenant(source.db, "globex", (line) => void globex.push(line));
    const headerWith = (change: Record<string, unknown>) => [JSON.stringify({ ...JSON.parse(globex[0]!), ...change }), ...globex.slice(1)];
    const globexRows = () =>
      withStaff(destination.db, (tx) =>
        queryRows<{ n: number }>(tx, sql`select count(*)::int as n from agents where tenant_id = 'globex'`),
      ).then((r) => r[0]!.n);

    await expect(importTenant(destination.db, lines)).rejects.toThrow(/tenant acme already exists/);
    await expect(importTenant(destination.db, headerWith({ migration: "0001_security" }))).rejects.toThrow(
      /made at migration 0001_security; this database is at /,
    );
    await expect(importTenant(destination.db, globex.slice(0, -1))).rejects.toThrow(/no trailer/);
    // A tenant rollup row gone (nothing depends on it; the demo budgets come after it in the file).
    const lastRollup = globex.findLastIndex((l) => l.startsWith('{"table":"tenant_usage_daily"'));
    await expect(
      importTenant(
        destination.db,
        globex.filter((_, i) => i !== lastRollup),
      ),
    ).rejects.toThrow(/the export says \d+ rows of tenant_usage_daily, it holds/);
    const smuggled = globex.map((l) =>
      l.startsWith('{"table":"spaces"') ? l.replaceAll('"tenant_id": "globex"', '"tenant_id": "acme"') : l,
    );
    // Row-level security's WITH CHECK: the import runs as globex and cannot write an acme row.
    expect(await pgErrorCode(importTenant(destination.db, smuggled))).toBe("42501");
    await expect(importTenant(destination.db, [globex[0]!, ...globex.slice(1, -1).toReversed(), globex.at(-1)!])).rejects.toThrow(
      /not in foreign-key order/,
    );
    expect(await globexRows()).toBe(0);

    await importTenant(destination.db, globex);
    expect(await globexRows()).toBe(8);
  });
});
