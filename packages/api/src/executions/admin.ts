import type { TRPCRouterRecord } from "@trpc/server";

import {
  type AdminExecution,
  type AdminListExecutionsInput,
  adminExecutionInput,
  adminExecutionPageSchema,
  adminExecutionSchema,
  adminListExecutionsInput,
  type ExecutionStatus,
} from "@agent-builder/contracts";
import { agentExecutions, agents, and, crews, desc, eq, inArray, isNull, queryRows, type SQL, sql, type Tx } from "@agent-builder/db";

import { scopeOf, tenantOf } from "../admin/scope";
import type { Caller } from "../auth";
import { decodeCursor, toPage } from "../pagination";
import { adminProcedure } from "../trpc";
import { getExecution, summaryColumns, toSummary } from "./service";

/** Staff procedures on executions (`admin.executions`, `admin.execution`): every tenant's, read only. */
export const executionStaffProcedures = {
  executions: adminProcedure
    .input(adminListExecutionsInput)
    .output(adminExecutionPageSchema)
    .query(({ ctx, input }) => listAllExecutions(ctx.tx, input)),

  execution: adminProcedure
    .input(adminExecutionInput)
    .output(adminExecutionSchema)
    .query(({ ctx, input }) => executionDetail(ctx.tx, ctx.caller, input.id)),
} satisfies TRPCRouterRecord;

/**
 * Executions across tenants, newest first (keyset), each with its tenant and agent name: one
 * statement. Rows are mapped as `executions.list` maps them (toSummary), payloads left out.
 */
export async function listAllExecutions(tx: Tx, input: AdminListExecutionsInput) {
  const ordering = "createdAt:desc";
  const conditions: SQL[] = [];
  if (input.tenantId) conditions.push(eq(agentExecutions.tenantId, input.tenantId));
  if (input.agentId) conditions.push(eq(agentExecutions.agentId, input.agentId));
  if (input.crewId) conditions.push(eq(agentExecutions.crewId, input.crewId));
  if (input.parentExecutionId) conditions.push(eq(agentExecutions.parentExecutionId, input.parentExecutionId));
  if (input.status) conditions.push(inArray(agentExecutions.status, ([] as ExecutionStatus[]).concat(input.status)));
  // Compared as Postgres timestamps, so a bound keeps its microseconds.
  if (input.from) conditions.push(sql`${agentExecutions.createdAt} >= ${input.from}::timestamptz`);
  if (input.to) conditions.push(sql`${agentExecutions.createdAt} < ${input.to}::timestamptz`);
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, ordering);
    conditions.push(sql`(${agentExecutions.createdAt}, ${agentExecutions.id}) < (${cursor.v}::timestamptz, ${cursor.id}::uuid)`);
  }
  const rows = await tx
    .select({
      ...summaryColumns(),
      // A crew run has no agent: it is shown by its crew's name.
      agentName: sql<string>`coalesce(${agents.name}, ${crews.name}, '')`,
      cursorKey: sql<string>`${agentExecutions.createdAt}::text`,
    })
    .from(agentExecutions)
    .leftJoin(agents, eq(agents.id, agentExecutions.agentId))
    .leftJoin(crews, and(isNull(agentExecutions.agentId), eq(crews.id, agentExecutions.crewId)))
    .where(and(...conditions))
    .orderBy(desc(agentExecutions.createdAt), desc(agentExecutions.id))
    .limit(input.limit + 1);
  return toPage(rows, input.limit, ordering, ({ agentName, cursorKey: _key, ...row }) => ({
    ...toSummary(row),
    tenantId: row.tenantId,
    agentName,
  }));
}

export async function executionDetail(tx: Tx, actor: Caller, id: string): Promise<AdminExecution> {
  const tenantId = await tenantOf(tx, "agent_executions", id, "execution");
  const execution = await getExecution(tx, scopeOf(actor, tenantId), id);
  const [agent] = await queryRows<{ name: string }>(
    tx,
    execution.agentId === null
      ? sql`select name from crews where id = ${execution.crewId}::uuid`
      : sql`select name from agents where id = ${execution.agentId}::uuid`,
  );
  return { ...execution, tenantId, agentName: agent?.name ?? "" };
}
