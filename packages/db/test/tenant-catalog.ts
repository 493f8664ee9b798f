import { is, sql } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";

import { appRole, type Database, queryRows, staffRole } from "../src";
import { schemaTenantTables } from "../src/testing";

const tablesOf = (module: Record<string, unknown>) =>
  Object.values(module)
    .filter((value): value is PgTable => is(value, PgTable))
    .map((table) => getTableConfig(table));

/**
 * The tables row-level security isolates, from the Drizzle schema: every table with a
 * `tenant_id` column, and `tenants` itself (its `id` is the tenant). A table added to the schema
 * is checked without editing a list. The one derivation is `schemaTenantTables` (src/testing.ts),
 * which the API's tenant snapshots use too.
 */
export const tenantTables: string[] = schemaTenantTables.map((t) => t.name);

/** Table names of one schema module (e.g. the identity tables of `schema/tenancy.ts`). */
export const tableNamesOf = (module: Record<string, unknown>) => tablesOf(module).map((t) => t.name);

/** The column the tenant policy compares with the request's tenant. */
export const tenantColumnOf = (table: string) => (table === "tenants" ? "id" : "tenant_id");

/** The two policies `make_tenant_table` creates; a table may have more of its own (agents: staff_update). */
export const tenantTablePolicies = ["staff_read", "tenant_isolation"];

export interface TenantTableState {
  enabled: boolean;
  forced: boolean;
  policies: { name: string; permissive: string; roles: string[]; command: string; using: string | null; check: string | null }[];
  /** Table-level privileges of the app role and of the staff role, from the table's ACL. */
  app: string[];
  staff: string[];
}

/** What makes a table a tenant table, read from the catalog: RLS flags, policies, grants. */
export async function tenantTableState(db: Pick<Database, "execute">, table: string): Promise<TenantTableState> {
  const [flags] = await queryRows<{ enabled: boolean; forced: boolean }>(
    db,
    sql`select relrowsecurity as enabled, relforcerowsecurity as forced from pg_class where oid = ${table}::regclass`,
  );
  const policies = await queryRows<TenantTableState["policies"][number]>(
    db,
    sql`select policyname as name, permissive, roles::text[] as roles, cmd as command, qual as using, with_check as check
        from pg_policies where schemaname = 'public' and tablename = ${table} order by policyname`,
  );
  const privileges = (role: string) =>
    queryRows<{ privilege: string }>(
      db,
      sql`select a.privilege_type as privilege from pg_class c, aclexplode(c.relacl) a
          where c.oid = ${table}::regclass and a.grantee = (select oid from pg_roles where rolname = ${role})
          order by 1`,
    ).then((rows) => rows.map((r) => r.privilege));
  return { enabled: flags!.enabled, forced: flags!.forced, policies, app: await privileges(appRole), staff: await privileges(staffRole) };
}
