import { sql } from "drizzle-orm";
import {
  check,
  date,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";

import { budgetCrossingKinds, budgetEnforcements, budgetPeriods, budgetScopes, pricingLimits } from "@agent-builder/contracts";

import { agents } from "./agents";
import { sqlLiteral, tenantIdColumn, timestamps } from "./columns";
import { crews } from "./crews";
import { agentExecutions } from "./executions";
import { spaces, tenants } from "./tenancy";

/** A long-context tier: above `inputTokensAbove` input tokens the whole request is billed at these prices (genai-prices' tiers). */
export interface PriceTier {
  inputTokensAbove: number;
  input?: string;
  output?: string;
  cachedInput?: string;
  cacheWrite?: string;
  reasoning?: string;
}

const pricePerMillion = (name: string) => numeric(name, { precision: 12, scale: 6 });

/**
 * Model prices: global rows (`tenant_id` null) shipped with the service from a price source
 * (`source`, e.g. `genai-prices@0.1.8`), and a tenant's own rows, which win over global ones for
 * that tenant. A price change is a new row with a later `valid_from`, so executions priced before
 * keep their price (they also keep a snapshot of it, `agent_executions.pricing`).
 *
 * A reported model name matches a row when its lower-case form is LIKE one of `match_patterns`
 * (lower-case; `%` any run, `_` one character, `\` escapes): `gpt-4o` and `gpt-4o-2024-08-06`
 * are two exact patterns of one row. LIKE rather than regular expressions: Postgres caches 32
 * compiled expressions per connection, and a lookup over a few hundred regex patterns measured
 * 3.5 ms against 0.05 ms for LIKE (docs/schema.md). The SQL function `model_price_at` picks the row.
 */
export const models = pgTable(
  "models",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Null: a global row, read by every tenant, written by staff only. */
    tenantId: text("tenant_id"),
    provider: text("provider").notNull(),
    modelName: text("model_name").notNull(),
    matchPatterns: text("match_patterns").array().notNull(),
    /** USD per million tokens. Cached input, cache writes and reasoning fall back to input / input / output when null. */
    inputPrice: pricePerMillion("input_price").notNull(),
    outputPrice: pricePerMillion("output_price").notNull(),
    cachedInputPrice: pricePerMillion("cached_input_price"),
    cacheWritePrice: pricePerMillion("cache_write_price"),
    reasoningPrice: pricePerMillion("reasoning_price"),
    tiers: jsonb("tiers").$type<PriceTier[]>().notNull().default([]),
    currency: text("currency").notNull().default("USD"),
    validFrom: timestamp("valid_from", { withTimezone: true }).notNull().default(sql`'1970-01-01T00:00:00Z'`),
    /** Where the row came from: `genai-prices@<version>` (shipped), `staff`, or `tenant`. */
    source: text("source").notNull(),
    version: integer("version").notNull().default(1),
    ...timestamps,
  },
  (t) => [
    check("models_currency_usd", sql`${t.currency} = 'USD'`),
    check(
      "models_prices_non_negative",
      sql`${t.inputPrice} >= 0 and ${t.outputPrice} >= 0 and coalesce(${t.cachedInputPrice}, 0) >= 0
          and coalesce(${t.cacheWritePrice}, 0) >= 0 and coalesce(${t.reasoningPrice}, 0) >= 0`,
    ),
    check("models_match_patterns_bounds", sql`cardinality(${t.matchPatterns}) between 1 and ${sqlLiteral(pricingLimits.matchPatternsMax)}`),
    check("models_tiers_array", sql`jsonb_typeof(${t.tiers}) = 'array'`),
    // One price per model and start, globally and per tenant.
    unique("models_tenant_provider_model_valid_from_key").on(t.tenantId, t.provider, t.modelName, t.validFrom).nullsNotDistinct(),
    foreignKey({ name: "models_tenant_fkey", columns: [t.tenantId], foreignColumns: [tenants.id] }).onDelete("cascade"),
    index("models_tenant_idx").on(t.tenantId),
  ],
);

/**
 * The exact names (match patterns without a wildcard, unescaped) of the GLOBAL price rows, one
 * row per name: what lets `model_price_at` find the price of a reported name with one index probe
 * instead of testing every row's patterns. Measured on the local Postgres with the 210 shipped
 * rows: 0.75 ms per lookup testing patterns (a completion's largest cost: the ingestion benchmark
 * lost 21% to it) against about 0.02 ms through this index. Written only by the trigger
 * `models_index_names` (migration 0015) when a global row is written; a tenant's few rows are
 * tested directly. Not a tenant table: global prices are public to every tenant.
 */
export const modelNames = pgTable(
  "model_names",
  {
    name: text("name").notNull(),
    modelId: uuid("model_id")
      .notNull()
      .references(() => models.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ name: "model_names_pkey", columns: [t.name, t.modelId] }), index("model_names_model_idx").on(t.modelId)],
);

export const budgetScope = pgEnum("budget_scope", budgetScopes);
export const budgetPeriod = pgEnum("budget_period", budgetPeriods);
export const budgetEnforcement = pgEnum("budget_enforcement", budgetEnforcements);
export const budgetCrossingKind = pgEnum("budget_crossing_kind", budgetCrossingKinds);

/**
 * A spend limit for the tenant, a space, an agent or a crew, per UTC day or UTC calendar month.
 * Spend is read from the usage rollups (`budget_spend`), never from executions. A hard budget is
 * checked when an execution starts (trigger `agent_executions_reserve_budgets`).
 */
