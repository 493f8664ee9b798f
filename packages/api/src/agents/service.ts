import {
  type Agent,
  type AgentDetail,
  type AgentStatus,
  type AgentTool,
  type AttachToolInput,
  agentStatusTransitions,
  type CreateAgentInput,
  type DetachToolInput,
  type ListAgentsInput,
  type LlmConfigInput,
  limits,
  type UpdateAgentInput,
  type UpdateAttachedToolInput,
} from "@agent-builder/contracts";
import {
  agentResources,
  agents,
  agentUsageStats,
  and,
  arrayContains,
  asc,
  desc,
  eq,
  inArray,
  type PgColumn,
  type SQL,
  sql,
  type Tx,
  tools,
} from "@agent-builder/db";

import type { Caller } from "../auth";
import { crewsOfAgent } from "../crews/service";
import { BadRequest, Conflict, NotFound, PreconditionFailed } from "../domain-errors";
import { notFound } from "../errors";
import { decodeCursor, likePattern, toPage } from "../pagination";
import type { Keyring } from "../secrets";
import { apiKeyHintSql, credentialColumns } from "./credential";
import "./constraints"; // this domain's constraint messages (errors.ts reads them)

/**
 * An agent's lifetime stats: the sum of its counter slots (see agent_usage_stats). A lateral
 * subquery, so a page of agents aggregates only its own rows: one query for 50 agents.
 */
function lifetimeStats(tx: Tx) {
  const total = (column: PgColumn) => sql<number>`coalesce(sum(${column}), 0)::float8`;
  return tx
    .select({
      totalExecutions: total(agentUsageStats.totalExecutions).as("total_executions"),
      successfulExecutions: total(agentUsageStats.successfulExecutions).as("successful_executions"),
      failedExecutions: total(agentUsageStats.failedExecutions).as("failed_executions"),
      cancelledExecutions: total(agentUsageStats.cancelledExecutions).as("cancelled_executions"),
      totalTokens: total(agentUsageStats.totalTokens).as("total_tokens"),
      totalCostUsd: total(agentUsageStats.totalCostUsd).as("total_cost_usd"),
      totalDurationMs: total(agentUsageStats.totalDurationMs).as("total_duration_ms"),
      lastExecutedAt: sql<Date | null>`max(${agentUsageStats.lastExecutedAt})`
        .mapWith(agentUsageStats.lastExecutedAt)
        .as("last_executed_at"),
    })
    .from(agentUsageStats)
    .where(eq(agentUsageStats.agentId, agents.id))
    .as("stats");
}

/** Agent columns plus its lifetime stats. The credential itself is never selected, only its hint (credential.ts). */
function agentSelection(stats: ReturnType<typeof lifetimeStats>) {
  return {
    id: agents.id,
    name: agents.name,
    description: agents.description,
    status: agents.status,
    ownerId: agents.ownerId,
    spaceId: agents.spaceId,
    llmConfig: agents.llmConfig,
    apiKeyHint: apiKeyHintSql,
    notebookIds: agents.notebookIds,
    enableKnowledge: agents.enableKnowledge,
    enableMemory: agents.enableMemory,
    role: agents.role,
    goal: agents.goal,
    backstory: agents.backstory,
    verbose: agents.verbose,
    allowDelegation: agents.allowDelegation,
    reasoning: agents.reasoning,
    maxIterations: agents.maxIterations,
    category: agents.category,
    tags: agents.tags,
    parentAgentId: agents.parentAgentId,
    version: agents.version,
    createdAt: agents.createdAt,
    updatedAt: agents.updatedAt,
    totalExecutions: stats.totalExecutions,
    successfulExecutions: stats.successfulExecutions,
    failedExecutions: stats.failedExecutions,
    cancelledExecutions: stats.cancelledExecutions,
    totalTokens: stats.totalTokens,
    totalCostUsd: stats.totalCostUsd,
    totalDurationMs: stats.totalDurationMs,
    lastExecutedAt: stats.lastExecutedAt,
  };
}

function selectAgents(tx: Tx) {
  const stats = lifetimeStats(tx);
  return tx.select(agentSelection(stats)).from(agents).leftJoinLateral(stats, sql`true`);
}
type AgentRow = Awaited<ReturnType<typeof selectAgents>>[number];

function toAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    name: row.name,
    description: row.description ?? null,
    status: row.status,
    ownerId: row.ownerId,
    spaceId: row.spaceId,
    llmConfig: row.llmConfig,
    apiKeyHint: row.apiKeyHint ?? null,
    notebookIds: row.notebookIds,
    enableKnowledge: row.enableKnowledge,
    enableMemory: row.enableMemory,
    role: row.role ?? null,
    goal: row.goal ?? null,
    backstory: row.backstory ?? null,
    verbose: row.verbose,
    allowDelegation: row.allowDelegation,
    reasoning: row.reasoning,
    maxIterations: row.maxIterations,
    category: row.category ?? null,
    tags: row.tags,
    parentAgentId: row.parentAgentId ?? null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    stats: {
      totalExecutions: row.totalExecutions ?? 0,
      successfulExecutions: row.successfulExecutions ?? 0,
      failedExecutions: row.failedExecutions ?? 0,
      cancelledExecutions: row.cancelledExecutions ?? 0,
      totalTokens: row.totalTokens ?? 0,
      totalCostUsd: row.totalCostUsd ?? 0,
      avgResponseTimeMs: row.totalExecutions ? Math.floor((row.totalDurationMs ?? 0) / row.totalExecutions) : null,
      lastExecutedAt: row.lastExecutedAt?.toISOString() ?? null,
    },
  };
}

/** Splits the caller's config into the stored part and the write-only credential. */
function splitCredential(config: LlmConfigInput) {
  const { apiKey, ...llmConfig } = config;
  return { llmConfig, apiKey };
}

export async function getAgent(tx: Tx, caller: Caller, id: string): Promise<Agent> {
  const [row] = await selectAgents(tx).where(and(eq(agents.tenantId, caller.tenantId), eq(agents.id, id)));
  if (!row) throw notFound("agent", id);
  return toAgent(row);
}

/**
 * An agent's tools as one JSON array, by position (then name): a lateral subquery, so `agents.get`
 * reads the agent and its tools in one statement. Only the tools' public fields: no secrets.
 */
function attachedTools(tx: Tx) {
  return tx
    .select({
      tools: sql<AgentTool[]>`coalesce(json_agg(json_build_object(
        'id', ${tools.id}, 'name', ${tools.name}, 'type', ${tools.type}, 'description', ${tools.description},
        'enabled', ${agentResources.enabled}, 'position', ${agentResources.position},
        'configuration', ${agentResources.configuration}
      ) order by ${agentResources.position}, ${tools.name}, ${tools.id}), '[]'::json)`.as("tools"),
    })
    .from(agentResources)
    .innerJoin(tools, and(eq(tools.tenantId, agentResources.tenantId), eq(tools.id, agentResources.toolId)))
    .where(and(eq(agentResources.tenantId, agents.tenantId), eq(agentResources.agentId, agents.id), eq(agentResources.kind, "tool")))
    .as("attached");
}

/** `agents.get`: the agent, its lifetime stats and its tools, in one query. */
export async function getAgentDetail(tx: Tx, caller: Caller, id: string): Promise<AgentDetail> {
  const stats = lifetimeStats(tx);
  const attached = attachedTools(tx);
  const [row] = await tx
    .select({ ...agentSelection(stats), tools: attached.tools })
    .from(agents)
    .leftJoinLateral(stats, sql`true`)
    .leftJoinLateral(attached, sql`true`)
    .where(and(eq(agents.tenantId, caller.tenantId), eq(agents.id, id)));
  if (!row) throw notFound("agent", id);
  return { ...toAgent(row), tools: row.tools ?? [] };
}

/**
 * Attaches one of the tenant's tools to one of its agents, in one insert: the composite
 * (tenant, agent) and (tenant, tool) keys make another tenant's id a missing reference (404),
 * and the (tenant, agent, tool) key a second attachment (409; constraints.ts says which).
 */
export async function attachTool(tx: Tx, caller: Caller, input: AttachToolInput): Promise<AgentDetail> {
  await tx.insert(agentResources).values({
    tenantId: caller.tenantId,
    agentId: input.agentId,
    kind: "tool",
    toolId: input.toolId,
    configuration: input.configuration ?? {},
    enabled: input.enabled ?? true,
    position: input.position ?? 0,
  });
  return getAgentDetail(tx, caller, input.agentId);
}

/** The attachment of `toolId` to `agentId` in the caller's tenant. */
function attachment(caller: Caller, input: DetachToolInput) {
  return and(
    eq(agentResources.tenantId, caller.tenantId),
    eq(agentResources.agentId, input.agentId),
    eq(agentResources.kind, "tool"),
    eq(agentResources.toolId, input.toolId),
  );
}

/** Changes an attachment's configuration, enabled flag or position; the fields left out stay. */
export async function updateAttachedTool(tx: Tx, caller: Caller, input: UpdateAttachedToolInput): Promise<AgentDetail> {
  const { agentId, toolId, ...fields } = input;
  const [updated] = await tx
    .update(agentResources)
    // updated_at is the trigger's; setting it keeps an update with no fields a valid statement.
    .set({ ...fields, updatedAt: sql`now()` })
    .where(attachment(caller, input))
    .returning({ id: agentResources.id });
  if (!updated) throw notAttached(input);
  return getAgentDetail(tx, caller, agentId);
}

