import { queryRow, queryRows, sql, withTenant } from "@agent-builder/db";

import { type Harness, newAgent, type TestTenant } from "./support";

/**
 * Crews, tasks and conversations written straight into the tenant's tables (the owner
 * connection, in the tenant's scope), so the executions tests do not depend on the crews and
 * conversations procedures.
 */

export interface TestCrew {
  id: string;
  /** Member agents, in position order (all active). */
  members: string[];
  /** The manager of a hierarchical crew (not a member), or null. */
  manager: string | null;
  /** Tasks, in position order; task i is assigned to member i % members.length. */
  tasks: string[];
}

export async function activeAgent(t: TestTenant, name = "Crew agent"): Promise<string> {
  const agent = await newAgent(t, { name });
  return (await t.member.agents.setStatus({ id: agent.id, status: "active" })).id;
}

export async function newCrew(
  h: Harness,
  t: TestTenant,
  options: { members?: number; tasks?: number; manager?: boolean; memberIds?: string[] } = {},
): Promise<TestCrew> {
  const members = options.memberIds ?? [];
  for (let i = members.length; i < (options.members ?? 2); i++) members.push(await activeAgent(t, `Member ${i}`));
  const manager = options.manager ? await activeAgent(t, "Manager") : null;
  return withTenant(h.database.db, t.tenantId, async (tx) => {
    const crew = await queryRow<{ id: string }>(
      tx,
      sql`insert into crews (tenant_id, name, owner_id, space_id, process, manager_agent_id)
          values (${t.tenantId}, ${`crew ${crypto.randomUUID()}`}, ${t.memberId}::uuid, ${t.space.id}::uuid,
                  ${manager ? "hierarchical" : "sequential"}, ${manager}::uuid)
          returning id`,
    );
    for (const [position, agentId] of members.entries()) {
      await tx.execute(
        sql`insert into crew_members (tenant_id, crew_id, agent_id, position) values (${t.tenantId}, ${crew.id}::uuid, ${agentId}::uuid, ${position})`,
      );
    }
    const tasks: string[] = [];
    for (let position = 0; position < (options.tasks ?? 0); position++) {
      const task = await queryRow<{ id: string }>(
        tx,
        sql`insert into tasks (tenant_id, crew_id, title, description, expected_output, agent_id, position)
            values (${t.tenantId}, ${crew.id}::uuid, ${`Task ${position}`}, 'Do it', 'Done', ${members[position % members.length]}::uuid, ${position})
            returning id`,
      );
      tasks.push(task.id);
    }
    return { id: crew.id, members, manager, tasks };
  });
}

export async function newConversation(h: Harness, t: TestTenant, subject: { agentId: string } | { crewId: string }): Promise<string> {
  const agentId = "agentId" in subject ? subject.agentId : null;
  const crewId = "crewId" in subject ? subject.crewId : null;
  return withTenant(h.database.db, t.tenantId, async (tx) => {
    const row = await queryRow<{ id: string }>(
      tx,
      sql`insert into conversations (tenant_id, user_id, agent_id, crew_id, title)
          values (${t.tenantId}, ${t.memberId}::uuid, ${agentId}::uuid, ${crewId}::uuid, 'Chat') returning id`,
    );
    return row.id;
  });
}

/** A conversation's counters as the usage trigger keeps them. */
export async function conversationCounters(h: Harness, t: TestTenant, id: string) {
  const [row] = await withTenant(h.database.db, t.tenantId, (tx) =>
    queryRows<{ executions: number; inputTokens: number; outputTokens: number; costUsd: number }>(
      tx,
      sql`select execution_count::float8 as executions, input_tokens::float8 as "inputTokens", output_tokens::float8 as "outputTokens",
                 cost_usd::float8 as "costUsd" from conversations where id = ${id}::uuid`,
    ),
  );
  return row;
}
