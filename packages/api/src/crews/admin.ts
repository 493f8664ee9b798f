import type { TRPCRouterRecord } from "@trpc/server";

import {
  type AdminListCrewsInput,
  adminCrewInput,
  adminListCrewsInput,
  type Crew,
  type CrewDetail,
  crewDetailSchema,
  crewPageSchema,
} from "@agent-builder/contracts";
import type { Tx } from "@agent-builder/db";

import { requireTenant, scopeOf, tenantOf } from "../admin/scope";
import type { Caller } from "../auth";
import { adminProcedure } from "../trpc";
import { getCrewDetail, listCrews } from "./service";

/**
 * Staff procedures on crews (`admin.crews`, `admin.crew`): any tenant's, as the tenant sees them.
 * `admin.crew` carries the crew's tasks too (staff read tasks through their crew).
 */
export const crewStaffProcedures = {
  crews: adminProcedure
    .input(adminListCrewsInput)
    .output(crewPageSchema)
    .query(({ ctx, input }) => listTenantCrews(ctx.tx, ctx.caller, input)),

  crew: adminProcedure
    .input(adminCrewInput)
    .output(crewDetailSchema)
    .query(({ ctx, input }) => crewDetail(ctx.tx, ctx.caller, input.id)),
} satisfies TRPCRouterRecord;

export async function listTenantCrews(
  tx: Tx,
  actor: Caller,
  input: AdminListCrewsInput,
): Promise<{ items: Crew[]; nextCursor: string | null }> {
  const { tenantId, ...filters } = input;
  await requireTenant(tx, tenantId);
  return listCrews(tx, scopeOf(actor, tenantId), filters);
}

/** Any tenant's crew in the shape `crews.get` gives it to the tenant; NOT_FOUND for an unknown id. */
export async function crewDetail(tx: Tx, actor: Caller, id: string): Promise<CrewDetail> {
  const tenantId = await tenantOf(tx, "crews", id, "crew");
  return getCrewDetail(tx, scopeOf(actor, tenantId), id);
}
