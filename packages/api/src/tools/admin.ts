import type { TRPCRouterRecord } from "@trpc/server";

import {
  type AdminListToolsInput,
  type AgentTool,
  adminAgentInput,
  adminListToolsInput,
  agentToolSchema,
  type Tool,
  toolPageSchema,
} from "@agent-builder/contracts";
import type { Tx } from "@agent-builder/db";

import { requireTenant, scopeOf, tenantOf } from "../admin/scope";
import { getAgentDetail } from "../agents/service";
import type { Caller } from "../auth";
import { adminProcedure } from "../trpc";
import { listTools } from "./service";

/**
 * Staff procedures on tools (`admin.tools`, `admin.agentTools`): any tenant's, secrets masked as
 * the tenant sees them, and the tools an agent has attached.
 */
export const toolStaffProcedures = {
  tools: adminProcedure
    .input(adminListToolsInput)
    .output(toolPageSchema)
    .query(({ ctx, input }) => listTenantTools(ctx.tx, ctx.caller, input)),

  agentTools: adminProcedure
    .input(adminAgentInput)
    .output(agentToolSchema.array())
    .query(({ ctx, input }) => agentTools(ctx.tx, ctx.caller, input.id)),
} satisfies TRPCRouterRecord;

export async function listTenantTools(
  tx: Tx,
  actor: Caller,
  input: AdminListToolsInput,
): Promise<{ items: Tool[]; nextCursor: string | null }> {
  const { tenantId, ...filters } = input;
  await requireTenant(tx, tenantId);
  return listTools(tx, scopeOf(actor, tenantId), filters);
}

/** Any tenant's agent's tools as `agents.get` gives them to the tenant: by position, the attachment's own fields, no secrets. */
export async function agentTools(tx: Tx, actor: Caller, agentId: string): Promise<AgentTool[]> {
  const tenantId = await tenantOf(tx, "agents", agentId, "agent");
  return (await getAgentDetail(tx, scopeOf(actor, tenantId), agentId)).tools;
}
