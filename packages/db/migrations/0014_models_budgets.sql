CREATE TYPE "public"."budget_crossing_kind" AS ENUM('threshold', 'exceeded');--> statement-breakpoint
CREATE TYPE "public"."budget_enforcement" AS ENUM('hard', 'soft');--> statement-breakpoint
CREATE TYPE "public"."budget_period" AS ENUM('daily', 'monthly');--> statement-breakpoint
CREATE TYPE "public"."budget_scope" AS ENUM('tenant', 'space', 'agent', 'crew');--> statement-breakpoint
CREATE TABLE "budget_crossings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"budget_id" uuid NOT NULL,
	"period_start" date NOT NULL,
	"kind" "budget_crossing_kind" NOT NULL,
	"spend_usd" numeric(18, 6) NOT NULL,
	"limit_usd" numeric(16, 6) NOT NULL,
	"threshold_percent" smallint,
	"execution_id" uuid,
	"crossed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budget_crossings_budget_period_kind_key" UNIQUE("budget_id","period_start","kind")
);
--> statement-breakpoint
CREATE TABLE "budget_reservations" (
	"tenant_id" text NOT NULL,
	"execution_id" uuid NOT NULL,
	"budget_id" uuid NOT NULL,
	"amount_usd" numeric(16, 6) NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budget_reservations_pkey" PRIMARY KEY("execution_id","budget_id"),
	CONSTRAINT "budget_reservations_amount_non_negative" CHECK ("budget_reservations"."amount_usd" >= 0)
);
--> statement-breakpoint
CREATE TABLE "budgets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"scope" "budget_scope" NOT NULL,
	"space_id" uuid,
	"agent_id" uuid,
	"crew_id" uuid,
	"period" "budget_period" NOT NULL,
	"limit_usd" numeric(16, 6) NOT NULL,
	"enforcement" "budget_enforcement" NOT NULL,
	"alert_threshold_percent" smallint,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "budgets_tenant_id_id_key" UNIQUE("tenant_id","id"),
	CONSTRAINT "budgets_scope_target" CHECK (("budgets"."scope" = 'tenant' and "budgets"."space_id" is null and "budgets"."agent_id" is null and "budgets"."crew_id" is null)
          or ("budgets"."scope" = 'space' and "budgets"."space_id" is not null and "budgets"."agent_id" is null and "budgets"."crew_id" is null)
          or ("budgets"."scope" = 'agent' and "budgets"."agent_id" is not null and "budgets"."space_id" is null and "budgets"."crew_id" is null)
          or ("budgets"."scope" = 'crew' and "budgets"."crew_id" is not null and "budgets"."space_id" is null and "budgets"."agent_id" is null)),
	CONSTRAINT "budgets_limit_positive" CHECK ("budgets"."limit_usd" > 0 and "budgets"."limit_usd" <= 1000000000),
	CONSTRAINT "budgets_threshold_percent" CHECK ("budgets"."alert_threshold_percent" is null or "budgets"."alert_threshold_percent" between 1 and 100)
);
--> statement-breakpoint
CREATE TABLE "models" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text,
	"provider" text NOT NULL,
	"model_name" text NOT NULL,
	"match_patterns" text[] NOT NULL,
	"input_price" numeric(12, 6) NOT NULL,
	"output_price" numeric(12, 6) NOT NULL,
	"cached_input_price" numeric(12, 6),
	"cache_write_price" numeric(12, 6),
	"reasoning_price" numeric(12, 6),
	"tiers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"currency" text DEFAULT 'USD' NOT NULL,
	"valid_from" timestamp with time zone DEFAULT '1970-01-01T00:00:00Z' NOT NULL,
	"source" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "models_tenant_provider_model_valid_from_key" UNIQUE NULLS NOT DISTINCT("tenant_id","provider","model_name","valid_from"),
	CONSTRAINT "models_currency_usd" CHECK ("models"."currency" = 'USD'),
	CONSTRAINT "models_prices_non_negative" CHECK ("models"."input_price" >= 0 and "models"."output_price" >= 0 and coalesce("models"."cached_input_price", 0) >= 0
          and coalesce("models"."cache_write_price", 0) >= 0 and coalesce("models"."reasoning_price", 0) >= 0),
	CONSTRAINT "models_match_patterns_bounds" CHECK (cardinality("models"."match_patterns") between 1 and 50),
	CONSTRAINT "models_tiers_array" CHECK (jsonb_typeof("models"."tiers") = 'array')
);
--> statement-breakpoint
ALTER TABLE "agent_execution_steps" DROP CONSTRAINT "agent_execution_steps_counts_non_negative";--> statement-breakpoint
ALTER TABLE "agent_executions" DROP CONSTRAINT "agent_executions_counts_non_negative";--> statement-breakpoint
ALTER TABLE "agent_executions" DROP CONSTRAINT "agent_executions_cost_non_negative";--> statement-breakpoint
ALTER TABLE "agent_executions" ALTER COLUMN "cost_usd" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_execution_steps" ADD COLUMN "cached_input_tokens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_execution_steps" ADD COLUMN "reasoning_tokens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_execution_steps" ADD COLUMN "cache_write_tokens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_execution_steps" ADD COLUMN "model" text;--> statement-breakpoint
ALTER TABLE "agent_execution_steps" ADD COLUMN "cost_usd" numeric(12, 6);--> statement-breakpoint
ALTER TABLE "agent_execution_steps" ADD COLUMN "pricing" jsonb;--> statement-breakpoint
ALTER TABLE "agent_executions" ADD COLUMN "cache_write_tokens" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_executions" ADD COLUMN "provided_cost_usd" numeric(12, 6);--> statement-breakpoint
ALTER TABLE "agent_executions" ADD COLUMN "computed_cost_usd" numeric(12, 6);--> statement-breakpoint
ALTER TABLE "agent_executions" ADD COLUMN "model" text;--> statement-breakpoint
ALTER TABLE "agent_executions" ADD COLUMN "pricing" jsonb;--> statement-breakpoint
ALTER TABLE "agent_usage_daily" ADD COLUMN "unpriced_executions" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_usage_stats" ADD COLUMN "unpriced_executions" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "crew_usage_daily" ADD COLUMN "unpriced_executions" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "crew_usage_stats" ADD COLUMN "unpriced_executions" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" ADD COLUMN "unpriced_executions" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "budget_crossings" ADD CONSTRAINT "budget_crossings_tenant_budget_fkey" FOREIGN KEY ("tenant_id","budget_id") REFERENCES "public"."budgets"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budget_reservations" ADD CONSTRAINT "budget_reservations_tenant_execution_fkey" FOREIGN KEY ("tenant_id","execution_id") REFERENCES "public"."agent_executions"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budget_reservations" ADD CONSTRAINT "budget_reservations_tenant_budget_fkey" FOREIGN KEY ("tenant_id","budget_id") REFERENCES "public"."budgets"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_tenant_space_fkey" FOREIGN KEY ("tenant_id","space_id") REFERENCES "public"."spaces"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_tenant_agent_fkey" FOREIGN KEY ("tenant_id","agent_id") REFERENCES "public"."agents"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_tenant_crew_fkey" FOREIGN KEY ("tenant_id","crew_id") REFERENCES "public"."crews"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "models" ADD CONSTRAINT "models_tenant_fkey" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "budget_crossings_tenant_crossed_idx" ON "budget_crossings" USING btree ("tenant_id","crossed_at","id");--> statement-breakpoint
CREATE INDEX "budget_reservations_budget_idx" ON "budget_reservations" USING btree ("budget_id","expires_at");--> statement-breakpoint
CREATE INDEX "budgets_tenant_scope_idx" ON "budgets" USING btree ("tenant_id","scope");--> statement-breakpoint
CREATE INDEX "budgets_tenant_agent_idx" ON "budgets" USING btree ("tenant_id","agent_id") WHERE "budgets"."agent_id" is not null;--> statement-breakpoint
CREATE INDEX "budgets_tenant_crew_idx" ON "budgets" USING btree ("tenant_id","crew_id") WHERE "budgets"."crew_id" is not null;--> statement-breakpoint
CREATE INDEX "budgets_tenant_space_idx" ON "budgets" USING btree ("tenant_id","space_id") WHERE "budgets"."space_id" is not null;--> statement-breakpoint
CREATE INDEX "models_tenant_idx" ON "models" USING btree ("tenant_id");--> statement-breakpoint
ALTER TABLE "agent_execution_steps" ADD CONSTRAINT "agent_execution_steps_counts_non_negative" CHECK ("agent_execution_steps"."ordinal" >= 1 and "agent_execution_steps"."input_tokens" >= 0 and "agent_execution_steps"."output_tokens" >= 0 and "agent_execution_steps"."cached_input_tokens" >= 0
          and "agent_execution_steps"."reasoning_tokens" >= 0 and "agent_execution_steps"."cache_write_tokens" >= 0 and coalesce("agent_execution_steps"."cost_usd", 0) >= 0);--> statement-breakpoint
