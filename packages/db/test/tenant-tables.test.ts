import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { appRole, queryRows, withStaff, withTenant } from "../src";
import { createTestDatabase, type TestDatabase, testTargets } from "../src/testing";
import { makeTenant, pgErrorCode } from "./support";
import { tenantTablePolicies, tenantTableState, tenantTables } from "./tenant-catalog";

/**
 * `make_tenant_table(table, app privileges)` (migration 0008, packages/db/sql/functions) is the
 * one way a new table becomes a tenant table. A scratch table made one here must end up exactly
 * like the tenant tables the earlier migrations made by hand, and hold tenants apart the same way.
 */
describe.each(testTargets())("make_tenant_table on %s", (target) => {
  let database: TestDatabase;
  let a: Awaited<ReturnType<typeof makeTenant>>;
  let b: Awaited<ReturnType<typeof makeTenant>>;

  /** A new table as a migration would create it, made a tenant table with the one call. */
  const createTenantTable = async (table: string, appPrivileges: string) => {
    await database.db.execute(
      sql.raw(
        `create table ${table} (id uuid primary key default gen_random_uuid(), tenant_id text not null references tenants (id), body text)`,
      ),
    );
    await database.db.execute(sql`select make_tenant_table(${table}, ${appPrivileges})`);
  };

  beforeAll(async () => {
    database = await createTestDatabase(target);
    a = await makeTenant(database.db, "tenant-a");
    b = await makeTenant(database.db, "tenant-b");
    await createTenantTable("scratch_notes", "SELECT, INSERT, UPDATE, DELETE");
    await createTenantTable("scratch_tallies", "select, insert, update");
  });
  afterAll(() => database?.close());

  it("gives a new table exactly the catalog state of the tenant tables the migrations made", async () => {
    const scratchFor = new Map([
      ["DELETE, INSERT, SELECT, UPDATE", "scratch_notes"],
      ["INSERT, SELECT, UPDATE", "scratch_tallies"],
    ]);
    const compared: string[] = [];
    for (const table of tenantTables.filter((t) => t !== "tenants")) {
      const state = await tenantTableState(database.db, table);
      const scratch = scratchFor.get(state.app.join(", "));
      expect(scratch, `${table}'s app privileges ${state.app.join(", ")}`).toBeDefined();
      const own = {
        ...state,
        policies: state.policies.filter((p) => tenantTablePolicies.includes(p.name)),
        // A shared table's staff also write its global rows (row-level-security.test.ts checks that).
        ...(table === "models" && { staff: state.staff.filter((privilege) => privilege === "SELECT") }),
      };
      expect(own, table).toEqual(await tenantTableState(database.db, scratch!));
      compared.push(table);
    }
    expect(compared).toEqual(expect.arrayContaining(["agent_executions", "agents", "spaces", "tenant_usage_daily", "users"]));
    // Spelled out once, so the comparison above cannot pass with both sides equally wrong.
    expect(await tenantTableState(database.db, "scratch_notes")).toEqual({
      enabled: true,
      forced: true,
      policies: [
        { name: "staff_read", permissive: "PERMISSIVE", roles: ["agent_builder_admin"], command: "SELECT", using: "true", check: null },
        {
          name: "tenant_isolation",
          permissive: "PERMISSIVE",
          roles: ["public"],
          command: "ALL",
          using: "(tenant_id = current_setting('app.tenant_id'::text, true))",
          check: "(tenant_id = current_setting('app.tenant_id'::text, true))",
        },
      ],
      app: ["DELETE", "INSERT", "SELECT", "UPDATE"],
      staff: ["SELECT"],
    });
  });

  it("changes nothing when called again", async () => {
    const before = await tenantTableState(database.db, "scratch_notes");
    await database.db.execute(sql`select make_tenant_table('scratch_notes', 'SELECT, INSERT, UPDATE, DELETE')`);
    expect(await tenantTableState(database.db, "scratch_notes")).toEqual(before);
  });

  it("shows the app role only its tenant's rows, and none without a tenant", async () => {
    await withTenant(database.db, a.tenantId, (tx) =>
      tx.execute(sql`insert into scratch_notes (tenant_id, body) values (${a.tenantId}, 'a1'), (${a.tenantId}, 'a2')`),
    );
    await withTenant(database.db, b.tenantId, (tx) =>
      tx.execute(sql`insert into scratch_notes (tenant_id, body) values (${b.tenantId}, 'b1')`),
    );
    const seen = (tenantId: string) =>
      withTenant(database.db, tenantId, (tx) =>
        queryRows<{ tenant_id: string; body: string }>(tx, sql`select tenant_id, body from scratch_notes order by body`),
      );
    expect(await seen(a.tenantId)).toEqual([
      { tenant_id: a.tenantId, body: "a1" },
      { tenant_id: a.tenantId, body: "a2" },
    ]);
    expect(await seen(b.tenantId)).toEqual([{ tenant_id: b.tenantId, body: "b1" }]);
    // Outside a request the setting reads '' (or NULL): no tenant's rows.
    const [none] = await database.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', ${appRole}, true)`);
      return queryRows<{ n: number }>(tx, sql`select count(*)::int as n from scratch_notes`);
    });
    expect(none!.n).toBe(0);
  });

  it("keeps the app role out of other tenants' rows, for writes too", async () => {
    expect(
      await pgErrorCode(
        withTenant(database.db, a.tenantId, (tx) =>
          tx.execute(sql`insert into scratch_notes (tenant_id, body) values (${b.tenantId}, 'x')`),
        ),
      ),
    ).toBe("42501");
    const changed = await withTenant(database.db, b.tenantId, async (tx) => {
      const updated = await queryRows(tx, sql`update scratch_notes set body = 'stolen' where tenant_id = ${a.tenantId} returning id`);
      const deleted = await queryRows(tx, sql`delete from scratch_notes where tenant_id = ${a.tenantId} returning id`);
      return updated.length + deleted.length;
    });
    expect(changed).toBe(0);
    // Moving one's own row to another tenant fails the WITH CHECK.
    expect(
      await pgErrorCode(withTenant(database.db, b.tenantId, (tx) => tx.execute(sql`update scratch_notes set tenant_id = ${a.tenantId}`))),
    ).toBe("42501");
  });

  it("grants the app role only the privileges listed", async () => {
    await withTenant(database.db, a.tenantId, (tx) => tx.execute(sql`insert into scratch_tallies (tenant_id) values (${a.tenantId})`));
    expect(await pgErrorCode(withTenant(database.db, a.tenantId, (tx) => tx.execute(sql`delete from scratch_tallies`)))).toBe("42501");
    expect(await pgErrorCode(withTenant(database.db, a.tenantId, (tx) => tx.execute(sql`truncate scratch_notes`)))).toBe("42501");
  });

  it("lets the staff role read every tenant's rows and write none", async () => {
    const [seen] = await withStaff(database.db, (tx) =>
      queryRows<{ tenants: string[] }>(tx, sql`select array_agg(distinct tenant_id order by tenant_id) as tenants from scratch_notes`),
    );
    expect(seen!.tenants).toEqual([a.tenantId, b.tenantId]);
    expect(
      await pgErrorCode(withStaff(database.db, (tx) => tx.execute(sql`insert into scratch_notes (tenant_id) values (${a.tenantId})`))),
    ).toBe("42501");
    expect(await pgErrorCode(withStaff(database.db, (tx) => tx.execute(sql`update scratch_notes set body = 'x'`)))).toBe("42501");
  });

  it("refuses a table without a tenant_id column and privileges beyond the four DML ones", async () => {
    await database.db.execute(sql`create table scratch_untenanted (id uuid primary key, body text)`);
    expect(await pgErrorCode(database.db.execute(sql`select make_tenant_table('scratch_untenanted', 'SELECT')`))).toBe("P0001");
    expect(await pgErrorCode(database.db.execute(sql`select make_tenant_table('scratch_notes', 'SELECT, TRUNCATE')`))).toBe("P0001");
    expect(await pgErrorCode(database.db.execute(sql`select make_tenant_table('scratch_notes', '')`))).toBe("P0001");
    expect(await tenantTableState(database.db, "scratch_untenanted")).toMatchObject({
      enabled: false,
      forced: false,
      policies: [],
      app: [],
    });
  });
});
