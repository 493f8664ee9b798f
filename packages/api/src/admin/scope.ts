import { queryRows, sql, type Tx } from "@agent-builder/db";

import type { Caller } from "../auth";
import { notFound } from "../errors";

/**
 * How staff act on a tenant's rows. Staff procedures run as the staff role (adminProcedure),
 * which reads every tenant; where a tenant's own service already does the job, it is called
 * with the target tenant as the scope, so staff see exactly what the tenant sees.
 */

/** The tenant scope staff act in: the target tenant, with the staff member as the actor. */
export function scopeOf(actor: Caller, tenantId: string): Caller {
  return { tenantId, userId: actor.userId, role: "admin" };
}

/** The tenant a row belongs to, looked up by its id alone (staff come with an id, not a tenant). */
export async function tenantOf(tx: Tx, table: "agents" | "agent_executions" | "crews", id: string, what: string): Promise<string> {
  const [row] = await queryRows<{ tenantId: string }>(
    tx,
    sql`select tenant_id as "tenantId" from ${sql.identifier(table)} where id = ${id}::uuid`,
  );
  if (!row) throw notFound(what, id);
  return row.tenantId;
}

export async function requireTenant(tx: Tx, tenantId: string): Promise<void> {
  const [row] = await queryRows(tx, sql`select 1 from tenants where id = ${tenantId}`);
  if (!row) throw notFound("tenant", tenantId);
}
