import { sql } from "drizzle-orm";
import { boolean, check, foreignKey, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, unique, uuid } from "drizzle-orm/pg-core";

import { crewLimits, crewProcesses } from "@agent-builder/contracts";

import { agents } from "./agents";
import { sqlLiteral, tenantIdColumn, timestamps } from "./columns";
import { spaces, tenants, users } from "./tenancy";

export const crewProcess = pgEnum("crew_process", crewProcesses);

/**
 * A crew: agents working through tasks together (seeds 000/001 `user_crews`, CrewAI's `Crew`).
 * Its members are `crew_members` (ordered), its tasks `tasks`. A hierarchical crew has a manager
 * agent that delegates; a sequential one has none (the check below). Its executions count is
 * not stored: it is the sum of its usage counters (`crew_usage_stats`).
 */
export const crews = pgTable(
  "crews",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    name: text("name").notNull(),
    description: text("description"),
    process: crewProcess("process").notNull().default("sequential"),
    managerAgentId: uuid("manager_agent_id"),
    ownerId: uuid("owner_id").notNull(),
    spaceId: uuid("space_id").notNull(),
    // Configuration (CrewAI's `memory`, `verbose`; `max_iterations` caps every member's own, null: theirs).
    memory: boolean("memory").notNull().default(false),
    verbose: boolean("verbose").notNull().default(false),
    maxIterations: integer("max_iterations"),
    /** Optimistic concurrency: every change bumps it; `crews.update` must name the version it read. */
    version: integer("version").notNull().default(1),
    ...timestamps,
  },
  (t) => [
    check("crews_name_length", sql`length(${t.name}) between 1 and ${sqlLiteral(crewLimits.nameMax)}`),
    check("crews_description_length", sql`length(${t.description}) <= ${sqlLiteral(crewLimits.descriptionMax)}`),
    check("crews_version_positive", sql`${t.version} >= 1`),
    check(
      "crews_max_iterations_range",
      sql`${t.maxIterations} between ${sqlLiteral(crewLimits.maxIterationsMin)} and ${sqlLiteral(crewLimits.maxIterationsMax)}`,
    ),
    // A manager exactly when the process is hierarchical.
    check("crews_manager_iff_hierarchical", sql`(${t.process} = 'hierarchical') = (${t.managerAgentId} is not null)`),
    unique("crews_tenant_id_id_key").on(t.tenantId, t.id),
    unique("crews_tenant_name_key").on(t.tenantId, t.name),
    foreignKey({ name: "crews_tenant_id_fkey", columns: [t.tenantId], foreignColumns: [tenants.id] }),
    foreignKey({ name: "crews_tenant_space_fkey", columns: [t.tenantId, t.spaceId], foreignColumns: [spaces.tenantId, spaces.id] }),
    foreignKey({ name: "crews_tenant_owner_fkey", columns: [t.tenantId, t.ownerId], foreignColumns: [users.tenantId, users.id] }),
    // Deleting an agent that manages a crew is refused (no action): the API names the crews.
    foreignKey({
      name: "crews_tenant_manager_fkey",
      columns: [t.tenantId, t.managerAgentId],
      foreignColumns: [agents.tenantId, agents.id],
    }),
    index("crews_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("crews_tenant_name_idx").on(t.tenantId, t.name, t.id),
    index("crews_tenant_space_idx").on(t.tenantId, t.spaceId),
    index("crews_tenant_manager_idx").on(t.tenantId, t.managerAgentId),
  ],
);

/**
 * A crew's member agents, in order. An agent may be in many crews. Deleting the crew removes its
 * rows; deleting an agent that is a member is refused (no action), and so is removing a member
 * that tasks are assigned to (tasks reference this row).
 */
export const crewMembers = pgTable(
  "crew_members",
  {
    tenantId: tenantIdColumn(),
    crewId: uuid("crew_id").notNull(),
    agentId: uuid("agent_id").notNull(),
    position: integer("position").notNull(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: "crew_members_pkey", columns: [t.crewId, t.agentId] }),
    check("crew_members_position_range", sql`${t.position} between 0 and ${sqlLiteral(crewLimits.membersMax - 1)}`),
    unique("crew_members_tenant_crew_agent_key").on(t.tenantId, t.crewId, t.agentId),
    foreignKey({
      name: "crew_members_tenant_crew_fkey",
      columns: [t.tenantId, t.crewId],
      foreignColumns: [crews.tenantId, crews.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "crew_members_tenant_agent_fkey",
      columns: [t.tenantId, t.agentId],
      foreignColumns: [agents.tenantId, agents.id],
    }),
    // The agent's side: "which crews is this agent in" (the delete check) without a scan.
    index("crew_members_tenant_agent_idx").on(t.tenantId, t.agentId),
  ],
);

