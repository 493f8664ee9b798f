import { bigint, date, foreignKey, index, numeric, pgTable, primaryKey, smallint, timestamp, uuid } from "drizzle-orm/pg-core";

import { agents } from "./agents";
import { tenantIdColumn, timestamps } from "./columns";
import { crews } from "./crews";
import { tenants } from "./tenancy";

/** Counters shared by the lifetime row and the daily rollups. Written only by triggers. */
const counters = {
  totalExecutions: bigint("total_executions", { mode: "number" }).notNull().default(0),
  successfulExecutions: bigint("successful_executions", { mode: "number" }).notNull().default(0),
  failedExecutions: bigint("failed_executions", { mode: "number" }).notNull().default(0),
  cancelledExecutions: bigint("cancelled_executions", { mode: "number" }).notNull().default(0),
  inputTokens: bigint("input_tokens", { mode: "number" }).notNull().default(0),
  outputTokens: bigint("output_tokens", { mode: "number" }).notNull().default(0),
  totalTokens: bigint("total_tokens", { mode: "number" }).notNull().default(0),
  totalCostUsd: numeric("total_cost_usd", { precision: 18, scale: 6 }).notNull().default("0"),
  totalDurationMs: bigint("total_duration_ms", { mode: "number" }).notNull().default(0),
  /** Runs whose cost is unknown (no price for their model): counted, their cost left out of `total_cost_usd`. */
  unpricedExecutions: bigint("unpriced_executions", { mode: "number" }).notNull().default(0),
};

/**
 * An agent's lifetime usage: the only place lifetime counters live; the agent API sums it.
 * Counted when an execution reaches a terminal status (see the usage trigger), into one of a
 * few counter slots picked by the execution's id: a single row per agent would serialise every
 * concurrent completion of a busy agent on its row lock (docs/performance.md, hot counter).
 * Readers sum the slots; the average is derived at read time from the sums.
 */
export const agentUsageStats = pgTable(
  "agent_usage_stats",
  {
    agentId: uuid("agent_id").notNull(),
    slot: smallint("slot").notNull().default(0),
    tenantId: tenantIdColumn(),
    ...counters,
    lastExecutedAt: timestamp("last_executed_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: "agent_usage_stats_pkey", columns: [t.agentId, t.slot] }),
    foreignKey({
      name: "agent_usage_stats_tenant_agent_fkey",
      columns: [t.tenantId, t.agentId],
      foreignColumns: [agents.tenantId, agents.id],
    }).onDelete("cascade"),
    index("agent_usage_stats_tenant_idx").on(t.tenantId),
  ],
);

/**
 * Daily rollup per agent (UTC day of the execution's start), maintained by the same trigger.
 * "Today / this week / this month" are sums over these rows at read time, so they never go stale.
 */
export const agentUsageDaily = pgTable(
  "agent_usage_daily",
  {
    agentId: uuid("agent_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    /** Counter slot, as in agent_usage_stats. */
    slot: smallint("slot").notNull().default(0),
    tenantId: tenantIdColumn(),
    ...counters,
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: "agent_usage_daily_pkey", columns: [t.agentId, t.day, t.slot] }),
    foreignKey({
      name: "agent_usage_daily_tenant_agent_fkey",
      columns: [t.tenantId, t.agentId],
      foreignColumns: [agents.tenantId, agents.id],
    }).onDelete("cascade"),
    index("agent_usage_daily_tenant_day_idx").on(t.tenantId, t.day),
  ],
);

/**
 * Daily rollup per tenant (UTC day, same counter slots), maintained by the same trigger in the
 * same transaction as the agent rows. It exists for the tenant-wide chart and periods: summed
 * from `agent_usage_daily`, a 90-day chart of a tenant with 1,000 agents read ~540k rows (one
 * per agent, day and slot) in a sequential scan, 1.3 s at 1M executions; here it is at most
 * 16 rows per day, read along the primary key. The slots keep one tenant's concurrent
 * completions from queueing on a single row per day (docs/performance.md, hot counter).
 *
 * It references the tenant, not the agents: deleting an agent leaves its past usage in the
 * tenant's totals (as a bill would), while its own agent rows go by cascade.
 */
export const tenantUsageDaily = pgTable(
  "tenant_usage_daily",
  {
    tenantId: tenantIdColumn(),
    day: date("day", { mode: "string" }).notNull(),
    /** Counter slot, as in agent_usage_stats (usage_slot of the execution id). */
    slot: smallint("slot").notNull().default(0),
    ...counters,
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: "tenant_usage_daily_pkey", columns: [t.tenantId, t.day, t.slot] }),
    foreignKey({
      name: "tenant_usage_daily_tenant_fkey",
      columns: [t.tenantId],
      foreignColumns: [tenants.id],
    }).onDelete("cascade"),
  ],
);

/**
 * A crew's lifetime usage, in counter slots like an agent's. Counted once per crew run, when it
 * reaches a terminal status: one execution, and its tokens and cost, which are the sum of its
 * child runs' (set by the crew-run trigger at that moment; a crew run does no work of its own).
 * The child runs count toward their agents as they finish. A crew's executions count is the
 * sum of `total_executions` here (seed 000's counter, not kept twice).
 */
export const crewUsageStats = pgTable(
  "crew_usage_stats",
  {
    crewId: uuid("crew_id").notNull(),
    slot: smallint("slot").notNull().default(0),
    tenantId: tenantIdColumn(),
    ...counters,
    lastExecutedAt: timestamp("last_executed_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: "crew_usage_stats_pkey", columns: [t.crewId, t.slot] }),
    foreignKey({
      name: "crew_usage_stats_tenant_crew_fkey",
      columns: [t.tenantId, t.crewId],
      foreignColumns: [crews.tenantId, crews.id],
    }).onDelete("cascade"),
    index("crew_usage_stats_tenant_idx").on(t.tenantId),
  ],
);

/** Daily rollup per crew (UTC day of the crew run's start), as `agent_usage_daily` is per agent. */
export const crewUsageDaily = pgTable(
  "crew_usage_daily",
  {
    crewId: uuid("crew_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    slot: smallint("slot").notNull().default(0),
    tenantId: tenantIdColumn(),
    ...counters,
    ...timestamps,
  },
  (t) => [
    primaryKey({ name: "crew_usage_daily_pkey", columns: [t.crewId, t.day, t.slot] }),
    foreignKey({
      name: "crew_usage_daily_tenant_crew_fkey",
      columns: [t.tenantId, t.crewId],
      foreignColumns: [crews.tenantId, crews.id],
    }).onDelete("cascade"),
    index("crew_usage_daily_tenant_day_idx").on(t.tenantId, t.day),
  ],
);