ALTER TABLE "agent_executions" ADD CONSTRAINT "agent_executions_counts_non_negative" CHECK ("agent_executions"."input_tokens" >= 0 and "agent_executions"."output_tokens" >= 0 and "agent_executions"."cached_input_tokens" >= 0
          and "agent_executions"."reasoning_tokens" >= 0 and "agent_executions"."cache_write_tokens" >= 0 and "agent_executions"."step_count" >= 0 and coalesce("agent_executions"."duration_ms", 0) >= 0);--> statement-breakpoint
ALTER TABLE "agent_executions" ADD CONSTRAINT "agent_executions_cost_non_negative" CHECK ("agent_executions"."cost_usd" >= 0 and "agent_executions"."provided_cost_usd" >= 0 and "agent_executions"."computed_cost_usd" >= 0);--> statement-breakpoint
-- Hand-added below: updated_at kept by the trigger; budgets and their reservations and crossings
-- tenant tables in one call each; models a tenant table whose global rows (tenant_id null) every
-- tenant reads and only staff write; the pricing and budget functions and triggers (bodies from
-- packages/db/sql/functions/), and the usage and crew-run triggers replaced (cost may be unknown,
-- unpriced runs are counted, cache writes summed, reservations given back).
CREATE TRIGGER set_updated_at BEFORE UPDATE ON models FOR EACH ROW EXECUTE FUNCTION set_updated_at();--> statement-breakpoint
CREATE TRIGGER set_updated_at BEFORE UPDATE ON budgets FOR EACH ROW EXECUTE FUNCTION set_updated_at();--> statement-breakpoint
SELECT make_tenant_table('budgets', 'SELECT, INSERT, UPDATE, DELETE');--> statement-breakpoint
SELECT make_tenant_table('budget_reservations', 'SELECT, INSERT, UPDATE, DELETE');--> statement-breakpoint
SELECT make_tenant_table('budget_crossings', 'SELECT, INSERT, UPDATE');--> statement-breakpoint
SELECT make_tenant_table('models', 'SELECT, INSERT, UPDATE, DELETE');--> statement-breakpoint
-- Global prices: every role reads them; staff (agent_builder_admin) writes them, and only them.
CREATE POLICY shared_read ON models FOR SELECT USING (tenant_id IS NULL);--> statement-breakpoint
CREATE POLICY staff_write_shared ON models FOR ALL TO agent_builder_admin USING (tenant_id IS NULL) WITH CHECK (tenant_id IS NULL);--> statement-breakpoint
GRANT INSERT, UPDATE, DELETE ON models TO agent_builder_admin;--> statement-breakpoint
-- The price row for a reported model name at a time, for a tenant: the tenant's own rows before
-- the global ones, then rows of the run's provider, then the most specific match (an exact name
-- before a pattern, a longer pattern before a shorter), then the newest `valid_from` not after
-- `p_at`. A name matches a row when its lower-case form is LIKE one of `match_patterns`. No row:
-- the model is unpriced (every field null). Installed by 0014.
CREATE OR REPLACE FUNCTION model_price_at(p_tenant text, p_model text, p_provider text, p_at timestamptz) RETURNS models
LANGUAGE sql STABLE AS $$
  SELECT m.* FROM models m
  CROSS JOIN LATERAL (
    SELECT max(CASE WHEN p ~ '(^|[^\\])[%_]' THEN length(p) ELSE 100000 + length(p) END) AS specificity
    FROM unnest(m.match_patterns) p
    WHERE lower(p_model) LIKE p
  ) matched
  WHERE (m.tenant_id = p_tenant OR m.tenant_id IS NULL)
    AND m.valid_from <= p_at
    AND matched.specificity IS NOT NULL
  ORDER BY (m.tenant_id IS NOT NULL) DESC, (m.provider = p_provider) DESC, matched.specificity DESC,
           m.valid_from DESC, m.model_name
  LIMIT 1
