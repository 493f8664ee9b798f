import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

import { executionStatuses, stepTypes } from "@agent-builder/contracts";

import { agents } from "./agents";
import { tenantIdColumn, timestamps } from "./columns";
import { conversations } from "./conversations";
import { crews, tasks } from "./crews";
import { users } from "./tenancy";

export const executionStatus = pgEnum("execution_status", executionStatuses);
export const stepType = pgEnum("execution_step_type", stepTypes);

export const agentExecutions = pgTable(
  "agent_executions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    /**
     * The run's subject: an agent (agent run, or a crew run's child run) or, for a crew run, null
     * with `crew_id` set. A child run has both, and `parent_execution_id` (the crew run).
     */
    agentId: uuid("agent_id"),
    crewId: uuid("crew_id"),
    parentExecutionId: uuid("parent_execution_id"),
    /** The conversation a top-level run answered in, if any. */
    conversationId: uuid("conversation_id"),
    userId: uuid("user_id").notNull(),
    inputData: jsonb("input_data").notNull(),
    outputData: jsonb("output_data"),
    status: executionStatus("status").notNull().default("running"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    durationMs: integer("duration_ms"),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    cachedInputTokens: integer("cached_input_tokens").notNull().default(0),
    reasoningTokens: integer("reasoning_tokens").notNull().default(0),
    /** Input tokens written to the provider's prompt cache (billed apart by some providers); part of `input_tokens`, as cached reads are. */
    cacheWriteTokens: integer("cache_write_tokens").notNull().default(0),
    totalTokens: bigint("total_tokens", { mode: "number" }).generatedAlwaysAs(sql`input_tokens::bigint + output_tokens::bigint`),
    /**
     * The cost the usage counters count: the caller's (`provided_cost_usd`) when it gave one,
     * else the computed one; null when neither is known (an unpriced model). Set by the trigger
     * `agent_executions_price` when the run finishes (a crew run's: its children's sum).
     */
    costUsd: numeric("cost_usd", { precision: 12, scale: 6 }).default("0"),
    providedCostUsd: numeric("provided_cost_usd", { precision: 12, scale: 6 }),
    computedCostUsd: numeric("computed_cost_usd", { precision: 12, scale: 6 }),
    /** The model the run used: reported with its usage, else the agent's `llm_config.model` at the finish. */
    model: text("model"),
    /** The prices the computed cost used, as they were then (a later price change never rewrites it): `ExecutionPricing`. */
    pricing: jsonb("pricing").$type<Record<string, unknown>>(),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    idempotencyKey: text("idempotency_key"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    /** Number of steps appended; also hands out step ordinals without a race. */
    stepCount: integer("step_count").notNull().default(0),
    ...timestamps,
  },
  (t) => [
    check(
      "agent_executions_counts_non_negative",
      sql`${t.inputTokens} >= 0 and ${t.outputTokens} >= 0 and ${t.cachedInputTokens} >= 0
          and ${t.reasoningTokens} >= 0 and ${t.cacheWriteTokens} >= 0 and ${t.stepCount} >= 0 and coalesce(${t.durationMs}, 0) >= 0`,
    ),
    check("agent_executions_cost_non_negative", sql`${t.costUsd} >= 0 and ${t.providedCostUsd} >= 0 and ${t.computedCostUsd} >= 0`),
    check("agent_executions_completed_after_start", sql`${t.completedAt} is null or ${t.completedAt} >= ${t.startedAt}`),
    check("agent_executions_terminal_iff_completed", sql`(${t.status} = 'running') = (${t.completedAt} is null)`),
    // An agent run (agent), a crew run (crew, no agent, no parent) or a child run (all three).
    check(
      "agent_executions_subject",
      sql`(${t.agentId} is not null and ${t.crewId} is null and ${t.parentExecutionId} is null)
          or (${t.agentId} is null and ${t.crewId} is not null and ${t.parentExecutionId} is null)
          or (${t.agentId} is not null and ${t.crewId} is not null and ${t.parentExecutionId} is not null)`,
    ),
    check("agent_executions_conversation_top_level", sql`${t.conversationId} is null or ${t.parentExecutionId} is null`),
    unique("agent_executions_tenant_id_id_key").on(t.tenantId, t.id),
    uniqueIndex("agent_executions_tenant_idempotency_key_idx").on(t.tenantId, t.idempotencyKey),
    foreignKey({
      name: "agent_executions_tenant_agent_fkey",
      columns: [t.tenantId, t.agentId],
      foreignColumns: [agents.tenantId, agents.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "agent_executions_tenant_crew_fkey",
      columns: [t.tenantId, t.crewId],
      foreignColumns: [crews.tenantId, crews.id],
    }).onDelete("cascade"),
    // A crew run's child runs go with it.
    foreignKey({
      name: "agent_executions_tenant_parent_fkey",
      columns: [t.tenantId, t.parentExecutionId],
      foreignColumns: [t.tenantId, t.id],
    }).onDelete("cascade"),
    // Deleting a conversation keeps its runs (and their usage); they lose the link.
    foreignKey({
      name: "agent_executions_tenant_conversation_fkey",
      columns: [t.tenantId, t.conversationId],
      foreignColumns: [conversations.tenantId, conversations.id],
    }).onDelete("set null"),
    foreignKey({
      name: "agent_executions_tenant_user_fkey",
      columns: [t.tenantId, t.userId],
      foreignColumns: [users.tenantId, users.id],
    }),
    // Seed list: executions(agent_id), (agent_id, created_at), (user_id), (created_at), (status, created_at).
    // Tenant-led; the trailing id makes each a keyset-pagination index for `executions.list`.
    index("agent_executions_tenant_agent_created_idx").on(t.tenantId, t.agentId, t.createdAt, t.id),
    index("agent_executions_tenant_user_created_idx").on(t.tenantId, t.userId, t.createdAt, t.id),
    index("agent_executions_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("agent_executions_tenant_status_created_idx").on(t.tenantId, t.status, t.createdAt),
    // A crew's runs (top-level and child), a crew run's children, a conversation's runs.
    index("agent_executions_tenant_crew_created_idx").on(t.tenantId, t.crewId, t.createdAt, t.id).where(sql`${t.crewId} is not null`),
    index("agent_executions_tenant_parent_idx").on(t.tenantId, t.parentExecutionId).where(sql`${t.parentExecutionId} is not null`),
    index("agent_executions_tenant_conversation_idx")
      .on(t.tenantId, t.conversationId, t.createdAt)
      .where(sql`${t.conversationId} is not null`),
  ],
);

export const agentExecutionSteps = pgTable(
  "agent_execution_steps",
  {
    tenantId: tenantIdColumn(),
    executionId: uuid("execution_id").notNull(),
    ordinal: integer("ordinal").notNull(),
    type: stepType("type").notNull(),
    /** In a crew run's child run: the task the step worked on. */
    taskId: uuid("task_id"),
    data: jsonb("data").notNull(),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    cachedInputTokens: integer("cached_input_tokens").notNull().default(0),
    reasoningTokens: integer("reasoning_tokens").notNull().default(0),
    cacheWriteTokens: integer("cache_write_tokens").notNull().default(0),
    /** A step that reports usage may name its own model (a tool-using agent can call two); else the agent's. */
    model: text("model"),
    /** Computed when the step is written, at the price then in force (null: no usage, or an unpriced model). */
    costUsd: numeric("cost_usd", { precision: 12, scale: 6 }),
    /** The price row used, as it was (`PriceSnapshot`); null when the step was not priced. */
    pricing: jsonb("pricing").$type<Record<string, unknown>>(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: "agent_execution_steps_pkey", columns: [t.executionId, t.ordinal] }),
    check(
      "agent_execution_steps_counts_non_negative",
      sql`${t.ordinal} >= 1 and ${t.inputTokens} >= 0 and ${t.outputTokens} >= 0 and ${t.cachedInputTokens} >= 0
          and ${t.reasoningTokens} >= 0 and ${t.cacheWriteTokens} >= 0 and coalesce(${t.costUsd}, 0) >= 0`,
    ),
    foreignKey({
      name: "agent_execution_steps_tenant_execution_fkey",
      columns: [t.tenantId, t.executionId],
      foreignColumns: [agentExecutions.tenantId, agentExecutions.id],
    }).onDelete("cascade"),
    // Deleting a task keeps the steps that worked on it; they lose the link.
    foreignKey({
      name: "agent_execution_steps_tenant_task_fkey",
      columns: [t.tenantId, t.taskId],
      foreignColumns: [tasks.tenantId, tasks.id],
    }).onDelete("set null"),
  ],
);
