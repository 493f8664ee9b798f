import {
  type CreateCrewInput,
  type Crew,
  type CrewAgent,
  type CrewDetail,
  type CrewLifetimeUsage,
  type CrewMember,
  crewProblems,
  type ListCrewsInput,
  type Task,
  type UpdateCrewInput,
} from "@agent-builder/contracts";
import { agents, and, crewMembers, crews, eq, inArray, queryRows, type SQL, sql, type Tx, tasks } from "@agent-builder/db";

import type { Caller } from "../auth";
import { BadRequest, Conflict } from "../domain-errors";
import { notFound } from "../errors";
import { decodeCursor, likePattern, toPage } from "../pagination";
import { isoTime, nameTasks, taskObject } from "../tasks/service";
import "./constraints"; // this domain's constraint messages (errors.ts reads them)

/** The `Crew` columns of the row aliased `c`, its member ids (in order) by a correlated subquery. */
const crewColumns = sql`c.id, c.name, c.description, c.process, c.manager_agent_id as "managerAgentId",
  c.owner_id as "ownerId", c.space_id as "spaceId", c.memory, c.verbose, c.max_iterations as "maxIterations", c.version,
  ${isoTime(sql`c.created_at`)} as "createdAt", ${isoTime(sql`c.updated_at`)} as "updatedAt",
  (select coalesce(json_agg(m.agent_id order by m.position, m.agent_id), '[]'::json)
   from crew_members m where m.tenant_id = c.tenant_id and m.crew_id = c.id) as "memberAgentIds"`;

/**
 * An agent as a crew shows it (`CrewAgent`), from the row aliased `a`: its tools by position from
 * agent_resources and tools (public fields only, never secrets). `extra` adds fields (a member's position).
 */
const agentObject = (extra: SQL = sql``) => sql`json_build_object(
  'id', a.id, 'name', a.name, 'role', a.role, 'goal', a.goal, 'status', a.status ${extra},
  'tools', (select coalesce(json_agg(json_build_object('id', tl.id, 'name', tl.name, 'type', tl.type,
                                                       'enabled', r.enabled, 'position', r.position)
                                     order by r.position, tl.name, tl.id), '[]'::json)
            from agent_resources r join tools tl on tl.tenant_id = r.tenant_id and tl.id = r.tool_id
            where r.tenant_id = a.tenant_id and r.agent_id = a.id and r.kind = 'tool'))`;

type CrewRow = Crew;

export async function getCrew(tx: Tx, caller: Caller, id: string): Promise<Crew> {
  const [row] = await queryRows<CrewRow>(
    tx,
    sql`select ${crewColumns} from crews c where c.tenant_id = ${caller.tenantId} and c.id = ${id}::uuid`,
  );
  if (!row) throw notFound("crew", id);
  return row;
}

/**
 * `crews.get`: the crew, its members (with their tools), manager, tasks (with their context) and
 * lifetime usage in ONE statement: a lateral json aggregate each (`round-trips.test.ts` counts it).
 */
export async function getCrewDetail(tx: Tx, caller: Caller, id: string): Promise<CrewDetail> {
  const total = (column: string) => sql`coalesce(sum(${sql.identifier(column)}), 0)::float8`;
  const [row] = await queryRows<
    Omit<CrewRow, "memberAgentIds"> & {
      members: CrewMember[];
      manager: CrewAgent | null;
      tasks: Task[];
      usage: Omit<CrewLifetimeUsage, "lastExecutedAt"> & { lastExecutedAt: string | null };
    }
  >(
    tx,
    sql`select c.id, c.name, c.description, c.process, c.manager_agent_id as "managerAgentId",
        c.owner_id as "ownerId", c.space_id as "spaceId", c.memory, c.verbose, c.max_iterations as "maxIterations", c.version,
        ${isoTime(sql`c.created_at`)} as "createdAt", ${isoTime(sql`c.updated_at`)} as "updatedAt",
        mem.members, mgr.manager, tk.tasks, st.usage
      from crews c
      left join lateral (
        select coalesce(json_agg(${agentObject(sql`, 'position', m.position`)} order by m.position, a.id), '[]'::json) as members
        from crew_members m join agents a on a.tenant_id = m.tenant_id and a.id = m.agent_id
        where m.tenant_id = c.tenant_id and m.crew_id = c.id
      ) mem on true
      left join lateral (
        select ${agentObject()} as manager from agents a where a.tenant_id = c.tenant_id and a.id = c.manager_agent_id
      ) mgr on true
      left join lateral (
        select coalesce(json_agg(${taskObject} order by t.position, t.id), '[]'::json) as tasks
        from tasks t where t.tenant_id = c.tenant_id and t.crew_id = c.id
      ) tk on true
      left join lateral (
        select json_build_object(
          'totalExecutions', ${total("total_executions")}, 'successfulExecutions', ${total("successful_executions")},
          'failedExecutions', ${total("failed_executions")}, 'cancelledExecutions', ${total("cancelled_executions")},
          'totalTokens', ${total("total_tokens")}, 'totalCostUsd', ${total("total_cost_usd")},
          'lastExecutedAt', ${isoTime(sql`max(last_executed_at)`)}) as usage
        from crew_usage_stats s where s.tenant_id = c.tenant_id and s.crew_id = c.id
      ) st on true
      where c.tenant_id = ${caller.tenantId} and c.id = ${id}::uuid`,
  );
  if (!row) throw notFound("crew", id);
  return {
    ...row,
    memberAgentIds: row.members.map((m) => m.id),
    executionCount: row.usage.totalExecutions,
  };
}