export const budgets = pgTable(
  "budgets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    name: text("name").notNull(),
    scope: budgetScope("scope").notNull(),
    spaceId: uuid("space_id"),
    agentId: uuid("agent_id"),
    crewId: uuid("crew_id"),
    period: budgetPeriod("period").notNull(),
    limitUsd: numeric("limit_usd", { precision: 16, scale: 6 }).notNull(),
    enforcement: budgetEnforcement("enforcement").notNull(),
    /** Percent of the limit at which a crossing of kind `threshold` is recorded; null: none. */
    alertThresholdPercent: smallint("alert_threshold_percent"),
    version: integer("version").notNull().default(1),
    ...timestamps,
  },
  (t) => [
    check(
      "budgets_scope_target",
      sql`(${t.scope} = 'tenant' and ${t.spaceId} is null and ${t.agentId} is null and ${t.crewId} is null)
          or (${t.scope} = 'space' and ${t.spaceId} is not null and ${t.agentId} is null and ${t.crewId} is null)
          or (${t.scope} = 'agent' and ${t.agentId} is not null and ${t.spaceId} is null and ${t.crewId} is null)
          or (${t.scope} = 'crew' and ${t.crewId} is not null and ${t.spaceId} is null and ${t.agentId} is null)`,
    ),
    check("budgets_limit_positive", sql`${t.limitUsd} > 0 and ${t.limitUsd} <= ${sqlLiteral(pricingLimits.budgetLimitUsdMax)}`),
    check("budgets_threshold_percent", sql`${t.alertThresholdPercent} is null or ${t.alertThresholdPercent} between 1 and 100`),
    unique("budgets_tenant_id_id_key").on(t.tenantId, t.id),
    // A budget goes with what it limits.
    foreignKey({
      name: "budgets_tenant_space_fkey",
      columns: [t.tenantId, t.spaceId],
      foreignColumns: [spaces.tenantId, spaces.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "budgets_tenant_agent_fkey",
      columns: [t.tenantId, t.agentId],
      foreignColumns: [agents.tenantId, agents.id],
    }).onDelete("cascade"),
    foreignKey({ name: "budgets_tenant_crew_fkey", columns: [t.tenantId, t.crewId], foreignColumns: [crews.tenantId, crews.id] }).onDelete(
      "cascade",
    ),
    index("budgets_tenant_scope_idx").on(t.tenantId, t.scope),
    index("budgets_tenant_agent_idx").on(t.tenantId, t.agentId).where(sql`${t.agentId} is not null`),
    index("budgets_tenant_crew_idx").on(t.tenantId, t.crewId).where(sql`${t.crewId} is not null`),
    index("budgets_tenant_space_idx").on(t.tenantId, t.spaceId).where(sql`${t.spaceId} is not null`),
  ],
);

/**
 * What a running execution holds against each hard budget it started under: its subject's
 * average cost per run (or a fraction of the limit without history), until it finishes (the usage
 * trigger deletes the rows) or `expires_at`. Starts against one budget take turns on the budget's
 * row lock, so each sees the reservations of those before it (docs/schema.md, "Budgets").
 */
export const budgetReservations = pgTable(
  "budget_reservations",
  {
    tenantId: tenantIdColumn(),
    executionId: uuid("execution_id").notNull(),
    budgetId: uuid("budget_id").notNull(),
    amountUsd: numeric("amount_usd", { precision: 16, scale: 6 }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: "budget_reservations_pkey", columns: [t.executionId, t.budgetId] }),
    check("budget_reservations_amount_non_negative", sql`${t.amountUsd} >= 0`),
    foreignKey({
      name: "budget_reservations_tenant_execution_fkey",
      columns: [t.tenantId, t.executionId],
      foreignColumns: [agentExecutions.tenantId, agentExecutions.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "budget_reservations_tenant_budget_fkey",
      columns: [t.tenantId, t.budgetId],
      foreignColumns: [budgets.tenantId, budgets.id],
    }).onDelete("cascade"),
    index("budget_reservations_budget_idx").on(t.budgetId, t.expiresAt),
  ],
);

/**
 * A budget's spend reaching its alert threshold or its limit, once per budget, period and kind
 * (recorded by the trigger `agent_executions_watch_budgets` when a run finishes; webhooks deliver
 * them once those exist).
 */
export const budgetCrossings = pgTable(
  "budget_crossings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    budgetId: uuid("budget_id").notNull(),
    periodStart: date("period_start", { mode: "string" }).notNull(),
    kind: budgetCrossingKind("kind").notNull(),
    spendUsd: numeric("spend_usd", { precision: 18, scale: 6 }).notNull(),
    limitUsd: numeric("limit_usd", { precision: 16, scale: 6 }).notNull(),
    thresholdPercent: smallint("threshold_percent"),
    /** The run whose finish crossed it. */
    executionId: uuid("execution_id"),
    crossedAt: timestamp("crossed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique("budget_crossings_budget_period_kind_key").on(t.budgetId, t.periodStart, t.kind),
    foreignKey({
      name: "budget_crossings_tenant_budget_fkey",
      columns: [t.tenantId, t.budgetId],
      foreignColumns: [budgets.tenantId, budgets.id],
    }).onDelete("cascade"),
    index("budget_crossings_tenant_crossed_idx").on(t.tenantId, t.crossedAt, t.id),
  ],
);
