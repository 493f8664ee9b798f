import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { appRole, connectNeon, connectPostgres, queryRows, withTenant } from "../src";
import * as tenancy from "../src/schema/tenancy";
import * as usage from "../src/schema/usage";
import { createTestDatabase, type TestDatabase, testTargets } from "../src/testing";
import { makeAgent, makeTenant, pgErrorCode } from "./support";
import { tableNamesOf, tenantColumnOf, tenantTableState, tenantTables } from "./tenant-catalog";

/** Tenant tables whose rows with a null tenant are global: read by every tenant, written by staff. */
const sharedTables = ["models"];

describe.each(testTargets())("row-level security on %s", (target) => {
  let database: TestDatabase;
  let a: Awaited<ReturnType<typeof makeTenant>>;
  let b: Awaited<ReturnType<typeof makeTenant>>;
  let agentA: string;

  beforeAll(async () => {
    database = await createTestDatabase(target);
    a = await makeTenant(database.db, "tenant-a");
    b = await makeTenant(database.db, "tenant-b");
    agentA = await makeAgent(database.db, a);
    await makeAgent(database.db, b);
  });
  afterAll(() => database?.close());

  it("enables and forces RLS, with the tenant policy for every role, on every table that has a tenant column", async () => {
    const tables = await queryRows<{ table: string; enabled: boolean; forced: boolean; policies: number }>(
      database.db,
      sql`select c.relname as table, c.relrowsecurity as enabled, c.relforcerowsecurity as forced,
                 (select count(*)::int from pg_policy p where p.polrelid = c.oid and p.polname = 'tenant_isolation'
                    and p.polroles = '{0}') as policies
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind = 'r'
            and (exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id')
                 or c.relname = 'tenants')
          order by 1`,
    );
    // The tenant tables are the schema's (every table with a tenant_id column, and tenants): a
    // new one is checked here without editing a list, and the database has no others.
    expect(tables.map((t) => t.table).sort()).toEqual(tenantTables);
    expect(tenantTables).toEqual(
      expect.arrayContaining([
        "agent_execution_steps",
        "agent_executions",
        "agent_usage_daily",
        "agent_usage_stats",
        "agents",
        "spaces",
        "tenant_usage_daily",
        "tenants",
        "users",
      ]),
    );
    for (const t of tables) expect(t, t.table).toMatchObject({ enabled: true, forced: true, policies: 1 });
  });

  it("gives every tenant table the tenant predicate for reads and writes, the staff read policy and the tenant grants", async () => {
    // Identity mirror rows and usage rows are never deleted by the API (usage: only by cascades
    // and, as the owner, by compaction).
    const neverDeleted = [...tableNamesOf(tenancy), ...tableNamesOf(usage)];
    expect(neverDeleted).toEqual(expect.arrayContaining(["tenants", "users", "spaces", "agent_usage_stats", "tenant_usage_daily"]));
    for (const table of tenantTables) {
      const state = await tenantTableState(database.db, table);
      const predicate = `(${tenantColumnOf(table)} = current_setting('app.tenant_id'::text, true))`;
      expect(state.policies, table).toEqual(
        expect.arrayContaining([
          { name: "tenant_isolation", permissive: "PERMISSIVE", roles: ["public"], command: "ALL", using: predicate, check: predicate },
          { name: "staff_read", permissive: "PERMISSIVE", roles: ["agent_builder_admin"], command: "SELECT", using: "true", check: null },
        ]),
      );
      // Staff write only the global rows of a shared table (next test); tenant rows of any table, never.
      expect(state.staff, table).toEqual(sharedTables.includes(table) ? ["DELETE", "INSERT", "SELECT", "UPDATE"] : ["SELECT"]);
      expect(state.app, table).toContain("SELECT");
      for (const privilege of state.app) expect(["DELETE", "INSERT", "SELECT", "UPDATE"], table).toContain(privilege);
      if (neverDeleted.includes(table)) expect(state.app, table).toEqual(["INSERT", "SELECT", "UPDATE"]);
    }
  });

  it("shares the global rows of a shared table (models) with every tenant, and lets only staff write them", async () => {
    const state = await tenantTableState(database.db, "models");
    expect(state.policies).toEqual(
      expect.arrayContaining([
        { name: "shared_read", permissive: "PERMISSIVE", roles: ["public"], command: "SELECT", using: "(tenant_id IS NULL)", check: null },
        {
          name: "staff_write_shared",
          permissive: "PERMISSIVE",
          roles: ["agent_builder_admin"],
          command: "ALL",
          using: "(tenant_id IS NULL)",
          check: "(tenant_id IS NULL)",
        },
      ]),
    );
    expect(state.policies).toHaveLength(4);
    const price = (tenant: string | null, name: string) =>
      sql`insert into models (tenant_id, provider, model_name, match_patterns, input_price, output_price, source)
          values (${tenant}, 'test', ${name}, array[${name}], 1, 2, 'test') returning id`;
    const asStaff = <T>(work: (tx: Parameters<Parameters<typeof database.db.transaction>[0]>[0]) => Promise<T>) =>
      database.db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('role', 'agent_builder_admin', true)`);
        return work(tx);
      });
    const [global] = await asStaff((tx) => queryRows<{ id: string }>(tx, price(null, "rls-global")));
    await withTenant(database.db, a.tenantId, (tx) => tx.execute(price(a.tenantId, "rls-own")));
    const seen = (tenant: string) =>
      withTenant(database.db, tenant, (tx) =>
        queryRows<{ model_name: string }>(tx, sql`select model_name from models where model_name like 'rls-%' order by 1`),
      ).then((rows) => rows.map((r) => r.model_name));
    expect(await seen(a.tenantId)).toEqual(["rls-global", "rls-own"]);
    expect(await seen(b.tenantId)).toEqual(["rls-global"]);
    // A tenant can neither write a global row nor change one; staff cannot write a tenant's row.
    expect(await pgErrorCode(withTenant(database.db, b.tenantId, (tx) => tx.execute(price(null, "rls-forged"))))).toBe("42501");
    const changed = await withTenant(database.db, b.tenantId, (tx) =>
      queryRows(tx, sql`update models set input_price = 0 where id = ${global!.id} returning id`),
    );
    expect(changed).toHaveLength(0);
    expect(await pgErrorCode(asStaff((tx) => tx.execute(price(a.tenantId, "rls-staff-forged"))))).toBe("42501");
    const staffChanged = await asStaff((tx) =>
      queryRows(tx, sql`update models set input_price = 0 where model_name = 'rls-own' returning id`),
    );
    expect(staffChanged).toHaveLength(0);
  });

  it("runs a tenant scope as the app role with the tenant set, and nothing else", async () => {
    const [scope] = await withTenant(database.db, a.tenantId, (tx) =>
      queryRows<{ role: string; tenant: string; timeout: string }>(
        tx,
        sql`select current_user as role, current_setting('app.tenant_id') as tenant, current_setting('statement_timeout') as timeout`,
      ),
    );
    expect(scope).toEqual({ role: appRole, tenant: a.tenantId, timeout: "10s" });
  });

  it("takes a tenant id that is not a plain value as a parameter, never as SQL", async () => {
    // Token tenant ids are plain (letters, digits, _ . : -) and go into the one-round-trip opening
    // as literals; anything else is sent as a bound parameter after BEGIN instead.
    const hostile = "x', true), set_config('role', 'postgres', true) --";
    const [scope] = await withTenant(database.db, hostile, (tx) =>
      queryRows<{ role: string; tenant: string; agents: number }>(
        tx,
        sql`select current_user as role, current_setting('app.tenant_id') as tenant, (select count(*)::int from agents) as agents`,
      ),
    );
    expect(scope).toEqual({ role: appRole, tenant: hostile, agents: 0 });
  });

  it("runs staff requests as a role without BYPASSRLS that owns no table either", async () => {
    const [role] = await queryRows<{ bypass: boolean; superuser: boolean; owned: number }>(
      database.db,
      sql`select r.rolbypassrls as bypass, r.rolsuper as superuser,
                 (select count(*)::int from pg_class c where c.relowner = r.oid) as owned
          from pg_roles r where r.rolname = 'agent_builder_admin'`,
    );
    expect(role).toEqual({ bypass: false, superuser: false, owned: 0 });
  });

  it("runs requests as a role without BYPASSRLS that owns no table", async () => {
    const [role] = await queryRows<{ bypass: boolean; superuser: boolean; owned: number }>(
      database.db,
      sql`select r.rolbypassrls as bypass, r.rolsuper as superuser,
                 (select count(*)::int from pg_class c where c.relowner = r.oid) as owned
          from pg_roles r where r.rolname = ${appRole}`,
    );
    expect(role).toEqual({ bypass: false, superuser: false, owned: 0 });
  });

  it("shows each tenant only its own rows, table by table", async () => {
    for (const [tenant, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const seen = await withTenant(database.db, tenant.tenantId, (tx) =>
        queryRows<{ tenants: string[] }>(
          tx,
          sql`select array(select distinct tenant_id from (
                select id as tenant_id from tenants union all select tenant_id from users
                union all select tenant_id from spaces union all select tenant_id from agents
                union all select tenant_id from agent_usage_stats) s) as tenants`,
        ),
      );
      expect(seen[0]!.tenants).toEqual([tenant.tenantId]);
      expect(seen[0]!.tenants).not.toContain(other.tenantId);
    }
  });

  it("lets only the staff role read across tenants, and never write tenant data", async () => {
    const asStaff = <T>(work: (tx: Parameters<Parameters<typeof database.db.transaction>[0]>[0]) => Promise<T>) =>
      database.db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('role', 'agent_builder_admin', true)`);
        return work(tx);
      });
    const [seen] = await asStaff((tx) =>
      queryRows<{ tenants: number; agents: number }>(
        tx,
        sql`select (select count(*)::int from tenants) as tenants, (select count(*)::int from agents) as agents`,
      ),
    );
    expect(seen).toEqual({ tenants: 2, agents: 2 });
    expect(
      await pgErrorCode(
        asStaff((tx) => tx.execute(sql`insert into spaces (id, tenant_id, name) values (gen_random_uuid(), ${a.tenantId}, 'x')`)),
      ),
    ).toBe("42501");
    expect(await pgErrorCode(asStaff((tx) => tx.execute(sql`delete from agents`)))).toBe("42501");
    expect(await pgErrorCode(asStaff((tx) => tx.execute(sql`update agents set name = 'x'`)))).toBe("42501");
    expect(await pgErrorCode(asStaff((tx) => tx.execute(sql`delete from admin_audit_log`)))).toBe("42501");
    // The audit log is invisible and unwritable for tenant requests.
    expect(await pgErrorCode(withTenant(database.db, a.tenantId, (tx) => tx.execute(sql`select * from admin_audit_log`)))).toBe("42501");
  });

  it("sees zero rows when no tenant is set, even as the app role", async () => {
    const counts = await database.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('role', ${appRole}, true)`);
      return queryRows<{ n: number }>(tx, sql`select (select count(*) from agents) + (select count(*) from tenants) as n`);
    });
    expect(Number(counts[0]!.n)).toBe(0);
  });

  it("rejects writing a row into another tenant", async () => {
    const code = await pgErrorCode(
      withTenant(database.db, a.tenantId, (tx) =>
        tx.execute(sql`insert into spaces (id, tenant_id, name) values (gen_random_uuid(), ${b.tenantId}, 'x')`),
      ),
    );
    expect(code).toBe("42501");
  });

  it("cannot update or delete another tenant's rows (they are invisible)", async () => {
    const changed = await withTenant(database.db, b.tenantId, async (tx) => {
      const updated = await queryRows(tx, sql`update agents set name = 'stolen' where id = ${agentA} returning id`);
      const deleted = await queryRows(tx, sql`delete from agents where id = ${agentA} returning id`);
      return updated.length + deleted.length;
    });
    expect(changed).toBe(0);
    const [agent] = await withTenant(database.db, a.tenantId, (tx) =>
      queryRows<{ name: string }>(tx, sql`select name from agents where id = ${agentA}`),
    );
    expect(agent!.name).toBe("Agent");
  });

  it("composite foreign keys reject an agent pointing at another tenant's space or user", async () => {
    const insertAgent = (spaceId: string, ownerId: string) =>
      withTenant(database.db, a.tenantId, (tx) =>
        tx.execute(sql`insert into agents (tenant_id, name, owner_id, space_id, llm_config)
                       values (${a.tenantId}, 'x', ${ownerId}, ${spaceId}, '{}')`),
      );
    expect(await pgErrorCode(insertAgent(b.spaceId, a.userId))).toBe("23503");
    expect(await pgErrorCode(insertAgent(a.spaceId, b.userId))).toBe("23503");
  });

  it("composite foreign keys reject an execution of another tenant's agent", async () => {
    const code = await pgErrorCode(
      withTenant(database.db, b.tenantId, (tx) =>
        tx.execute(sql`insert into agent_executions (tenant_id, agent_id, user_id, input_data)
                       values (${b.tenantId}, ${agentA}, ${b.userId}, '{}')`),
      ),
    );
    expect(code).toBe("23503");
  });

  // PGlite has one connection and no pool; the leak this guards against is a pooled-server one.
  if (target !== "pglite")
    it("does not leak the tenant or role into the next transaction on a pooled connection", async () => {
      const connect = target === "neon" ? connectNeon : connectPostgres;
      const single = connect({ url: database.url!, max: 1 });
      try {
        await withTenant(single.db, a.tenantId, (tx) => tx.execute(sql`select 1`));
        const [after] = await queryRows<{ tenant: string | null; role: string }>(
          single.db,
          sql`select current_setting('app.tenant_id', true) as tenant, current_user as role`,
        );
        expect(after!.tenant ?? "").toBe("");
        expect(after!.role).not.toBe(appRole);
      } finally {
        await single.close();
      }
    });
});
