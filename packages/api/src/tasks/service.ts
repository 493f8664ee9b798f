import { type CreateTaskInput, crewLimits, type ListTasksInput, type Task, type UpdateTaskInput } from "@agent-builder/contracts";
import { and, crewMembers, eq, inArray, queryRow, queryRows, type SQL, sql, type Tx, taskContext, tasks } from "@agent-builder/db";

import type { Caller } from "../auth";
import { BadRequest, Conflict, type NotFound } from "../domain-errors";
import { notFound } from "../errors";
import { checkOutputFormatSchema } from "../json-schema";
import { decodeCursor, toPage } from "../pagination";
import "./constraints"; // this domain's constraint messages (errors.ts reads them)

/** A timestamp as `Date.toISOString()` writes it (UTC, milliseconds), for values read inside JSON. */
export const isoTime = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One task as JSON (the `Task` contract), from the row aliased `t`: its context ids in the crew's
 * order by a correlated subquery, so a page of tasks or a crew's tasks stays one statement.
 */
export const taskObject = sql`json_build_object(
  'id', t.id, 'crewId', t.crew_id, 'title', t.title, 'description', t.description, 'expectedOutput', t.expected_output,
  'agentId', t.agent_id, 'position', t.position,
  'context', (select coalesce(json_agg(c.context_task_id order by ct.position, ct.id), '[]'::json)
              from task_context c join tasks ct on ct.tenant_id = c.tenant_id and ct.id = c.context_task_id
              where c.tenant_id = t.tenant_id and c.task_id = t.id),
  'outputFormat', t.output_format, 'version', t.version,
  'createdAt', ${isoTime(sql`t.created_at`)}, 'updatedAt', ${isoTime(sql`t.updated_at`)})`;

export async function getTask(tx: Tx, caller: Caller, id: string): Promise<Task> {
  const [row] = await queryRows<{ task: Task }>(
    tx,
    sql`select ${taskObject} as task from tasks t where t.tenant_id = ${caller.tenantId} and t.id = ${id}::uuid`,
  );
  if (!row) throw notFound("task", id);
  return row.task;
}

/** `tasks.list`: one crew's tasks by (position, id), keyset-paged; whether the crew exists in the same statement. */
export async function listTasks(tx: Tx, caller: Caller, input: ListTasksInput): Promise<{ items: Task[]; nextCursor: string | null }> {
  const ordering = "position:asc";
  const conditions = [sql`t.tenant_id = ${caller.tenantId}`, sql`t.crew_id = ${input.crewId}::uuid`];
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, ordering);
    conditions.push(sql`(t.position, t.id) > (${cursor.v}::int, ${cursor.id}::uuid)`);
  }
  const row = await queryRow<{ crewFound: boolean; tasks: Task[] }>(
    tx,
    sql`select
      exists (select 1 from crews where tenant_id = ${caller.tenantId} and id = ${input.crewId}::uuid) as "crewFound",
      (select coalesce(json_agg(p.task order by p.position, p.id), '[]'::json)
       from (select t.position, t.id, ${taskObject} as task from tasks t
             where ${sql.join(conditions, sql` and `)}
             order by t.position, t.id limit ${input.limit + 1}) p) as tasks`,
  );
  if (!row.crewFound) throw notFound("crew", input.crewId);
  const rows = row.tasks.map((task) => ({ ...task, cursorKey: String(task.position) }));
  return toPage(rows, input.limit, ordering, ({ cursorKey: _key, ...task }) => task);
}

/** Refuses an assignee that is not a member of the crew: a 400 naming the agent. */
async function checkAssignee(tx: Tx, caller: Caller, crewId: string, agentId: string): Promise<void> {
  const [member] = await tx
    .select({ agentId: crewMembers.agentId })
    .from(crewMembers)
    .where(and(eq(crewMembers.tenantId, caller.tenantId), eq(crewMembers.crewId, crewId), eq(crewMembers.agentId, agentId)));
  if (!member) {
    throw new BadRequest(`agentId: agent ${agentId} is not a member of crew ${crewId}: add it to the crew's memberAgentIds first`);
  }
}

/**
 * Refuses context that names a task of another crew (a 400 naming it) or no task of the
 * tenant's (NOT_FOUND, as for any id the caller cannot see). Loops are the database's to refuse
 * (trigger task_context_acyclic, also against concurrent edits: a 400 with its message).
 */
async function checkContext(tx: Tx, caller: Caller, crewId: string, taskId: string | null, context: string[]): Promise<void> {
  if (taskId !== null && context.includes(taskId)) {
    throw new BadRequest(`context: task ${taskId} cannot take its own output as context`);
  }
  if (context.length === 0) return;
  const found = await tx
    .select({ id: tasks.id, crewId: tasks.crewId })
    .from(tasks)
    .where(and(eq(tasks.tenantId, caller.tenantId), inArray(tasks.id, context)));
  for (const id of context) {
    const task = found.find((t) => t.id === id);
    if (!task) throw notFound("context task", id);
    if (task.crewId !== crewId) {
      throw new BadRequest(`context: task ${id} belongs to another crew; a task takes context only from tasks of its own crew`);
    }
  }
}

/** Adds the context edges not there yet; the acyclic trigger refuses one that closes a loop. */
async function addContext(tx: Tx, caller: Caller, crewId: string, taskId: string, context: string[]): Promise<void> {
  if (context.length === 0) return;
  await tx
    .insert(taskContext)
    .values(context.map((contextTaskId) => ({ tenantId: caller.tenantId, crewId, taskId, contextTaskId })))
    .onConflictDoNothing();
}

