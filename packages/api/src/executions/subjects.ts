import { runnableAgentStatuses } from "@agent-builder/contracts";
import { queryRow, type SQL, sql, type Tx } from "@agent-builder/db";

import type { Caller } from "../auth";
import { BadRequest, PreconditionFailed } from "../domain-errors";
import { notFound } from "../errors";

/**
 * What runs refer to, checked before they are written (`executions.start` of a crew run, a child
 * run or a run in a conversation; every run of `executions.record`): the agents, crews, crew runs,
 * conversations and tasks, all read in ONE statement, whatever the number of runs. Everything is
 * read in the caller's tenant, so another tenant's id is simply missing (NOT_FOUND).
 */

export interface SubjectIds {
  agentIds?: string[];
  crewIds?: string[];
  conversationIds?: string[];
  taskIds?: string[];
  /** A running crew run a child run is started in (`executions.start`); its crew is read too. */
  parentExecutionId?: string;
}

interface AgentRow {
  id: string;
  status: string;
}
interface CrewRow {
  id: string;
  /** Members and the manager, which may run in its crew runs. */
  agentIds: string[];
  /** Members or the manager that may not run now (paused, archived). */
  blocked: AgentRow[];
}
interface ConversationRow {
  id: string;
  agentId: string | null;
  crewId: string | null;
  archived: boolean;
}
interface TaskRow {
  id: string;
  crewId: string;
}
interface ParentRow {
  id: string;
  status: string;
  agentId: string | null;
  crewId: string | null;
}

export interface Subjects {
  agents: Map<string, AgentRow>;
  crews: Map<string, CrewRow>;
  conversations: Map<string, ConversationRow>;
  tasks: Map<string, TaskRow>;
  parent: ParentRow | null;
}

const uuids = (ids: string[] = []) => sql`${`{${[...new Set(ids)].join(",")}}`}::uuid[]`;

export async function readSubjects(tx: Tx, caller: Caller, ids: SubjectIds): Promise<Subjects> {
  const tenant = caller.tenantId;
  const runnable = sql`${`{${runnableAgentStatuses.join(",")}}`}::agent_status[]`;
  const parentCrew = ids.parentExecutionId
    ? sql`(select p.crew_id from agent_executions p where p.tenant_id = ${tenant} and p.id = ${ids.parentExecutionId}::uuid)`
    : sql`null::uuid`;
  // A part with nothing to look up is a literal: the statement plans only what it reads.
  const none = sql`'[]'::json`;
  const some = (ids: string[] | undefined, part: SQL) => (ids && ids.length > 0 ? part : none);
  const row = await queryRow<{
    agents: AgentRow[];
    crews: CrewRow[];
    conversations: ConversationRow[];
    tasks: TaskRow[];
    parent: ParentRow | null;
  }>(
    tx,
    sql`select
          ${some(
            ids.agentIds,
            sql`(select coalesce(json_agg(json_build_object('id', a.id, 'status', a.status)), '[]')
                   from agents a where a.tenant_id = ${tenant} and a.id = any(${uuids(ids.agentIds)}))`,
          )} as agents,
          ${some(
            ids.parentExecutionId ? [ids.parentExecutionId] : ids.crewIds,
            sql`(select coalesce(json_agg(json_build_object('id', c.id, 'agentIds', crew.agent_ids, 'blocked', crew.blocked)), '[]')
                   from crews c
                   cross join lateral (
                     select coalesce(array_agg(a.id), '{}') as agent_ids,
                            coalesce(json_agg(json_build_object('id', a.id, 'status', a.status)) filter (where a.status <> all(${runnable})), '[]') as blocked
                     from agents a
                     where a.tenant_id = ${tenant}
                       and (a.id = c.manager_agent_id
                            or a.id in (select m.agent_id from crew_members m where m.tenant_id = ${tenant} and m.crew_id = c.id))
                   ) crew
                   where c.tenant_id = ${tenant} and (c.id = any(${uuids(ids.crewIds)}) or c.id = ${parentCrew}))`,
          )} as crews,
          ${some(
            ids.conversationIds,
            // A member runs only in their own conversations (conversations.* shows them no other).
            sql`(select coalesce(json_agg(json_build_object('id', v.id, 'agentId', v.agent_id, 'crewId', v.crew_id,
                                                            'archived', v.archived_at is not null)), '[]')
                   from conversations v where v.tenant_id = ${tenant} and v.id = any(${uuids(ids.conversationIds)})
                     ${caller.role === "member" ? sql`and v.user_id = ${caller.userId}::uuid` : sql``})`,
          )} as conversations,
          ${some(
            ids.taskIds,
            sql`(select coalesce(json_agg(json_build_object('id', k.id, 'crewId', k.crew_id)), '[]')
                   from tasks k where k.tenant_id = ${tenant} and k.id = any(${uuids(ids.taskIds)}))`,
          )} as tasks,
          ${
            ids.parentExecutionId
              ? sql`(select json_build_object('id', p.id, 'status', p.status, 'agentId', p.agent_id, 'crewId', p.crew_id)
                       from agent_executions p where p.tenant_id = ${tenant} and p.id = ${ids.parentExecutionId}::uuid)`
              : sql`null::json`
          } as parent`,
  );
  const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));
  return {
    agents: byId(row.agents),
    crews: byId(row.crews),
    conversations: byId(row.conversations),
    tasks: byId(row.tasks),
    parent: row.parent,
  };
}