/** The agents of the caller's tenant among `ids`; one that is not (missing, or another tenant's) is NOT_FOUND. */
async function requireAgents(tx: Tx, caller: Caller, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await tx
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.tenantId, caller.tenantId), inArray(agents.id, ids)));
  const missing = ids.find((id) => !found.some((a) => a.id === id));
  if (missing) throw notFound("agent", missing);
}

function checkCrew(crew: { process: string; managerAgentId: string | null; memberAgentIds: readonly string[] }): void {
  const [problem] = crewProblems(crew);
  if (problem) throw new BadRequest(`${problem.path.join(".")}: ${problem.message}`);
}

async function insertMembers(tx: Tx, caller: Caller, crewId: string, memberAgentIds: string[]): Promise<void> {
  await tx
    .insert(crewMembers)
    .values(memberAgentIds.map((agentId, position) => ({ tenantId: caller.tenantId, crewId, agentId, position })))
    .onConflictDoUpdate({ target: [crewMembers.crewId, crewMembers.agentId], set: { position: sql`excluded.position` } });
}

export async function createCrew(tx: Tx, caller: Caller, input: CreateCrewInput): Promise<Crew> {
  const process = input.process ?? "sequential";
  const managerAgentId = input.managerAgentId ?? null;
  checkCrew({ process, managerAgentId, memberAgentIds: input.memberAgentIds });
  await requireAgents(tx, caller, managerAgentId ? [...input.memberAgentIds, managerAgentId] : input.memberAgentIds);
  const [created] = await tx
    .insert(crews)
    .values({
      tenantId: caller.tenantId,
      name: input.name,
      description: input.description ?? null,
      process,
      managerAgentId,
      ownerId: caller.userId,
      spaceId: input.spaceId,
      memory: input.memory ?? false,
      verbose: input.verbose ?? false,
      maxIterations: input.maxIterations ?? null,
    })
    .returning({ id: crews.id });
  if (!created) throw new Error("insert into crews returned no row");
  await insertMembers(tx, caller, created.id, input.memberAgentIds);
  return getCrew(tx, caller, created.id);
}

/**
 * A patch of the crew and, when `memberAgentIds` is given, its ordered members replaced, in the
 * request's one transaction. The crew row is locked first, so concurrent updates take turns and
 * the second sees the first's version (CONFLICT).
 */
export async function updateCrew(tx: Tx, caller: Caller, input: UpdateCrewInput): Promise<Crew> {
  const { id, expectedVersion, memberAgentIds, ...fields } = input;
  const [current] = await tx
    .select({ process: crews.process, managerAgentId: crews.managerAgentId, version: crews.version })
    .from(crews)
    .where(and(eq(crews.tenantId, caller.tenantId), eq(crews.id, id)))
    .for("no key update");
  if (!current) throw notFound("crew", id);
  if (current.version !== expectedVersion) {
    throw new Conflict(`crew ${id} is at version ${current.version}, not ${expectedVersion}: reload it and retry`);
  }
  const members = await tx
    .select({ agentId: crewMembers.agentId })
    .from(crewMembers)
    .where(and(eq(crewMembers.tenantId, caller.tenantId), eq(crewMembers.crewId, id)));
  const process = fields.process ?? current.process;
  // Moving to sequential drops the manager unless the patch names one (then checkCrew refuses it).
  const managerAgentId =
    fields.managerAgentId !== undefined ? fields.managerAgentId : process === "sequential" ? null : current.managerAgentId;
  const nextMembers = memberAgentIds ?? members.map((m) => m.agentId);
  checkCrew({ process, managerAgentId, memberAgentIds: nextMembers });
  await requireAgents(tx, caller, [...(memberAgentIds ?? []), ...(fields.managerAgentId ? [fields.managerAgentId] : [])]);
  const removed = memberAgentIds ? members.map((m) => m.agentId).filter((agentId) => !memberAgentIds.includes(agentId)) : [];
  if (removed.length > 0) {
    const assigned = await tx
      .select({ id: tasks.id, title: tasks.title, agentId: tasks.agentId })
      .from(tasks)
      .where(and(eq(tasks.tenantId, caller.tenantId), eq(tasks.crewId, id), inArray(tasks.agentId, removed)))
      .orderBy(tasks.position, tasks.id);
    if (assigned.length > 0) {
      const agentIds = [...new Set(assigned.map((t) => t.agentId))];
      throw new Conflict(
        `memberAgentIds: agent ${agentIds.join(", ")} still has tasks of this crew: ${nameTasks(assigned)}; reassign or delete them before removing it`,
      );
    }
  }
  await tx
    .update(crews)
    .set({ ...fields, managerAgentId, version: sql`${crews.version} + 1` })
    .where(and(eq(crews.tenantId, caller.tenantId), eq(crews.id, id)));
  if (memberAgentIds) {
    if (removed.length > 0) {
      await tx
        .delete(crewMembers)
        .where(and(eq(crewMembers.tenantId, caller.tenantId), eq(crewMembers.crewId, id), inArray(crewMembers.agentId, removed)));
    }
    await insertMembers(tx, caller, id, memberAgentIds);
  }
  return getCrew(tx, caller, id);
}