export async function detachTool(tx: Tx, caller: Caller, input: DetachToolInput): Promise<AgentDetail> {
  const [deleted] = await tx.delete(agentResources).where(attachment(caller, input)).returning({ id: agentResources.id });
  if (!deleted) throw notAttached(input);
  return getAgentDetail(tx, caller, input.agentId);
}

/** Not attached, or not the caller's agent or tool: the same answer. */
function notAttached(input: DetachToolInput): NotFound {
  return new NotFound(`tool ${input.toolId} is not attached to agent ${input.agentId}`);
}

/** Creates the agent; a credential is sealed with `keyring` (none: PRECONDITION_FAILED), bound to the new id. */
export async function createAgent(tx: Tx, caller: Caller, input: CreateAgentInput, keyring: Keyring | undefined): Promise<Agent> {
  const { llmConfig, apiKey } = splitCredential(input.llmConfig);
  const id = crypto.randomUUID();
  const [created] = await tx
    .insert(agents)
    .values({
      id,
      tenantId: caller.tenantId,
      name: input.name,
      description: input.description ?? null,
      spaceId: input.spaceId,
      ownerId: input.ownerId ?? caller.userId,
      llmConfig,
      ...(await credentialColumns(keyring, caller, id, apiKey)),
      notebookIds: input.notebookIds ?? [],
      enableKnowledge: input.enableKnowledge ?? false,
      enableMemory: input.enableMemory ?? false,
      // Left out: no persona yet, flags off, CrewAI's 25 iterations, no category, no tags.
      role: input.role ?? null,
      goal: input.goal ?? null,
      backstory: input.backstory ?? null,
      verbose: input.verbose ?? false,
      allowDelegation: input.allowDelegation ?? false,
      reasoning: input.reasoning ?? false,
      maxIterations: input.maxIterations ?? limits.agentMaxIterationsDefault,
      category: input.category ?? null,
      tags: input.tags ?? [],
      // Its own tenant's agent (composite key); a loop is refused by agents_hierarchy_acyclic.
      parentAgentId: input.parentAgentId ?? null,
    })
    .returning({ id: agents.id });
  if (!created) throw new Error("insert into agents returned no row");
  return getAgent(tx, caller, created.id);
}

export async function updateAgent(tx: Tx, caller: Caller, input: UpdateAgentInput, keyring: Keyring | undefined): Promise<Agent> {
  const { id, expectedVersion, llmConfig: configInput, ...fields } = input;
  if (fields.parentAgentId === id) throw new BadRequest("parentAgentId: an agent cannot report to itself");
  const credential = configInput ? splitCredential(configInput) : undefined;
  // undefined keeps the stored credential, null clears it, a string is sealed in its place.
  const credentialWrite = await credentialColumns(keyring, caller, id, credential?.apiKey);
  const [updated] = await tx
    .update(agents)
    .set({
      ...fields,
      ...(credential && { llmConfig: credential.llmConfig }),
      ...credentialWrite,
      version: sql`${agents.version} + 1`,
    })
    .where(and(eq(agents.tenantId, caller.tenantId), eq(agents.id, id), eq(agents.version, expectedVersion)))
    .returning({ id: agents.id });
  if (!updated) throw await versionMiss(tx, caller, id, expectedVersion);
  return getAgent(tx, caller, id);
}

/** Why a write guarded by `version = expected` matched no row: the agent is gone, or it moved on. */
async function versionMiss(tx: Tx, caller: Caller, id: string, expectedVersion: number): Promise<NotFound | Conflict> {
  const [current] = await tx
    .select({ version: agents.version })
    .from(agents)
    .where(and(eq(agents.tenantId, caller.tenantId), eq(agents.id, id)));
  if (!current) return notFound("agent", id);
  return new Conflict(`agent ${id} is at version ${current.version}, not ${expectedVersion}: reload it and retry`);
}

export async function setAgentStatus(
  tx: Tx,
  caller: Caller,
  input: { id: string; status: AgentStatus; expectedVersion?: number },
): Promise<Agent> {
  const current = await getAgent(tx, caller, input.id);
  if (input.expectedVersion !== undefined && current.version !== input.expectedVersion) {
    throw await versionMiss(tx, caller, input.id, input.expectedVersion);
  }
  if (current.status === input.status) return current; // idempotent
  const allowedFrom = Object.entries(agentStatusTransitions)
    .filter(([, to]) => to.includes(input.status))
    .map(([from]) => from as AgentStatus);
  if (!allowedFrom.includes(current.status)) {
    const allowed = agentStatusTransitions[current.status];
    throw new PreconditionFailed(
      `agent is ${current.status}; it can move to ${allowed.length ? allowed.join(" or ") : "no other status"}, not ${input.status}`,
    );
  }
  // The status guard in WHERE keeps a concurrent change from being overwritten.
  const [updated] = await tx
    .update(agents)
    .set({ status: input.status, version: sql`${agents.version} + 1` })
    .where(and(eq(agents.tenantId, caller.tenantId), eq(agents.id, input.id), eq(agents.version, current.version)))
    .returning({ id: agents.id });
  if (!updated) throw await versionMiss(tx, caller, input.id, current.version);
  return getAgent(tx, caller, input.id);
}

