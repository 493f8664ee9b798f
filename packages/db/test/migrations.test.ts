import { existsSync } from "node:fs";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { appliedMigrations, migrationsFolder, queryRows, readJournal, rollbackLast } from "../src";
import { createTestDatabase, testTargets, type TestDatabase } from "../src/testing";

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
});