/** The agent exists in the tenant and may run (draft or active). */
export function checkAgent(subjects: Subjects, agentId: string): void {
  const agent = subjects.agents.get(agentId);
  if (!agent) throw notFound("agent", agentId);
  if (!(runnableAgentStatuses as readonly string[]).includes(agent.status)) {
    throw new PreconditionFailed(`agent ${agentId} is ${agent.status}; activate it before running it`);
  }
}

/** The crew exists, has agents, and every member (and the manager) may run: the paused/archived rule of agents, for each. */
export function checkCrew(subjects: Subjects, crewId: string): CrewRow {
  const crew = subjects.crews.get(crewId);
  if (!crew) throw notFound("crew", crewId);
  if (crew.agentIds.length === 0) throw new PreconditionFailed(`crew ${crewId} has no members; add agents before running it`);
  const [blocked] = crew.blocked;
  if (blocked) {
    throw new PreconditionFailed(`crew ${crewId}: agent ${blocked.id} is ${blocked.status}; activate it before running the crew`);
  }
  return crew;
}

/** A child run's agent: the tenant's (NOT_FOUND otherwise), a member or the manager of the crew (400 otherwise), and runnable. */
export function checkCrewAgent(subjects: Subjects, crew: CrewRow, agentId: string): void {
  if (!subjects.agents.has(agentId)) throw notFound("agent", agentId);
  if (!crew.agentIds.includes(agentId)) {
    throw new BadRequest(`agentId: agent ${agentId} is neither a member nor the manager of crew ${crew.id}`);
  }
  checkAgent(subjects, agentId);
}

/**
 * The conversation is the tenant's, and a member's own (NOT_FOUND otherwise, as conversations.get
 * answers), not archived (PRECONDITION_FAILED, as appendMessage), and with the run's agent or
 * crew (400 otherwise).
 */
export function checkConversation(subjects: Subjects, conversationId: string, run: { agentId?: string; crewId?: string }): void {
  const conversation = subjects.conversations.get(conversationId);
  if (!conversation) throw notFound("conversation", conversationId);
  if (conversation.archived) {
    throw new PreconditionFailed(
      `conversation ${conversationId} is archived: unarchive it (conversations.archive with archived: false) first`,
    );
  }
  const matches = run.agentId !== undefined ? conversation.agentId === run.agentId : conversation.crewId === run.crewId;
  if (!matches) {
    const subject = conversation.agentId !== null ? `agent ${conversation.agentId}` : `crew ${conversation.crewId}`;
    const own = run.agentId !== undefined ? `agent ${run.agentId}` : `crew ${run.crewId}`;
    throw new BadRequest(`conversationId: conversation ${conversationId} is with ${subject}, not with this run's ${own}`);
  }
}

/**
 * Steps name tasks of the run's crew only: a task the tenant does not have is NOT_FOUND (as any
 * id of another tenant's); one of another crew, or on an agent run's step, is a BAD_REQUEST.
 */
export function checkTasks(subjects: Subjects, crewId: string | null, taskIds: Iterable<string>): void {
  for (const taskId of taskIds) {
    const task = subjects.tasks.get(taskId);
    if (!task) throw notFound("task", taskId);
    if (crewId === null || task.crewId !== crewId) {
      throw new BadRequest(
        crewId === null
          ? `steps: taskId ${taskId}: only steps of a crew run or its child runs name a task`
          : `steps: taskId ${taskId} is not a task of crew ${crewId}`,
      );
    }
  }
}
