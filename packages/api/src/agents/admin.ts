import type { TRPCRouterRecord } from "@trpc/server";

import {
  type AdminAgent,
  type AdminAgentRow,
  type AdminListAgentsInput,
  type AdminSetAgentStatusInput,
  type Agent,
  adminAgentInput,
  adminAgentPageSchema,
  adminAgentSchema,
  adminListAgentsInput,
  adminSetAgentStatusInput,
  agentSchema,
} from "@agent-builder/contracts";
import type { Tx } from "@agent-builder/db";

import { recordStaffActions } from "../admin/audit";
import { scopeOf, tenantOf } from "../admin/scope";
import type { Caller } from "../auth";
import { listExecutions } from "../executions/service";
import { adminProcedure } from "../trpc";
import { utcDay, withThisMonth } from "../usage/admin";
import { timeseries, usageFor } from "../usage/service";
import { getAgent, listAgents, setAgentStatus } from "./service";

/** Staff procedures on agents (`admin.agents`, `admin.agent`, `admin.setAgentStatus`): any tenant's, the change audited. */
export const agentStaffProcedures = {
  agents: adminProcedure
    .input(adminListAgentsInput)
    .output(adminAgentPageSchema)
    .query(({ ctx, input }) => listTenantAgents(ctx.tx, ctx.caller, input)),

  agent: adminProcedure
    .input(adminAgentInput)
    .output(adminAgentSchema)
    .query(({ ctx, input }) => agentDetail(ctx.tx, ctx.caller, input.id)),

  setAgentStatus: adminProcedure
    .input(adminSetAgentStatusInput)
    .output(agentSchema)
    .mutation(({ ctx, input }) => setAgentStatusAsStaff(ctx.tx, ctx.caller, input)),
} satisfies TRPCRouterRecord;

/**
 * A tenant's agents as `agents.list` gives them to the tenant, each with its month so far: two
 * statements for a page of any size (the page, then the month's rollups of its agents).
 */
export async function listTenantAgents(
  tx: Tx,
  actor: Caller,
  input: AdminListAgentsInput,
): Promise<{ items: AdminAgentRow[]; nextCursor: string | null }> {
  const { tenantId, ...filters } = input;
  const scope = scopeOf(actor, tenantId);
  const page = await listAgents(tx, scope, filters);
  return { ...page, items: await withThisMonth(tx, scope, page.items) };
}

export async function agentDetail(tx: Tx, actor: Caller, id: string): Promise<AdminAgent> {
  const tenantId = await tenantOf(tx, "agents", id, "agent");
  const scope = scopeOf(actor, tenantId);
  const found = await getAgent(tx, scope, id);
  const { agentCount: _count, ...usage } = await usageFor(tx, scope, { kind: "agent", agentId: id });
  const daily = await timeseries(tx, scope, { from: utcDay(-29), to: utcDay(0), agentId: id });
  const recent = await listExecutions(tx, scope, { limit: 10, agentId: id });
  return { tenantId, agent: found, usage, daily, recentExecutions: recent.items };
}

/** Changes the status as the tenant would (same transitions), and records it when it changed. */
export async function setAgentStatusAsStaff(tx: Tx, actor: Caller, input: AdminSetAgentStatusInput): Promise<Agent> {
  const tenantId = await tenantOf(tx, "agents", input.id, "agent");
  const scope = scopeOf(actor, tenantId);
  const before = await getAgent(tx, scope, input.id);
  const after = await setAgentStatus(tx, scope, { id: input.id, status: input.status });
  if (after.version !== before.version) {
    await recordStaffActions(tx, actor, [
      {
        action: "agent.setStatus",
        targetTenantId: tenantId,
        targetType: "agent",
        targetId: input.id,
        details: { from: before.status, to: after.status, ...(input.reason && { reason: input.reason }) },
      },
    ]);
  }
  return after;
}
