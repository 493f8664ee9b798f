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
import { users } from "./tenancy";

export const executionStatus = pgEnum("execution_status", executionStatuses);
export const stepType = pgEnum("execution_step_type", stepTypes);

export const agentExecutions = pgTable(
  "agent_executions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    agentId: uuid("agent_id").notNull(),
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
    totalTokens: bigint("total_tokens", { mode: "number" }).generatedAlwaysAs(sql`input_tokens::bigint + output_tokens::bigint`),
    costUsd: numeric("cost_usd", { precision: 12, scale: 6 }).notNull().default("0"),
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
          and ${t.reasoningTokens} >= 0 and ${t.stepCount} >= 0 and coalesce(${t.durationMs}, 0) >= 0`,
    ),
    check("agent_executions_cost_non_negative", sql`${t.costUsd} >= 0`),
    check("agent_executions_completed_after_start", sql`${t.completedAt} is null or ${t.completedAt} >= ${t.startedAt}`),
    check("agent_executions_terminal_iff_completed", sql`(${t.status} = 'running') = (${t.completedAt} is null)`),
    unique("agent_executions_tenant_id_id_key").on(t.tenantId, t.id),
    uniqueIndex("agent_executions_tenant_idempotency_key_idx").on(t.tenantId, t.idempotencyKey),
    foreignKey({
      name: "agent_executions_tenant_agent_fkey",
      columns: [t.tenantId, t.agentId],
      foreignColumns: [agents.tenantId, agents.id],
    }).onDelete("cascade"),
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
  ],
);

export const agentExecutionSteps = pgTable(
  "agent_execution_steps",
  {
    tenantId: tenantIdColumn(),
    executionId: uuid("execution_id").notNull(),
    ordinal: integer("ordinal").notNull(),
    type: stepType("type").notNull(),
    data: jsonb("data").notNull(),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: "agent_execution_steps_pkey", columns: [t.executionId, t.ordinal] }),
    check("agent_execution_steps_counts_non_negative", sql`${t.ordinal} >= 1 and ${t.inputTokens} >= 0 and ${t.outputTokens} >= 0`),
    foreignKey({
      name: "agent_execution_steps_tenant_execution_fkey",
      columns: [t.tenantId, t.executionId],
      foreignColumns: [agentExecutions.tenantId, agentExecutions.id],
    }).onDelete("cascade"),
  ],
);
