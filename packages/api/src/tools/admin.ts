import type { TRPCRouterRecord } from "@trpc/server";

import { type AdminListToolsInput, adminListToolsInput, type Tool, toolPageSchema } from "@agent-builder/contracts";
import type { Tx } from "@agent-builder/db";

import { requireTenant, scopeOf } from "../admin/scope";
import type { Caller } from "../auth";
import { adminProcedure } from "../trpc";
import { listTools } from "./service";

/** Staff procedures on tools (`admin.tools`): any tenant's, secrets masked as the tenant sees them. */
export const toolStaffProcedures = {
  tools: adminProcedure
    .input(adminListToolsInput)
    .output(toolPageSchema)
    .query(({ ctx, input }) => listTenantTools(ctx.tx, ctx.caller, input)),
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
