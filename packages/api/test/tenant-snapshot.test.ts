import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { queryRows, sql } from "@agent-builder/db";

import { createHarness, databaseSnapshot, type Harness, newAgent, type TestTenant, tenantSnapshot } from "./support";

/**
 * The snapshots the isolation, BOLA and mass-assignment tests compare before and after: they
 * must hold every tenant table (from the schema, so a new domain's table is in without editing a
 * list) and order each table's rows, so equal contents always give equal text.
 */
describe("tenant snapshots", () => {
  let h: Harness;
  let a: TestTenant;
  const tablesIn = (snapshot: string) => snapshot.split("\n").map((line) => line.slice(0, line.indexOf(":")));

  beforeAll(async () => {
    h = await createHarness("pglite");
    a = await h.tenant("snapshot-a");
    await newAgent(a);
  });
  afterAll(() => h?.close());

  it("cover every table of the database that holds a tenant's rows", async () => {
    const withTenant = await queryRows<{ table: string }>(
      h.database.db,
      sql`select c.relname as table from pg_class c
          where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
            and (c.relname = 'tenants' or exists (select 1 from pg_attribute x where x.attrelid = c.oid and x.attname = 'tenant_id'))
          order by 1`,
    );
    const tables = withTenant.map((t) => t.table);
    expect(tables).toEqual(expect.arrayContaining(["agent_executions", "agents", "spaces", "tenants", "users"]));
    expect(tablesIn(await tenantSnapshot(h, a.tenantId))).toEqual(tables);
    expect(tablesIn(await databaseSnapshot(h))).toEqual(tables);
  });

  it("see a change to any of them, the tenant's own row included", async () => {
    const before = await tenantSnapshot(h, a.tenantId);
    await h.database.db.execute(sql`update tenants set name = 'renamed' where id = ${a.tenantId}`);
    expect(await tenantSnapshot(h, a.tenantId)).not.toBe(before);
  });

  it("order rows by primary key, whatever order they were written or stored in", async () => {
    // Written in an order that is neither the ids' nor the names' (the (tenant_id, name) index's).
    const ids = ["ffffffff-0000-4000-8000-000000000000", "00000000-0000-4000-8000-00000000000f", "88888888-0000-4000-8000-000000000000"];
    for (const [i, id] of ids.entries())
      await h.database.db.execute(sql`insert into spaces (id, tenant_id, name) values (${id}, ${a.tenantId}, ${`space ${i}`})`);
    const spacesIn = (snapshot: string) => {
      const line = snapshot.split("\n").find((l) => l.startsWith("spaces: "));
      return (JSON.parse(line?.slice("spaces: ".length) ?? "[]") as { id: string }[]).map((space) => space.id);
    };
    const before = await tenantSnapshot(h, a.tenantId);
    expect(spacesIn(before)).toEqual(expect.arrayContaining(ids));
    expect(spacesIn(before)).toEqual(spacesIn(before).toSorted());
    // Deleted and put back as it was: the same row, now last in the table's physical order.
    await h.database.db.execute(
      sql`with moved as (delete from spaces where id = ${ids[1]} returning *) insert into spaces select * from moved`,
    );
    expect(await tenantSnapshot(h, a.tenantId)).toBe(before);
  });
});