$$;--> statement-breakpoint
-- A price row as executions and steps keep it (`pricing`): the unit prices in USD per million
-- tokens, its tiers, and which row it was. A later change of the row never changes a snapshot.
-- Installed by 0014.
CREATE OR REPLACE FUNCTION price_snapshot(m models) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object(
    'modelId', m.id,
    'tenantOverride', m.tenant_id IS NOT NULL,
    'provider', m.provider,
    'modelName', m.model_name,
    'source', m.source,
    'validFrom', to_char(m.valid_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'currency', m.currency,
    'input', m.input_price,
    'output', m.output_price,
    'cachedInput', m.cached_input_price,
    'cacheWrite', m.cache_write_price,
    'reasoning', m.reasoning_price,
    'tiers', m.tiers
  ))
$$;--> statement-breakpoint
-- The cost in USD of token usage at a snapshot's prices (price_snapshot), exact in numeric and
-- rounded to the micro-dollar once. Cached reads and cache writes are parts of the input tokens,
-- reasoning tokens part of the output tokens (OpenAI's usage semantics): each part is billed at
-- its own price, falling back to the input (or output) price when the row has none. Above a
-- tier's `inputTokensAbove` the whole request is billed at that tier's prices, key by key (as
-- genai-prices does). Installed by 0014.
CREATE OR REPLACE FUNCTION price_usage(prices jsonb, input_tokens bigint, output_tokens bigint, cached_input_tokens bigint,
  reasoning_tokens bigint, cache_write_tokens bigint) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
  SELECT round((
      greatest(input_tokens - cached_input_tokens - cache_write_tokens, 0) * coalesce(t->>'input', prices->>'input')::numeric
      + cached_input_tokens * coalesce(t->>'cachedInput', prices->>'cachedInput', t->>'input', prices->>'input')::numeric
      + cache_write_tokens * coalesce(t->>'cacheWrite', prices->>'cacheWrite', t->>'input', prices->>'input')::numeric
      + greatest(output_tokens - reasoning_tokens, 0) * coalesce(t->>'output', prices->>'output')::numeric
      + reasoning_tokens * coalesce(t->>'reasoning', prices->>'reasoning', t->>'output', prices->>'output')::numeric
    ) / 1000000, 6)
  FROM (
    SELECT coalesce((
      SELECT tier FROM jsonb_array_elements(coalesce(prices->'tiers', '[]'::jsonb)) tier
      WHERE input_tokens > (tier->>'inputTokensAbove')::bigint
      ORDER BY (tier->>'inputTokensAbove')::bigint DESC LIMIT 1
    ), '{}'::jsonb) AS t
  ) tier_in_force
$$;--> statement-breakpoint
-- The first day (UTC) of a budget's period holding `at`: the day itself, or the first of its
-- month. The usage rollups are keyed by the UTC day of a run's start, so spend is summed from
-- here. Installed by 0014.
CREATE OR REPLACE FUNCTION budget_period_start(period budget_period, at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE period
    WHEN 'daily' THEN (at AT TIME ZONE 'UTC')::date
    ELSE date_trunc('month', at AT TIME ZONE 'UTC')::date
  END
$$;--> statement-breakpoint
-- When the period holding `at` ends and a budget's spend starts again from 0 (UTC midnight of the
-- next day, or of the first of the next month). Installed by 0014.
CREATE OR REPLACE FUNCTION budget_resets_at(period budget_period, at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
  SELECT (budget_period_start(period, at) + CASE period WHEN 'daily' THEN interval '1 day' ELSE interval '1 month' END)
    AT TIME ZONE 'UTC'
$$;--> statement-breakpoint
-- A budget's spend in the period holding `at`, from the usage rollups (never from executions):
-- the tenant's day rows, the agent's, the crew's, or for a space the day rows of its agents
-- (their runs, crew runs' child runs included; an agent moved to another space takes its spend
-- with it). Runs count on the UTC day they started; unpriced runs count 0. The period is bounded
-- on both sides, so a past `at` gives that period's spend, not everything since. Installed by 0014.
CREATE OR REPLACE FUNCTION budget_spend(b budgets, at timestamptz) RETURNS numeric
LANGUAGE sql STABLE AS $$
  SELECT coalesce(CASE b.scope
    WHEN 'tenant' THEN (
      SELECT sum(d.total_cost_usd) FROM tenant_usage_daily d
      WHERE d.tenant_id = b.tenant_id AND d.day >= budget_period_start(b.period, at) AND d.day < (budget_resets_at(b.period, at) AT TIME ZONE 'UTC')::date)
    WHEN 'agent' THEN (
      SELECT sum(d.total_cost_usd) FROM agent_usage_daily d
      WHERE d.agent_id = b.agent_id AND d.tenant_id = b.tenant_id AND d.day >= budget_period_start(b.period, at) AND d.day < (budget_resets_at(b.period, at) AT TIME ZONE 'UTC')::date)
    WHEN 'crew' THEN (
      SELECT sum(d.total_cost_usd) FROM crew_usage_daily d
      WHERE d.crew_id = b.crew_id AND d.tenant_id = b.tenant_id AND d.day >= budget_period_start(b.period, at) AND d.day < (budget_resets_at(b.period, at) AT TIME ZONE 'UTC')::date)
    WHEN 'space' THEN (
      SELECT sum(d.total_cost_usd) FROM agents a
      JOIN agent_usage_daily d ON d.agent_id = a.id AND d.tenant_id = a.tenant_id
      WHERE a.tenant_id = b.tenant_id AND a.space_id = b.space_id AND d.day >= budget_period_start(b.period, at) AND d.day < (budget_resets_at(b.period, at) AT TIME ZONE 'UTC')::date)
  END, 0)
$$;--> statement-breakpoint
-- BEFORE INSERT OR UPDATE OF status on agent_executions, for runs of an agent (agent runs and
-- crew runs' child runs; a crew run's cost is its children's, agent_executions_crew_run). When a
-- run becomes terminal it is priced, once:
--   model: the one reported with the usage, else the agent's llm_config.model;
--   steps that reported usage (each priced when written, agent_execution_steps_price) price the
--     run: its computed cost is their sum (unknown if one of them is unpriced), and when the run
--     itself reported no tokens its tokens are theirs;
--   otherwise its own usage at the price in force at completion (model_price_at, price_usage);
--     no tokens cost 0, whatever the model;
--   cost_usd, what the usage counters count, is the caller's cost when it gave one, else the
--     computed one; null when neither is known (an unpriced model).
-- `pricing` keeps the prices used (price_snapshot), line by line, so a later price change never
-- rewrites a run. Skipped while a tenant import restores rows (app.restoring). Installed by 0014.
CREATE OR REPLACE FUNCTION agent_executions_price() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  agent_model text;
  agent_provider text;
  price models;
  snapshot jsonb;
  priced_steps record;
BEGIN
  IF current_setting('app.restoring', true) = 'on' THEN
    RETURN NEW;
  END IF;
  IF NEW.status = 'running' OR (TG_OP = 'UPDATE' AND OLD.status <> 'running') THEN
    RETURN NEW;
  END IF;
  SELECT llm_config->>'model', llm_config->>'provider' INTO agent_model, agent_provider
  FROM agents WHERE tenant_id = NEW.tenant_id AND id = NEW.agent_id;
  NEW.model := coalesce(NEW.model, agent_model);

  IF TG_OP = 'UPDATE' AND NEW.step_count > 0 THEN
    SELECT count(*) AS steps, count(*) FILTER (WHERE g.cost_usd IS NULL) AS unpriced_lines, sum(g.cost_usd) AS cost_usd,
           sum(g.input_tokens) AS input_tokens, sum(g.output_tokens) AS output_tokens,
           sum(g.cached_input_tokens) AS cached_input_tokens, sum(g.reasoning_tokens) AS reasoning_tokens,
           sum(g.cache_write_tokens) AS cache_write_tokens,
           jsonb_agg(jsonb_build_object(
             'model', g.model, 'price', g.pricing, 'steps', g.steps, 'inputTokens', g.input_tokens,
             'outputTokens', g.output_tokens, 'cachedInputTokens', g.cached_input_tokens,
             'reasoningTokens', g.reasoning_tokens, 'cacheWriteTokens', g.cache_write_tokens, 'costUsd', g.cost_usd
           ) ORDER BY g.model, g.pricing->>'modelId') AS lines
      INTO priced_steps
    FROM (
      SELECT s.model, s.pricing, count(*) AS steps,
             CASE WHEN bool_or(s.cost_usd IS NULL) THEN NULL ELSE sum(s.cost_usd) END AS cost_usd,
             sum(s.input_tokens) AS input_tokens, sum(s.output_tokens) AS output_tokens,
             sum(s.cached_input_tokens) AS cached_input_tokens, sum(s.reasoning_tokens) AS reasoning_tokens,
             sum(s.cache_write_tokens) AS cache_write_tokens
      FROM agent_execution_steps s
      WHERE s.tenant_id = NEW.tenant_id AND s.execution_id = NEW.id AND (s.input_tokens > 0 OR s.output_tokens > 0)
      GROUP BY s.model, s.pricing
    ) g
    HAVING count(*) > 0;
    IF FOUND THEN
      IF NEW.input_tokens = 0 AND NEW.output_tokens = 0 THEN
        NEW.input_tokens := priced_steps.input_tokens;
        NEW.output_tokens := priced_steps.output_tokens;
        NEW.cached_input_tokens := priced_steps.cached_input_tokens;
        NEW.reasoning_tokens := priced_steps.reasoning_tokens;
        NEW.cache_write_tokens := priced_steps.cache_write_tokens;
      END IF;
      NEW.computed_cost_usd := CASE WHEN priced_steps.unpriced_lines > 0 THEN NULL ELSE priced_steps.cost_usd END;
      NEW.pricing := jsonb_build_object('source', 'steps', 'lines', priced_steps.lines);
      NEW.cost_usd := coalesce(NEW.provided_cost_usd, NEW.computed_cost_usd);
      RETURN NEW;
    END IF;
  END IF;

  IF NEW.input_tokens = 0 AND NEW.output_tokens = 0 THEN
    NEW.computed_cost_usd := 0;
    NEW.pricing := jsonb_build_object('source', 'none', 'lines', '[]'::jsonb);
  ELSE
    price := model_price_at(NEW.tenant_id, NEW.model, agent_provider, NEW.completed_at);
    IF price.id IS NULL THEN
      NEW.computed_cost_usd := NULL;
    ELSE
      snapshot := price_snapshot(price);
      NEW.computed_cost_usd := price_usage(snapshot, NEW.input_tokens, NEW.output_tokens, NEW.cached_input_tokens,
        NEW.reasoning_tokens, NEW.cache_write_tokens);
    END IF;
    NEW.pricing := jsonb_build_object('source', 'usage', 'lines', jsonb_build_array(jsonb_build_object(
      'model', NEW.model, 'price', snapshot, 'steps', 0, 'inputTokens', NEW.input_tokens, 'outputTokens', NEW.output_tokens,
      'cachedInputTokens', NEW.cached_input_tokens, 'reasoningTokens', NEW.reasoning_tokens,
      'cacheWriteTokens', NEW.cache_write_tokens, 'costUsd', NEW.computed_cost_usd
    )));
  END IF;
  NEW.cost_usd := coalesce(NEW.provided_cost_usd, NEW.computed_cost_usd);
  RETURN NEW;
END
$$;--> statement-breakpoint
-- BEFORE INSERT on agent_execution_steps, for steps that report tokens (the trigger's WHEN): the
-- step's model is its own or its run's agent's llm_config.model, and it is priced now, at the
-- price in force (model_price_at), keeping the price used (price_snapshot). An unpriced model
-- leaves cost_usd null. The run's cost is its priced steps' sum when it finishes
-- (agent_executions_price). Skipped while a tenant import restores rows. Installed by 0014.
CREATE OR REPLACE FUNCTION agent_execution_steps_price() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  agent_model text;
  agent_provider text;
  price models;
BEGIN
  IF current_setting('app.restoring', true) = 'on' THEN
    RETURN NEW;
  END IF;
  SELECT a.llm_config->>'model', a.llm_config->>'provider' INTO agent_model, agent_provider
  FROM agent_executions e JOIN agents a ON a.tenant_id = e.tenant_id AND a.id = e.agent_id
  WHERE e.tenant_id = NEW.tenant_id AND e.id = NEW.execution_id;
  NEW.model := coalesce(NEW.model, agent_model);
  price := model_price_at(NEW.tenant_id, NEW.model, agent_provider, now());
  IF price.id IS NULL THEN
    NEW.pricing := NULL;
    NEW.cost_usd := NULL;
  ELSE
    NEW.pricing := price_snapshot(price);
    NEW.cost_usd := price_usage(NEW.pricing, NEW.input_tokens, NEW.output_tokens, NEW.cached_input_tokens,
      NEW.reasoning_tokens, NEW.cache_write_tokens);
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
-- AFTER INSERT on agent_executions of a running execution (the trigger's WHEN): checks the
-- tenant's hard budgets that the start answers to, and reserves room under each.
--   an agent run: the tenant's budgets, its agent's space's, its agent's;
--   a crew run: the tenant's, its crew's space's, its crew's;
--   a child run: its agent's only (its crew run holds the rest).
-- Starts under one budget take turns on the budget's row (FOR NO KEY UPDATE, in id order, so two
-- budgets are always locked in the same order), and each statement after the lock sees what the
-- starts before it committed (READ COMMITTED, a fresh snapshot per statement of a volatile
-- function). A start is refused (SQLSTATE AB412, PRECONDITION_FAILED with this message) when
-- the period's spend (budget_spend) plus the running executions' reservations has reached the
-- limit; otherwise it reserves its subject's average cost per priced run, or 1% of the limit
-- without history (pricingLimits in the contracts), for one hour at most. The usage trigger
-- deletes the reservations when the run finishes. So at most ceil(room / reservation) runs are
-- let in at once, and spend passes the limit only by what they cost beyond their reservation
-- (docs/schema.md, "Budgets"). No hard budget: one index probe. Installed by 0014.
CREATE OR REPLACE FUNCTION agent_executions_reserve_budgets() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  subject_space uuid;
  average_cost numeric;
  b budgets;
  spent numeric;
  reserved numeric;
BEGIN
  -- A tenant import, and `executions.record` (runs that already happened: nothing to refuse; their
  -- cost counts as it is recorded), write runs without asking budgets.
  IF current_setting('app.restoring', true) = 'on' OR current_setting('app.recording', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF NOT EXISTS (SELECT FROM budgets WHERE tenant_id = NEW.tenant_id AND enforcement = 'hard') THEN
    RETURN NULL;
  END IF;
  IF NEW.agent_id IS NOT NULL THEN
    SELECT space_id INTO subject_space FROM agents WHERE tenant_id = NEW.tenant_id AND id = NEW.agent_id;
    SELECT sum(total_cost_usd) / nullif(sum(total_executions - unpriced_executions), 0) INTO average_cost
    FROM agent_usage_stats WHERE tenant_id = NEW.tenant_id AND agent_id = NEW.agent_id;
  ELSE
    SELECT space_id INTO subject_space FROM crews WHERE tenant_id = NEW.tenant_id AND id = NEW.crew_id;
    SELECT sum(total_cost_usd) / nullif(sum(total_executions - unpriced_executions), 0) INTO average_cost
    FROM crew_usage_stats WHERE tenant_id = NEW.tenant_id AND crew_id = NEW.crew_id;
  END IF;

  FOR b IN
    SELECT * FROM budgets
    WHERE tenant_id = NEW.tenant_id AND enforcement = 'hard'
      AND ((NEW.parent_execution_id IS NULL AND scope = 'tenant')
        OR (NEW.parent_execution_id IS NULL AND scope = 'space' AND space_id = subject_space)
        OR (NEW.agent_id IS NOT NULL AND scope = 'agent' AND agent_id = NEW.agent_id)
        OR (NEW.agent_id IS NULL AND scope = 'crew' AND crew_id = NEW.crew_id))
    ORDER BY id
    FOR NO KEY UPDATE
  LOOP
    spent := budget_spend(b, now());
    SELECT coalesce(sum(amount_usd), 0) INTO reserved FROM budget_reservations
    WHERE budget_id = b.id AND expires_at > now();
    IF spent + reserved >= b.limit_usd THEN
      RAISE EXCEPTION 'budget "%" (hard, %, %) has reached its limit: spent $% of $%, and running executions reserve $% more; it resets at %',
        b.name, b.period, b.scope, trim_scale(spent), trim_scale(b.limit_usd), trim_scale(reserved),
        to_char(budget_resets_at(b.period, now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        USING ERRCODE = 'AB412';
    END IF;
    INSERT INTO budget_reservations (tenant_id, execution_id, budget_id, amount_usd, expires_at)
    VALUES (NEW.tenant_id, NEW.id, b.id, round(coalesce(average_cost, b.limit_usd * 0.01), 6), now() + interval '1 hour');
  END LOOP;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- AFTER INSERT OR UPDATE OF status on agent_executions, after the usage trigger has counted the
-- run (triggers fire in name order): when a run finishes, each budget of the tenant whose spend it
-- changed (the tenant's, its agent's and that agent's space's for a run of an agent; its crew's
-- for a crew run), hard or soft, records a crossing of its alert threshold and of its limit the
-- first time the period's spend reaches them: once per budget, period and kind (the unique key).
-- No budget: one index probe. Installed by 0014.
CREATE OR REPLACE FUNCTION agent_executions_watch_budgets() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  agent_space uuid;
BEGIN
  IF current_setting('app.restoring', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF NEW.status = 'running' OR (TG_OP = 'UPDATE' AND OLD.status <> 'running') THEN
    RETURN NULL;
  END IF;
  IF NOT EXISTS (SELECT FROM budgets WHERE tenant_id = NEW.tenant_id) THEN
    RETURN NULL;
  END IF;
  IF NEW.agent_id IS NOT NULL THEN
    SELECT space_id INTO agent_space FROM agents WHERE tenant_id = NEW.tenant_id AND id = NEW.agent_id;
  END IF;
  INSERT INTO budget_crossings (tenant_id, budget_id, period_start, kind, spend_usd, limit_usd, threshold_percent, execution_id)
  SELECT b.tenant_id, b.id, budget_period_start(b.period, now()), k.kind, s.spend, b.limit_usd,
         CASE WHEN k.kind = 'threshold' THEN b.alert_threshold_percent END, NEW.id
  FROM budgets b
  CROSS JOIN LATERAL (SELECT budget_spend(b, now()) AS spend) s
  CROSS JOIN LATERAL (VALUES
    ('threshold'::budget_crossing_kind, b.alert_threshold_percent IS NOT NULL AND s.spend * 100 >= b.limit_usd * b.alert_threshold_percent),
    ('exceeded'::budget_crossing_kind, s.spend >= b.limit_usd)
  ) k(kind, crossed)
  WHERE b.tenant_id = NEW.tenant_id AND k.crossed
    AND ((NEW.agent_id IS NOT NULL AND b.scope = 'tenant')
      OR (NEW.agent_id IS NOT NULL AND b.scope = 'agent' AND b.agent_id = NEW.agent_id)
      OR (NEW.agent_id IS NOT NULL AND b.scope = 'space' AND b.space_id = agent_space)
      OR (NEW.agent_id IS NULL AND b.scope = 'crew' AND b.crew_id = NEW.crew_id))
  ON CONFLICT (budget_id, period_start, kind) DO NOTHING;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- BEFORE INSERT OR UPDATE OF status on agent_executions, for crew runs and their child runs only
-- (the trigger's WHEN clause: agent runs never call it).
-- A child run: its crew run must be running, and it is locked (FOR SHARE) until this transaction
-- ends, so the crew run cannot finish meanwhile; the child takes the crew run's crew.
-- A crew run does no work of its own: its tokens and cost are its children's. When it becomes
-- terminal they are summed here, while its row is locked (an UPDATE's BEFORE trigger runs on the
-- locked row), by a statement that sees every child committed before it; a child still running
-- refuses the finish. So a crew's counters hold every child's usage exactly once, and the
-- tenant's count the children themselves (agent_executions_count_usage).
-- Skipped while a tenant import restores rows (app.restoring, packages/db/src/operations/tenant-transfer.ts).
-- SQLSTATE AB400 is BAD_REQUEST, AB412 PRECONDITION_FAILED. Installed by 0012, replaced by 0014
-- (cache writes, the computed cost and the unpriced child runs).
CREATE OR REPLACE FUNCTION agent_executions_crew_run() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parent_status execution_status;
  parent_crew uuid;
  parent_agent uuid;
  running_children bigint;
  unpriced_children bigint;
BEGIN
  -- A tenant import writes finished runs as they were exported (counters are restored after).
  IF current_setting('app.restoring', true) = 'on' THEN
    RETURN NEW;
  END IF;
  IF NEW.parent_execution_id IS NOT NULL THEN
    IF TG_OP = 'INSERT' THEN
      SELECT status, crew_id, agent_id INTO parent_status, parent_crew, parent_agent FROM agent_executions
      WHERE tenant_id = NEW.tenant_id AND id = NEW.parent_execution_id FOR SHARE;
      IF NOT FOUND THEN
        RETURN NEW; -- the foreign key reports it
      END IF;
      IF parent_agent IS NOT NULL THEN
        RAISE EXCEPTION 'parentExecutionId: execution % is not a crew run', NEW.parent_execution_id USING ERRCODE = 'AB400';
      END IF;
      IF parent_status <> 'running' THEN
        RAISE EXCEPTION 'crew run % is already %; it takes no more child runs', NEW.parent_execution_id, parent_status
          USING ERRCODE = 'AB412';
      END IF;
      NEW.crew_id := parent_crew;
    END IF;
    RETURN NEW;
  END IF;

  -- A crew run.
  IF NEW.status = 'running' THEN
    IF TG_OP = 'INSERT' THEN
      NEW.input_tokens := 0;
      NEW.output_tokens := 0;
      NEW.cached_input_tokens := 0;
      NEW.reasoning_tokens := 0;
      NEW.cache_write_tokens := 0;
      NEW.cost_usd := 0;
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.status <> 'running' THEN
    RETURN NEW; -- agent_executions_guard refuses a second finish
  END IF;
  SELECT count(*) FILTER (WHERE status = 'running'), count(*) FILTER (WHERE cost_usd IS NULL),
         coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
         coalesce(sum(cached_input_tokens), 0), coalesce(sum(reasoning_tokens), 0),
         coalesce(sum(cache_write_tokens), 0), coalesce(sum(cost_usd), 0)
    INTO running_children, unpriced_children, NEW.input_tokens, NEW.output_tokens, NEW.cached_input_tokens,
         NEW.reasoning_tokens, NEW.cache_write_tokens, NEW.cost_usd
  FROM agent_executions WHERE tenant_id = NEW.tenant_id AND parent_execution_id = NEW.id;
  IF running_children > 0 THEN
    RAISE EXCEPTION 'crew run % has % running child runs: finish them first', NEW.id, running_children USING ERRCODE = 'AB412';
  END IF;
  -- The known part of the children's cost; the usage counters count the crew run as unpriced
  -- when one of them is (0014).
  NEW.computed_cost_usd := NEW.cost_usd;
  NEW.pricing := jsonb_build_object('source', 'childRuns', 'unpricedChildRuns', unpriced_children, 'lines', '[]'::jsonb);
  RETURN NEW;
END
$$;--> statement-breakpoint
-- AFTER INSERT OR UPDATE OF status on agent_executions: counts an execution once, when it reaches
-- a terminal status (inserted terminal, or running -> terminal), each row in the execution's
-- counter slot (UTC day of the start). Increments are single upserts, so concurrent completions
-- serialise on the row lock and the counters stay exact (docs/schema.md, Triggers).
-- What counts where (every token and dollar once per total):
--   tenant's day: runs callers started (agent runs and crew runs, not child runs) as executions;
--     tokens and cost of the runs that did the work (agent runs and child runs, not crew runs,
--     whose totals are their children's, see agent_executions_crew_run);
--   agent's rows: its runs, child runs included (the work it did inside crews);
--   crew's rows: its crew runs, with their children's totals;
--   the conversation: a top-level run made in it (execution count, tokens, cost).
--   unpriced executions: runs whose cost is unknown (cost_usd null: no price for the model, none
--     given), counted where their tokens are; a crew run where one of its child runs is. Their
--     cost counts as 0 (0014).
-- A finished run also gives back what it reserved under hard budgets (budget_reservations).
-- Installed by 0002_triggers, replaced by 0005_usage_slots, 0007_tenant_usage_daily, 0012 and 0014.
CREATE OR REPLACE FUNCTION agent_executions_count_usage() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  is_succeeded int := (NEW.status = 'succeeded')::int;
  is_failed int := (NEW.status = 'failed')::int;
  is_cancelled int := (NEW.status = 'cancelled')::int;
  duration bigint := coalesce(NEW.duration_ms, 0);
  slot_no smallint := usage_slot(NEW.id);
  started_day date := (NEW.started_at AT TIME ZONE 'UTC')::date;
  -- Counted as one of the tenant's executions (a top-level run)?
  top int := (NEW.parent_execution_id IS NULL)::int;
  -- Its tokens and cost are work done (an agent's run), not a crew run's sum of its children?
  work int := (NEW.agent_id IS NOT NULL)::int;
  run_cost numeric := coalesce(NEW.cost_usd, 0);
  unpriced int := (NEW.cost_usd IS NULL OR coalesce((NEW.pricing->>'unpricedChildRuns')::int, 0) > 0)::int;
BEGIN
  -- A tenant import restores the counters as they were exported (tenant-transfer.ts).
  IF current_setting('app.restoring', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF NEW.status = 'running' OR (TG_OP = 'UPDATE' AND OLD.status <> 'running') THEN
    RETURN NULL;
  END IF;
  DELETE FROM budget_reservations WHERE tenant_id = NEW.tenant_id AND execution_id = NEW.id;

  -- The tenant's row first, then the agent's: a completion waiting for the row that all of the
  -- tenant's agents share holds no agent row meanwhile, so it queues nobody else behind it.
  INSERT INTO tenant_usage_daily AS t (
    tenant_id, day, slot, total_executions, successful_executions, failed_executions,
    cancelled_executions, input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms,
    unpriced_executions
  ) VALUES (
    NEW.tenant_id, started_day, slot_no, top, is_succeeded * top, is_failed * top, is_cancelled * top,
    NEW.input_tokens * work, NEW.output_tokens * work, NEW.total_tokens * work, run_cost * work, duration * top,
    unpriced * work
  )
  ON CONFLICT (tenant_id, day, slot) DO UPDATE SET
    total_executions = t.total_executions + top,
    successful_executions = t.successful_executions + is_succeeded * top,
    failed_executions = t.failed_executions + is_failed * top,
    cancelled_executions = t.cancelled_executions + is_cancelled * top,
    input_tokens = t.input_tokens + NEW.input_tokens * work,
    output_tokens = t.output_tokens + NEW.output_tokens * work,
    total_tokens = t.total_tokens + NEW.total_tokens * work,
    total_cost_usd = t.total_cost_usd + run_cost * work,
    total_duration_ms = t.total_duration_ms + duration * top,
    unpriced_executions = t.unpriced_executions + unpriced * work;

  IF NEW.conversation_id IS NOT NULL THEN
    UPDATE conversations SET
      execution_count = execution_count + 1,
      input_tokens = input_tokens + NEW.input_tokens,
      output_tokens = output_tokens + NEW.output_tokens,
      cost_usd = cost_usd + run_cost
    WHERE tenant_id = NEW.tenant_id AND id = NEW.conversation_id;
  END IF;

  IF NEW.agent_id IS NULL THEN
    INSERT INTO crew_usage_stats AS s (
      crew_id, slot, tenant_id, total_executions, successful_executions, failed_executions,
      cancelled_executions, input_tokens, output_tokens, total_tokens, total_cost_usd,
      total_duration_ms, last_executed_at, unpriced_executions
    ) VALUES (
      NEW.crew_id, slot_no, NEW.tenant_id, 1, is_succeeded, is_failed, is_cancelled, NEW.input_tokens,
      NEW.output_tokens, NEW.total_tokens, run_cost, duration, NEW.started_at, unpriced
    )
    ON CONFLICT (crew_id, slot) DO UPDATE SET
      total_executions = s.total_executions + 1,
      successful_executions = s.successful_executions + is_succeeded,
      failed_executions = s.failed_executions + is_failed,
      cancelled_executions = s.cancelled_executions + is_cancelled,
      input_tokens = s.input_tokens + NEW.input_tokens,
      output_tokens = s.output_tokens + NEW.output_tokens,
      total_tokens = s.total_tokens + NEW.total_tokens,
      total_cost_usd = s.total_cost_usd + run_cost,
      total_duration_ms = s.total_duration_ms + duration,
      last_executed_at = greatest(s.last_executed_at, NEW.started_at),
      unpriced_executions = s.unpriced_executions + unpriced;

    INSERT INTO crew_usage_daily AS d (
      crew_id, day, slot, tenant_id, total_executions, successful_executions, failed_executions,
      cancelled_executions, input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms,
      unpriced_executions
    ) VALUES (
      NEW.crew_id, started_day, slot_no, NEW.tenant_id, 1, is_succeeded,
      is_failed, is_cancelled, NEW.input_tokens, NEW.output_tokens, NEW.total_tokens, run_cost, duration, unpriced
    )
    ON CONFLICT (crew_id, day, slot) DO UPDATE SET
      total_executions = d.total_executions + 1,
      successful_executions = d.successful_executions + is_succeeded,
      failed_executions = d.failed_executions + is_failed,
      cancelled_executions = d.cancelled_executions + is_cancelled,
      input_tokens = d.input_tokens + NEW.input_tokens,
      output_tokens = d.output_tokens + NEW.output_tokens,
      total_tokens = d.total_tokens + NEW.total_tokens,
      total_cost_usd = d.total_cost_usd + run_cost,
      total_duration_ms = d.total_duration_ms + duration,
      unpriced_executions = d.unpriced_executions + unpriced;
    RETURN NULL;
  END IF;

  INSERT INTO agent_usage_stats AS s (
    agent_id, slot, tenant_id, total_executions, successful_executions, failed_executions,
    cancelled_executions, input_tokens, output_tokens, total_tokens, total_cost_usd,
    total_duration_ms, last_executed_at, unpriced_executions
  ) VALUES (
    NEW.agent_id, slot_no, NEW.tenant_id, 1, is_succeeded, is_failed, is_cancelled, NEW.input_tokens,
    NEW.output_tokens, NEW.total_tokens, run_cost, duration, NEW.started_at, unpriced
  )
  ON CONFLICT (agent_id, slot) DO UPDATE SET
    total_executions = s.total_executions + 1,
    successful_executions = s.successful_executions + is_succeeded,
    failed_executions = s.failed_executions + is_failed,
    cancelled_executions = s.cancelled_executions + is_cancelled,
    input_tokens = s.input_tokens + NEW.input_tokens,
    output_tokens = s.output_tokens + NEW.output_tokens,
    total_tokens = s.total_tokens + NEW.total_tokens,
    total_cost_usd = s.total_cost_usd + run_cost,
    total_duration_ms = s.total_duration_ms + duration,
    last_executed_at = greatest(s.last_executed_at, NEW.started_at),
    unpriced_executions = s.unpriced_executions + unpriced;

  INSERT INTO agent_usage_daily AS d (
    agent_id, day, slot, tenant_id, total_executions, successful_executions, failed_executions,
    cancelled_executions, input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms,
    unpriced_executions
  ) VALUES (
    NEW.agent_id, started_day, slot_no, NEW.tenant_id, 1, is_succeeded,
    is_failed, is_cancelled, NEW.input_tokens, NEW.output_tokens, NEW.total_tokens, run_cost, duration, unpriced
  )
  ON CONFLICT (agent_id, day, slot) DO UPDATE SET
    total_executions = d.total_executions + 1,
    successful_executions = d.successful_executions + is_succeeded,
    failed_executions = d.failed_executions + is_failed,
    cancelled_executions = d.cancelled_executions + is_cancelled,
    input_tokens = d.input_tokens + NEW.input_tokens,
    output_tokens = d.output_tokens + NEW.output_tokens,
    total_tokens = d.total_tokens + NEW.total_tokens,
    total_cost_usd = d.total_cost_usd + run_cost,
    total_duration_ms = d.total_duration_ms + duration,
    unpriced_executions = d.unpriced_executions + unpriced;

  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER agent_executions_price BEFORE INSERT OR UPDATE OF status ON agent_executions
  FOR EACH ROW WHEN (NEW.agent_id IS NOT NULL) EXECUTE FUNCTION agent_executions_price();--> statement-breakpoint
CREATE TRIGGER agent_execution_steps_price BEFORE INSERT ON agent_execution_steps
  FOR EACH ROW WHEN (NEW.input_tokens > 0 OR NEW.output_tokens > 0) EXECUTE FUNCTION agent_execution_steps_price();--> statement-breakpoint
CREATE TRIGGER agent_executions_reserve_budgets AFTER INSERT ON agent_executions
  FOR EACH ROW WHEN (NEW.status = 'running') EXECUTE FUNCTION agent_executions_reserve_budgets();--> statement-breakpoint
CREATE TRIGGER agent_executions_watch_budgets AFTER INSERT OR UPDATE OF status ON agent_executions
  FOR EACH ROW WHEN (NEW.status <> 'running') EXECUTE FUNCTION agent_executions_watch_budgets();