/** Deletes the crew with its members, tasks, context, crew runs and crew usage (ON DELETE CASCADE). The agents stay. */
export async function deleteCrew(tx: Tx, caller: Caller, id: string): Promise<{ id: string }> {
  const [deleted] = await tx
    .delete(crews)
    .where(and(eq(crews.tenantId, caller.tenantId), eq(crews.id, id)))
    .returning({ id: crews.id });
  if (!deleted) throw notFound("crew", id);
  return deleted;
}

/**
 * The crews an agent is a member or the manager of, by name: what `agents.delete` names when it
 * refuses (it calls this first; the keys' own errors cannot name them).
 */
export async function crewsOfAgent(tx: Tx, caller: Caller, agentId: string): Promise<{ id: string; name: string }[]> {
  return queryRows<{ id: string; name: string }>(
    tx,
    sql`select c.id, c.name from crews c
        where c.tenant_id = ${caller.tenantId}
          and (c.manager_agent_id = ${agentId}::uuid
               or exists (select 1 from crew_members m where m.tenant_id = c.tenant_id and m.crew_id = c.id and m.agent_id = ${agentId}::uuid))
        order by c.name, c.id`,
  );
}

function sortColumn(field: ListCrewsInput["sortBy"]) {
  switch (field) {
    case "createdAt":
      return { expr: sql`c.created_at`, type: sql`timestamptz` };
    case "updatedAt":
      return { expr: sql`c.updated_at`, type: sql`timestamptz` };
    case "name":
      return { expr: sql`c.name`, type: sql`text` };
  }
}

/** `crews.list`: keyset-paged, each crew with its member ids, in one statement. */
export async function listCrews(tx: Tx, caller: Caller, input: ListCrewsInput): Promise<{ items: Crew[]; nextCursor: string | null }> {
  const ordering = `${input.sortBy}:${input.sortDirection}`;
  const sort = sortColumn(input.sortBy);
  const direction = sql.raw(input.sortDirection === "asc" ? "asc" : "desc");
  const conditions: SQL[] = [sql`c.tenant_id = ${caller.tenantId}`];
  if (input.process) conditions.push(sql`c.process = ${input.process}`);
  if (input.spaceId) conditions.push(sql`c.space_id = ${input.spaceId}::uuid`);
  if (input.memberAgentId) {
    conditions.push(
      sql`exists (select 1 from crew_members m where m.tenant_id = c.tenant_id and m.crew_id = c.id and m.agent_id = ${input.memberAgentId}::uuid)`,
    );
  }
  if (input.search) conditions.push(sql`c.name ilike ${likePattern(input.search)}`);
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, ordering);
    const after = input.sortDirection === "asc" ? sql`>` : sql`<`;
    conditions.push(sql`(${sort.expr}, c.id) ${after} (${cursor.v}::${sort.type}, ${cursor.id}::uuid)`);
  }
  const rows = await queryRows<CrewRow & { cursorKey: string }>(
    tx,
    sql`select ${crewColumns}, (${sort.expr})::text as "cursorKey" from crews c
        where ${sql.join(conditions, sql` and `)}
        order by ${sort.expr} ${direction}, c.id ${direction}
        limit ${input.limit + 1}`,
  );
  return toPage(rows, input.limit, ordering, ({ cursorKey: _key, ...crew }) => crew);
}