/**
 * A task of a crew (CrewAI's `Task`): what to do, what to hand back, who does it. The assignee
 * must be a member of the same crew: the foreign key goes to `crew_members`, so the database
 * holds that rule too. `output_format` is a JSON Schema for the answer, or null (free text).
 */
export const tasks = pgTable(
  "tasks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    crewId: uuid("crew_id").notNull(),
    title: text("title").notNull(),
    description: text("description").notNull(),
    expectedOutput: text("expected_output").notNull(),
    agentId: uuid("agent_id").notNull(),
    position: integer("position").notNull(),
    outputFormat: jsonb("output_format").$type<Record<string, unknown>>(),
    version: integer("version").notNull().default(1),
    ...timestamps,
  },
  (t) => [
    check("tasks_title_length", sql`length(${t.title}) between 1 and ${sqlLiteral(crewLimits.taskTitleMax)}`),
    check("tasks_description_length", sql`length(${t.description}) between 1 and ${sqlLiteral(crewLimits.taskDescriptionMax)}`),
    check("tasks_expected_output_length", sql`length(${t.expectedOutput}) between 1 and ${sqlLiteral(crewLimits.taskExpectedOutputMax)}`),
    check("tasks_position_range", sql`${t.position} between 0 and ${sqlLiteral(crewLimits.tasksMax - 1)}`),
    check("tasks_output_format_object", sql`${t.outputFormat} is null or jsonb_typeof(${t.outputFormat}) = 'object'`),
    check("tasks_version_positive", sql`${t.version} >= 1`),
    unique("tasks_tenant_id_id_key").on(t.tenantId, t.id),
    // What context edges reference: a task of this crew.
    unique("tasks_tenant_crew_id_key").on(t.tenantId, t.crewId, t.id),
    foreignKey({
      name: "tasks_tenant_crew_fkey",
      columns: [t.tenantId, t.crewId],
      foreignColumns: [crews.tenantId, crews.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "tasks_tenant_crew_member_fkey",
      columns: [t.tenantId, t.crewId, t.agentId],
      foreignColumns: [crewMembers.tenantId, crewMembers.crewId, crewMembers.agentId],
    }),
    index("tasks_tenant_crew_position_idx").on(t.tenantId, t.crewId, t.position, t.id),
    index("tasks_tenant_crew_agent_idx").on(t.tenantId, t.crewId, t.agentId),
    index("tasks_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
  ],
);

/**
 * Task context (CrewAI's `context`): `task_id` uses the output of `context_task_id`. Both are
 * tasks of the same crew (both keys carry `crew_id`); the `task_context_acyclic` trigger refuses
 * an edge that closes a loop. Deleting either task removes the edge with it only when the crew
 * goes; deleting a task that others still take as context is refused (no action).
 */
export const taskContext = pgTable(
  "task_context",
  {
    tenantId: tenantIdColumn(),
    crewId: uuid("crew_id").notNull(),
    taskId: uuid("task_id").notNull(),
    contextTaskId: uuid("context_task_id").notNull(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: "task_context_pkey", columns: [t.taskId, t.contextTaskId] }),
    check("task_context_not_self", sql`${t.taskId} <> ${t.contextTaskId}`),
    foreignKey({
      name: "task_context_tenant_task_fkey",
      columns: [t.tenantId, t.crewId, t.taskId],
      foreignColumns: [tasks.tenantId, tasks.crewId, tasks.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "task_context_tenant_context_task_fkey",
      columns: [t.tenantId, t.crewId, t.contextTaskId],
      foreignColumns: [tasks.tenantId, tasks.crewId, tasks.id],
    }),
    index("task_context_tenant_context_task_idx").on(t.tenantId, t.contextTaskId),
  ],
);
