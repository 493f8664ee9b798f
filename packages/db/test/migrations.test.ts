import { existsSync } from "node:fs";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { appliedMigrations, migrationsFolder, queryRows, readJournal, rollbackLast } from "../src";
import { createTestDatabase, type TestDatabase, testTargets } from "../src/testing";
import { makeAgent, makeTenant } from "./support";

describe.each(testTargets())("migrations on %s", (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(target);
  });
  afterAll(() => database?.close());

  const publicTables = async () =>
    (
      await queryRows<{ tablename: string }>(
        database.db,
        sql`select tablename from pg_tables where schemaname = 'public' order by tablename`,
      )
    ).map((r) => r.tablename);

  it("has a rollback file for every migration", () => {
    for (const entry of readJournal()) {
      expect(existsSync(`${migrationsFolder}/down/${entry.tag}.sql`), entry.tag).toBe(true);
    }
  });

  it("runs up → down → up and ends where it started", async () => {
    const journal = readJournal().map((e) => e.tag);
    expect(await appliedMigrations(database.db)).toEqual(journal);
    const tablesBefore = await publicTables();
    expect(tablesBefore).toContain("agents");
    const catalogBefore = await catalog();

    for (const tag of [...journal].reverse()) expect(await rollbackLast(database.db)).toBe(tag);
    expect(await rollbackLast(database.db)).toBeNull();
    expect(await appliedMigrations(database.db)).toEqual([]);
    expect(await publicTables()).toEqual([]);
    const leftovers = await queryRows<{ name: string }>(
      database.db,
      sql`select proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'
          union all select typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
            where n.nspname = 'public' and t.typtype = 'e'`,
    );
    expect(leftovers).toEqual([]);

    await database.migrate();
    expect(await appliedMigrations(database.db)).toEqual(journal);
    expect(await publicTables()).toEqual(tablesBefore);
    expect(await catalog()).toEqual(catalogBefore);
  });

  /** Everything the migrations create, as text: tables, columns, indexes, policies, triggers, functions, grants. */
  const catalog = async () =>
    (
      await queryRows<{ item: string }>(
        database.db,
        sql`select 'column ' || table_name || '.' || column_name || ' ' || data_type as item
              from information_schema.columns where table_schema = 'public'
            union all select 'index ' || indexname from pg_indexes where schemaname = 'public'
            union all select 'policy ' || tablename || '.' || policyname || ' ' || array_to_string(roles, ',') from pg_policies where schemaname = 'public'
            union all select 'trigger ' || tgname from pg_trigger t join pg_class c on c.oid = t.tgrelid
              join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and not t.tgisinternal
            union all select 'function ' || proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'
            union all select 'grant ' || grantee || ' ' || table_name || ' ' || privilege_type
              from information_schema.role_table_grants where table_schema = 'public' and grantee like 'agent_builder%'
            order by 1`,
      )
    ).map((r) => r.item);

  it("rolls back one step at a time and re-applies only that step", async () => {
    const journal = readJournal().map((e) => e.tag);
    const before = await catalog();
    expect(await rollbackLast(database.db)).toBe(journal.at(-1));
    expect(await appliedMigrations(database.db)).toEqual(journal.slice(0, -1));
    expect(await catalog()).not.toEqual(before);
    await database.migrate();
    expect(await appliedMigrations(database.db)).toEqual(journal);
    expect(await catalog()).toEqual(before);
  });

  it("0007 backfills the tenant rollup from the agent rollups, slot for slot, and the trigger keeps both", async () => {
    const tag = "0007_tenant_usage_daily";
    const tenant = await makeTenant(database.db, "backfill");
    const agents = [await makeAgent(database.db, tenant), await makeAgent(database.db, tenant)];
    /** Finished executions, started 0..n-1 days ago, counted by whichever usage trigger is installed. */
    const finish = (agentId: string, n: number) =>
      database.db.execute(sql`insert into agent_executions (tenant_id, agent_id, user_id, input_data, status, started_at, completed_at, duration_ms, input_tokens, output_tokens, cost_usd)
                              select ${tenant.tenantId}, ${agentId}::uuid, ${tenant.userId}::uuid, '{}', (array['succeeded', 'failed', 'cancelled']::execution_status[])[1 + g % 3],
                                     now() - g * interval '1 day', now() - g * interval '1 day' + interval '1 second', 1000 + g, 10 + g, g, 0.000123 * g
                              from generate_series(0, ${n - 1}::int) g`);
    const counters = `total_executions, successful_executions, failed_executions, cancelled_executions, input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms`;
    const sums = counters
      .split(", ")
      .map((c) => `sum(${c}) as ${c}`)
      .join(", ");
    /** Tenant rows that differ from the agent rows summed per tenant, day and slot; empty when they agree. */
    const mismatches = () =>
      queryRows(
        database.db,
        sql.raw(`(select tenant_id, day, slot, ${sums} from agent_usage_daily group by 1, 2, 3
                  except select tenant_id, day, slot, ${counters} from tenant_usage_daily)
                 union all
                 (select tenant_id, day, slot, ${counters} from tenant_usage_daily
                  except select tenant_id, day, slot, ${sums} from agent_usage_daily group by 1, 2, 3)`),
      );

    await finish(agents[0]!, 5);
    while ((await appliedMigrations(database.db)).includes(tag)) await rollbackLast(database.db);
    // Counted by the previous trigger into the agent rows only, then backfilled.
    await finish(agents[0]!, 20);
    await finish(agents[1]!, 7);
    await database.migrate();
    const [rows] = await queryRows<{ n: number; total: number }>(
      database.db,
      sql`select count(*)::int as n, sum(total_executions)::int as total from tenant_usage_daily where tenant_id = ${tenant.tenantId}`,
    );
    expect(rows!.total).toBe(5 + 20 + 7);
    expect(rows!.n).toBeGreaterThan(20); // several slots on some days
    expect(await mismatches()).toEqual([]);
    // The new trigger counts into both.
    await finish(agents[1]!, 3);
    expect(await mismatches()).toEqual([]);
  });
});
