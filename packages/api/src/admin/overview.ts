import type { TRPCRouterRecord } from "@trpc/server";

import { type AdminOverview, adminOverviewInput, adminOverviewSchema, type StaffMember, staffMemberSchema } from "@agent-builder/contracts";
import { queryRows, sql, type Tx } from "@agent-builder/db";

import type { Caller } from "../auth";
import { adminProcedure } from "../trpc";
import { dailyAcrossTenants, tenantsThisMonth } from "../usage/admin";

/** The panel's landing page: every tenant this month, all of them per day, and who is asking. */
export const overviewProcedures = {
  overview: adminProcedure
    .input(adminOverviewInput)
    .output(adminOverviewSchema)
    .query(({ ctx, input }) => overview(ctx.tx, ctx.caller, input.days)),

  /** Who is asking, alone: what the panel's top bar needs on every page, without the overview's figures. */
  staffMember: adminProcedure.output(staffMemberSchema).query(({ ctx }) => staffMemberOf(ctx.tx, ctx.caller)),
} satisfies TRPCRouterRecord;

/** Month and daily figures come from the tenants' own rollups, as each tenant's usage.tenant and chart do. */
export async function overview(tx: Tx, actor: Caller, days: number): Promise<AdminOverview> {
  const staff = await staffMemberOf(tx, actor);
  const tenants = await tenantsThisMonth(tx);
  const daily = await dailyAcrossTenants(tx, days);
  return {
    staffMember: staff,
    tenants,
    totals: {
      tenants: tenants.length,
      agents: tenants.reduce((n, t) => n + t.agentCount, 0),
      executionsThisMonth: tenants.reduce((n, t) => n + t.executionsThisMonth, 0),
      costThisMonthUsd: Math.round(tenants.reduce((n, t) => n + t.costThisMonthUsd, 0) * 1e6) / 1e6,
    },
    daily,
  };
}

/** The staff member's names from the directory mirror, in one statement; nulls where it has none. */
export async function staffMemberOf(tx: Tx, actor: Caller): Promise<StaffMember> {
  const [row] = await queryRows<Omit<StaffMember, "userId" | "tenantId">>(
    tx,
    sql`select (select name from tenants where id = ${actor.tenantId}) as "tenantName",
               u.display_name as "displayName", u.email
        from (select 1) as one
        left join users u on u.tenant_id = ${actor.tenantId} and u.id = ${actor.userId}::uuid`,
  );
  return { userId: actor.userId, tenantId: actor.tenantId, tenantName: null, displayName: null, email: null, ...row };
}
