import type { TRPCRouterRecord } from "@trpc/server";

import { type AuditEntry, type AuditLogInput, auditLogInput, auditLogPageSchema } from "@agent-builder/contracts";
import { adminAuditLog, queryRows, type SQL, sql, type Tx } from "@agent-builder/db";

import type { Caller } from "../auth";
import { decodeCursor, toPage } from "../pagination";
import { adminProcedure } from "../trpc";

/** The audit log: every staff mutation writes it in its own transaction; staff read it here. */
export const auditProcedures = {
  auditLog: adminProcedure
    .input(auditLogInput)
    .output(auditLogPageSchema)
    .query(({ ctx, input }) => readAuditLog(ctx.tx, input)),
} satisfies TRPCRouterRecord;

/** One staff action as recorded: what was done, to which tenant and which object. */
export interface StaffAction {
  action: string;
  targetTenantId: string | null;
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown>;
}

/** Records staff actions in the caller's transaction, so they commit (or roll back) with the change. */
export async function recordStaffActions(tx: Tx, actor: Caller, actions: StaffAction[]): Promise<void> {
  if (actions.length === 0) return;
  await tx.insert(adminAuditLog).values(actions.map((a) => ({ ...a, actorId: actor.userId, actorTenantId: actor.tenantId })));
}

/**
 * A page of the log with the names of who and what, in one statement: the page is cut first
 * (newest first, keyset), then each row joins at most one user, two tenants and one agent by key.
 * `target_id` is text (a tenant id for tenant targets), so it is cast to a uuid for agent rows only.
 */
export async function readAuditLog(tx: Tx, input: AuditLogInput) {
  const ordering = "createdAt:desc";
  const conditions: SQL[] = [sql`true`];
  if (input.tenantId) conditions.push(sql`l.target_tenant_id = ${input.tenantId}`);
  if (input.targetType) conditions.push(sql`l.target_type = ${input.targetType}`);
  if (input.targetId) conditions.push(sql`l.target_id = ${input.targetId}`);
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, ordering);
    conditions.push(sql`(l.created_at, l.id) < (${cursor.v}::timestamptz, ${cursor.id}::uuid)`);
  }
  const rows = await queryRows<Omit<AuditEntry, "createdAt"> & { createdAt: string | Date; cursorKey: string }>(
    tx,
    sql`with page as (
          select l.* from admin_audit_log l
          where ${sql.join(conditions, sql` and `)}
          order by l.created_at desc, l.id desc
          limit ${input.limit + 1}
        )
        select l.id, l.actor_id as "actorId", l.actor_tenant_id as "actorTenantId",
               coalesce(actor.display_name, actor.email) as "actorName", actor_tenant.name as "actorTenantName",
               l.action, l.target_tenant_id as "targetTenantId", target_tenant.name as "targetTenantName",
               l.target_type as "targetType", l.target_id as "targetId",
               case l.target_type when 'agent' then target_agent.name when 'tenant' then target_tenant.name end as "targetName",
               l.details, l.created_at as "createdAt", l.created_at::text as "cursorKey"
        from page l
        left join users actor on actor.tenant_id = l.actor_tenant_id and actor.id = l.actor_id
        left join tenants actor_tenant on actor_tenant.id = l.actor_tenant_id
        left join tenants target_tenant on target_tenant.id = l.target_tenant_id
        left join agents target_agent on target_agent.tenant_id = l.target_tenant_id
          and target_agent.id = (case when l.target_type = 'agent' then l.target_id::uuid end)
        order by l.created_at desc, l.id desc`,
  );
  return toPage(
    rows,
    input.limit,
    ordering,
    ({ cursorKey: _key, ...entry }): AuditEntry => ({
      ...entry,
      createdAt: new Date(entry.createdAt).toISOString(),
    }),
  );
}
