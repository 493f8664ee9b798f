import type { TRPCRouterRecord } from "@trpc/server";

import {
  type AdminTenant,
  type AdminTenantList,
  adminTenantInput,
  adminTenantListSchema,
  adminTenantSchema,
} from "@agent-builder/contracts";
import { queryRows, sql, type Tx } from "@agent-builder/db";

import type { Caller } from "../auth";
import { notFound } from "../errors";
import { adminProcedure } from "../trpc";
import { usageFor } from "../usage/service";
import { scopeOf } from "./scope";

/** Tenants as staff see them: the light list (pickers) and one tenant in full. */
export const tenantStaffProcedures = {
  tenants: adminProcedure.output(adminTenantListSchema).query(({ ctx }) => listTenants(ctx.tx)),

  tenant: adminProcedure
    .input(adminTenantInput)
    .output(adminTenantSchema)
    .query(({ ctx, input }) => tenantDetail(ctx.tx, ctx.caller, input.tenantId)),
} satisfies TRPCRouterRecord;

/** Every tenant with its agent count, by name: one statement, no usage rollups read. */
export async function listTenants(tx: Tx): Promise<AdminTenantList> {
  const tenants = await queryRows<Omit<AdminTenantList["tenants"][number], "createdAt"> & { createdAt: string | Date }>(
    tx,
    sql`select t.id, t.name, t.created_at as "createdAt",
               (select count(*)::int from agents a where a.tenant_id = t.id) as "agentCount"
        from tenants t
        order by coalesce(t.name, t.id), t.id`,
  );
  return { tenants: tenants.map((t) => ({ ...t, createdAt: new Date(t.createdAt).toISOString() })) };
}

export async function tenantDetail(tx: Tx, actor: Caller, tenantId: string): Promise<AdminTenant> {
  const [tenant] = await queryRows<AdminTenant["tenant"]>(
    tx,
    sql`select id, name, created_at as "createdAt" from tenants where id = ${tenantId}`,
  );
  if (!tenant) throw notFound("tenant", tenantId);
  const spaces = await queryRows<AdminTenant["spaces"][number]>(
    tx,
    sql`select s.id, s.name, (select count(*)::int from agents a where a.tenant_id = s.tenant_id and a.space_id = s.id) as "agentCount"
        from spaces s where s.tenant_id = ${tenantId} order by s.name, s.id`,
  );
  const users = await queryRows<AdminTenant["users"][number]>(
    tx,
    sql`select id, email, display_name as "displayName", role from users where tenant_id = ${tenantId} order by coalesce(display_name, email, id::text)`,
  );
  const usage = await usageFor(tx, scopeOf(actor, tenantId), { kind: "tenant" });
  return { ...usage, tenant: { ...tenant, createdAt: new Date(tenant.createdAt).toISOString() }, spaces, users };
}