export async function createTask(tx: Tx, caller: Caller, input: CreateTaskInput): Promise<Task> {
  // The crew, its task count and where a task left without a position goes (after the last).
  const [crew] = await queryRows<{ taskCount: number; nextPosition: number }>(
    tx,
    sql`select (select count(*)::int from tasks where tenant_id = c.tenant_id and crew_id = c.id) as "taskCount",
               (select coalesce(max(position) + 1, 0) from tasks where tenant_id = c.tenant_id and crew_id = c.id) as "nextPosition"
        from crews c where c.tenant_id = ${caller.tenantId} and c.id = ${input.crewId}::uuid`,
  );
  if (!crew) throw notFound("crew", input.crewId);
  if (crew.taskCount >= crewLimits.tasksMax) {
    throw new BadRequest(`crewId: crew ${input.crewId} has ${crew.taskCount} tasks, the most a crew may have`);
  }
  const position = input.position ?? crew.nextPosition;
  if (position > crewLimits.tasksMax - 1) {
    throw new BadRequest(`position: the crew's last task is at position ${crewLimits.tasksMax - 1}; give a position`);
  }
  await checkAssignee(tx, caller, input.crewId, input.agentId);
  const context = input.context ?? [];
  await checkContext(tx, caller, input.crewId, null, context);
  if (input.outputFormat) checkOutputFormatSchema(input.outputFormat);
  const [created] = await tx
    .insert(tasks)
    .values({
      tenantId: caller.tenantId,
      crewId: input.crewId,
      title: input.title,
      description: input.description,
      expectedOutput: input.expectedOutput,
      agentId: input.agentId,
      position,
      outputFormat: input.outputFormat ?? null,
    })
    .returning({ id: tasks.id });
  if (!created) throw new Error("insert into tasks returned no row");
  await addContext(tx, caller, input.crewId, created.id, context);
  return getTask(tx, caller, created.id);
}

export async function updateTask(tx: Tx, caller: Caller, input: UpdateTaskInput): Promise<Task> {
  const { id, expectedVersion, context, ...fields } = input;
  // Locked (no key update: other tasks' context keys to this row do not wait on it, nor it on them), so a
  // concurrent update of the same task waits, then sees the new version.
  const [current] = await tx
    .select({ crewId: tasks.crewId, version: tasks.version })
    .from(tasks)
    .where(and(eq(tasks.tenantId, caller.tenantId), eq(tasks.id, id)))
    .for("no key update");
  if (!current) throw notFound("task", id);
  if (current.version !== expectedVersion) throw versionConflict(id, current.version, expectedVersion);
  if (fields.agentId !== undefined) await checkAssignee(tx, caller, current.crewId, fields.agentId);
  if (fields.outputFormat) checkOutputFormatSchema(fields.outputFormat);
  if (context !== undefined) {
    await checkContext(tx, caller, current.crewId, id, context);
    const dropped = [eq(taskContext.tenantId, caller.tenantId), eq(taskContext.taskId, id)];
    if (context.length > 0) dropped.push(sql`not ${inArray(taskContext.contextTaskId, context)}`);
    await tx.delete(taskContext).where(and(...dropped));
    await addContext(tx, caller, current.crewId, id, context);
  }
  const [updated] = await tx
    .update(tasks)
    .set({ ...fields, version: sql`${tasks.version} + 1` })
    .where(and(eq(tasks.tenantId, caller.tenantId), eq(tasks.id, id), eq(tasks.version, expectedVersion)))
    .returning({ id: tasks.id });
  if (!updated) throw await versionMiss(tx, caller, id, expectedVersion);
  return getTask(tx, caller, id);
}

function versionConflict(id: string, current: number, expected: number): Conflict {
  return new Conflict(`task ${id} is at version ${current}, not ${expected}: reload it and retry`);
}

async function versionMiss(tx: Tx, caller: Caller, id: string, expectedVersion: number): Promise<NotFound | Conflict> {
  const [current] = await tx
    .select({ version: tasks.version })
    .from(tasks)
    .where(and(eq(tasks.tenantId, caller.tenantId), eq(tasks.id, id)));
  if (!current) return notFound("task", id);
  return versionConflict(id, current.version, expectedVersion);
}

/** Tasks as a message names them: `"Write the report" (id)`, at most five and a count of the rest. */
export function nameTasks(rows: { id: string; title: string }[]): string {
  const shown = rows.slice(0, 5).map((t) => `"${t.title}" (${t.id})`);
  return rows.length > 5 ? `${shown.join(", ")} and ${rows.length - 5} more` : shown.join(", ");
}

/** Deletes a task and its own context edges; a task that other tasks take as context is a CONFLICT naming them. */
export async function deleteTask(tx: Tx, caller: Caller, id: string): Promise<{ id: string }> {
  const readers = await tx
    .select({ id: tasks.id, title: tasks.title })
    .from(taskContext)
    .innerJoin(tasks, and(eq(tasks.tenantId, taskContext.tenantId), eq(tasks.id, taskContext.taskId)))
    .where(and(eq(taskContext.tenantId, caller.tenantId), eq(taskContext.contextTaskId, id)))
    .orderBy(tasks.position, tasks.id);
  if (readers.length > 0) {
    throw new Conflict(`task ${id} is context of ${nameTasks(readers)}: remove it from their context first`);
  }
  const [deleted] = await tx
    .delete(tasks)
    .where(and(eq(tasks.tenantId, caller.tenantId), eq(tasks.id, id)))
    .returning({ id: tasks.id });
  if (!deleted) throw notFound("task", id);
  return deleted;
}