/**
 * A notebook was deleted: remove it from every agent of the tenant that references it, in one
 * statement (GIN index on notebook_ids). Each changed agent gets a new version.
 */
export async function detachNotebook(tx: Tx, caller: Caller, notebookId: string) {
  const updated = await tx
    .update(agents)
    .set({
      notebookIds: sql`array_remove(${agents.notebookIds}, ${notebookId}::uuid)`,
      version: sql`${agents.version} + 1`,
    })
    .where(and(eq(agents.tenantId, caller.tenantId), arrayContains(agents.notebookIds, [notebookId])))
    .returning({ id: agents.id });
  return { notebookId, agentsUpdated: updated.length };
}

export async function deleteAgent(tx: Tx, caller: Caller, id: string): Promise<{ id: string }> {
  // A crew that needs it (member, manager, and so a task's assignee) refuses, named. The keys
  // refuse too, should a crew take it on meanwhile (crews/constraints.ts, stillReferenced).
  const crews = await crewsOfAgent(tx, caller, id);
  if (crews.length > 0) {
    const named = crews.slice(0, 5).map((crew) => `"${crew.name}" (${crew.id})`);
    const more = crews.length > 5 ? ` and ${crews.length - 5} more` : "";
    throw new Conflict(`agent ${id} is in crews ${named.join(", ")}${more}: remove it from them (or replace it as manager) first`);
  }
  // Executions, steps, usage rows, tool attachments and conversations go with it (ON DELETE
  // CASCADE); the agents that reported to it have no parent any more (SET NULL).
  const [deleted] = await tx
    .delete(agents)
    .where(and(eq(agents.tenantId, caller.tenantId), eq(agents.id, id)))
    .returning({ id: agents.id });
  if (!deleted) throw notFound("agent", id);
  return deleted;
}

/** Sort expressions of `agents.list`, with the type their cursor value is cast back to. */
function sortColumn(field: ListAgentsInput["sortBy"], stats: ReturnType<typeof lifetimeStats>) {
  switch (field) {
    case "createdAt":
      return { expr: sql`${agents.createdAt}`, type: sql`timestamptz` };
    case "updatedAt":
      return { expr: sql`${agents.updatedAt}`, type: sql`timestamptz` };
    case "name":
      return { expr: sql`${agents.name}`, type: sql`text` };
    case "lastExecutedAt":
      // Never-run agents sort as the oldest.
      return { expr: sql`coalesce(${stats.lastExecutedAt}, '-infinity'::timestamptz)`, type: sql`timestamptz` };
  }
}

export async function listAgents(tx: Tx, caller: Caller, input: ListAgentsInput) {
  const ordering = `${input.sortBy}:${input.sortDirection}`;
  const stats = lifetimeStats(tx);
  const sort = sortColumn(input.sortBy, stats);
  const direction = input.sortDirection === "asc" ? asc : desc;
  const conditions: SQL[] = [eq(agents.tenantId, caller.tenantId)];
  if (input.status) conditions.push(inArray(agents.status, ([] as AgentStatus[]).concat(input.status)));
  if (input.spaceId) conditions.push(eq(agents.spaceId, input.spaceId));
  if (input.ownerId) conditions.push(eq(agents.ownerId, input.ownerId));
  if (input.notebookId) conditions.push(arrayContains(agents.notebookIds, [input.notebookId]));
  if (input.parentAgentId) conditions.push(eq(agents.parentAgentId, input.parentAgentId));
  // `tags @> array[tag]`: the GIN index on tags can serve it (agents_tags_gin_idx).
  if (input.tag) conditions.push(arrayContains(agents.tags, [input.tag]));
  if (input.category) conditions.push(eq(agents.category, input.category));
  if (input.search) conditions.push(sql`${agents.name} ilike ${likePattern(input.search)}`);
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, ordering);
    const after = input.sortDirection === "asc" ? sql`>` : sql`<`;
    conditions.push(sql`(${sort.expr}, ${agents.id}) ${after} (${cursor.v}::${sort.type}, ${cursor.id}::uuid)`);
  }
  const rows = await tx
    .select({ ...agentSelection(stats), cursorKey: sql<string>`(${sort.expr})::text` })
    .from(agents)
    .leftJoinLateral(stats, sql`true`)
    .where(and(...conditions))
    .orderBy(direction(sort.expr), direction(agents.id))
    .limit(input.limit + 1);
  return toPage(rows, input.limit, ordering, toAgent);
}
