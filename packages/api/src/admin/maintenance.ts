import type { TRPCRouterRecord } from "@trpc/server";

import {
  type AdminCloseStuckInput,
  type AdminRunRetentionInput,
  adminCloseStuckInput,
  adminRunRetentionInput,
  type RetentionRun,
  retentionRunSchema,
  type StuckRun,
  stuckRunSchema,
} from "@agent-builder/contracts";
import { closeStuckExecutionsAsStaff, deleteOldExecutionsAsStaff, type Tx } from "@agent-builder/db";

import type { Caller } from "../auth";
import { adminProcedure } from "../trpc";
import { recordStaffActions } from "./audit";
import { requireTenant } from "./scope";

/** Staff maintenance across tenants: retention and closing stuck runs, each call bounded and audited. */
export const maintenanceProcedures = {
  runRetention: adminProcedure
    .input(adminRunRetentionInput)
    .output(retentionRunSchema)
    .mutation(({ ctx, input }) => runRetention(ctx.tx, ctx.caller, input)),

  closeStuckExecutions: adminProcedure
    .input(adminCloseStuckInput)
    .output(stuckRunSchema)
    .mutation(({ ctx, input }) => closeStuck(ctx.tx, ctx.caller, input)),
} satisfies TRPCRouterRecord;

/**
 * One audit entry per tenant the run changed, so each tenant's log shows it; a run that changed
 * nothing still leaves one entry (staff ran it, and when).
 */
function auditMaintenance(
  tx: Tx,
  actor: Caller,
  action: string,
  scopeTenantId: string | undefined,
  changed: Array<{ tenantId: string; details: Record<string, unknown> }>,
  zero: Record<string, unknown>,
) {
  const entries = changed.length ? changed : [{ tenantId: scopeTenantId ?? null, details: zero }];
  return recordStaffActions(
    tx,
    actor,
    entries.map((e) => ({ action, targetTenantId: e.tenantId, targetType: "tenant", targetId: e.tenantId, details: e.details })),
  );
}

/**
 * Retention from the admin panel. The staff role has no DELETE on tenant data; the deletes run
 * as the app role inside each tenant's scope (actAsTenant), in this request's transaction, so
 * the audit entries commit with exactly what was deleted. Bounded by `maxRows` per call.
 */
export async function runRetention(tx: Tx, actor: Caller, input: AdminRunRetentionInput): Promise<RetentionRun> {
  if (input.tenantId) await requireTenant(tx, input.tenantId);
  const result = await deleteOldExecutionsAsStaff(tx, input);
  const run = { olderThanDays: input.olderThanDays, cutoff: result.cutoff, complete: result.complete };
  await auditMaintenance(
    tx,
    actor,
    "maintenance.retention",
    input.tenantId,
    result.tenants.map((t) => ({ tenantId: t.tenantId, details: { ...run, executions: t.executions, steps: t.steps } })),
    { ...run, executions: 0, steps: 0 },
  );
  return { ...result, tenants: result.tenants.map(({ tenantId, executions, steps }) => ({ tenantId, executions, steps })) };
}

/** Closes stuck executions as failed, as each tenant (see runRetention); audited per tenant. */
export async function closeStuck(tx: Tx, actor: Caller, input: AdminCloseStuckInput): Promise<StuckRun> {
  if (input.tenantId) await requireTenant(tx, input.tenantId);
  const result = await closeStuckExecutionsAsStaff(tx, input);
  const run = { olderThanMinutes: input.olderThanMinutes, cutoff: result.cutoff, complete: result.complete };
  await auditMaintenance(
    tx,
    actor,
    "maintenance.closeStuck",
    input.tenantId,
    result.tenants.map((t) => ({ tenantId: t.tenantId, details: { ...run, closed: t.closed, executionIds: t.executionIds } })),
    { ...run, closed: 0 },
  );
  return result;
}
