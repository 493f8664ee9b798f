import type { TRPCRouterRecord } from "@trpc/server";

import { type AdminListBudgetsInput, adminListBudgetsInput, type Budget, budgetPageSchema } from "@agent-builder/contracts";
import type { Tx } from "@agent-builder/db";

import { requireTenant, scopeOf, tenantOf } from "../admin/scope";
import type { Caller } from "../auth";
import { BadRequest } from "../domain-errors";
import { notFound } from "../errors";
import { adminProcedure } from "../trpc";
import { budgetsApplyingTo, listBudgets } from "./service";

/**
 * Staff procedures on budgets (`admin.budgets`): a tenant's budgets with their status, as the
 * tenant reads them, for the tenant and agent pages. Read-only: budgets are the tenant's to set.
 */
export const budgetStaffProcedures = {
  budgets: adminProcedure
    .input(adminListBudgetsInput)
    .output(budgetPageSchema)
    .query(({ ctx, input }) => listTenantBudgets(ctx.tx, ctx.caller, input)),
} satisfies TRPCRouterRecord;

export async function listTenantBudgets(
  tx: Tx,
  actor: Caller,
  input: AdminListBudgetsInput,
): Promise<{ items: Budget[]; nextCursor: string | null }> {
  const { tenantId, appliesToAgentId, ...filters } = input;
  await requireTenant(tx, tenantId);
  if (appliesToAgentId === undefined) return listBudgets(tx, scopeOf(actor, tenantId), filters);
  if (filters.scope || filters.spaceId || filters.agentId || filters.crewId || filters.cursor) {
    throw new BadRequest("appliesToAgentId takes no other filter and no cursor: it gives every budget the agent's runs answer to");
  }
  // The agent must be the tenant's: another tenant's agent is as missing as no agent.
  const agentTenant = await tenantOf(tx, "agents", appliesToAgentId, "agent");
  if (agentTenant !== tenantId) throw notFound("agent", appliesToAgentId);
  return { items: await budgetsApplyingTo(tx, scopeOf(actor, tenantId), { kind: "agent", agentId: appliesToAgentId }), nextCursor: null };
}
