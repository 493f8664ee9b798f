CREATE TABLE "model_names" (
	"name" text NOT NULL,
	"model_id" uuid NOT NULL,
	CONSTRAINT "model_names_pkey" PRIMARY KEY("name","model_id")
);
--> statement-breakpoint
ALTER TABLE "model_names" ADD CONSTRAINT "model_names_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "model_names_model_idx" ON "model_names" USING btree ("model_id");--> statement-breakpoint
-- Hand-added below: every role reads model_names (global prices are public); the writers of
-- global rows (staff, the price sync as the staff role) write it through the trigger; the names of
-- the global rows already there; model_price_at probes it; price_snapshot and price_usage become
-- plpgsql (bodies from packages/db/sql/functions/).
GRANT SELECT ON model_names TO agent_builder_app;--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON model_names TO agent_builder_admin;--> statement-breakpoint
-- AFTER INSERT OR UPDATE OF match_patterns on models, for global rows (the trigger's WHEN): keeps
-- model_names, the exact names of global rows (their patterns without an unescaped `%` or `_`,
-- with `\` escapes undone), for model_price_at's index probe. Runs as the writer of global rows:
-- staff and the price sync (staff role), or the migrator. Installed by 0015.
CREATE OR REPLACE FUNCTION models_index_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM model_names WHERE model_id = NEW.id;
  INSERT INTO model_names (name, model_id)
  SELECT DISTINCT regexp_replace(p, '\\(.)', '\1', 'g'), NEW.id
  FROM unnest(NEW.match_patterns) p
  WHERE p !~ '(^|[^\\])[%_]';
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER models_index_names AFTER INSERT OR UPDATE OF match_patterns ON models
  FOR EACH ROW WHEN (NEW.tenant_id IS NULL) EXECUTE FUNCTION models_index_names();--> statement-breakpoint
INSERT INTO model_names (name, model_id)
SELECT DISTINCT regexp_replace(p, '\\(.)', '\1', 'g'), m.id
FROM models m, unnest(m.match_patterns) p
WHERE m.tenant_id IS NULL AND p !~ '(^|[^\\])[%_]';--> statement-breakpoint
-- The price row for a reported model name at a time, for a tenant (no row: the model is
-- unpriced, every field null). In order, the first step that finds one decides:
--   1. the tenant's own rows (a handful: their patterns are tested directly);
--   2. global rows of the run's provider naming it exactly (model_names, one index probe);
--   3. global rows of the run's provider whose patterns match it;
--   4. and 5. the same for global rows of any provider.
-- Within a step: an exact pattern before a wildcard one, a longer pattern before a shorter, the
-- newest `valid_from` not after `p_at`, then the model name. A name matches a pattern when its
-- lower-case form is LIKE it. Steps 1 and 2 for a tenant without prices of its own are one
-- statement (the common case: 74 us for two statements, measured with track_functions while
-- completing 2,000 runs in psql). plpgsql rather than SQL: its statements keep their plans for the
-- session; a SQL function's query is planned again on every call. Installed by 0014, replaced by
-- 0015 (the exact-name probes).
CREATE OR REPLACE FUNCTION model_price_at(p_tenant text, p_model text, p_provider text, p_at timestamptz) RETURNS models
LANGUAGE plpgsql STABLE AS $$
DECLARE
  wanted text := lower(p_model);
  has_own boolean;
  exact_ids uuid[];
  chosen models;
BEGIN
  IF wanted IS NULL THEN
    RETURN chosen;
  END IF;
  -- The common case in one statement: a tenant without prices of its own, a global row of the
  -- run's provider naming the model exactly (ids from model_names first, an initplan, then the
  -- rows by primary key). Anything else takes the steps below.
  IF p_provider IS NOT NULL THEN
    SELECT m.* INTO chosen FROM models m
    WHERE m.id = ANY (ARRAY(SELECT n.model_id FROM model_names n WHERE n.name = wanted))
      AND m.valid_from <= p_at AND m.provider = p_provider
      AND NOT EXISTS (SELECT FROM models o WHERE o.tenant_id = p_tenant)
    ORDER BY m.valid_from DESC, m.model_name
    LIMIT 1;
    IF chosen.id IS NOT NULL THEN
      RETURN chosen;
    END IF;
  END IF;
  -- Whether the tenant has rows of its own, and the global rows naming it exactly, in one statement
  -- (apart: joined to models, the planner may walk the global rows instead; it did, without
  -- statistics on a fresh table).
  SELECT EXISTS (SELECT FROM models WHERE tenant_id = p_tenant), (SELECT array_agg(model_id) FROM model_names WHERE name = wanted)
    INTO has_own, exact_ids;
  IF has_own THEN
    SELECT m.* INTO chosen FROM models m
    CROSS JOIN LATERAL (
      SELECT max(CASE WHEN p ~ '(^|[^\\])[%_]' THEN length(p) ELSE 100000 + length(p) END) AS specificity
      FROM unnest(m.match_patterns) p WHERE wanted LIKE p
    ) matched
    WHERE m.tenant_id = p_tenant AND m.valid_from <= p_at AND matched.specificity IS NOT NULL
    ORDER BY (m.provider = p_provider) DESC, matched.specificity DESC, m.valid_from DESC, m.model_name
    LIMIT 1;
    IF chosen.id IS NOT NULL THEN
      RETURN chosen;
    END IF;
  END IF;
  -- pass 1: the run's provider (none without a provider); pass 2: any provider.
  FOR pass IN CASE WHEN p_provider IS NULL THEN 2 ELSE 1 END..2 LOOP
    IF exact_ids IS NOT NULL THEN
      SELECT m.* INTO chosen FROM models m
      WHERE m.id = ANY (exact_ids) AND m.valid_from <= p_at AND (pass = 2 OR m.provider = p_provider)
      ORDER BY m.valid_from DESC, m.model_name
      LIMIT 1;
      IF chosen.id IS NOT NULL THEN
        RETURN chosen;
      END IF;
    END IF;
    SELECT m.* INTO chosen FROM models m
    CROSS JOIN LATERAL (
      SELECT max(length(p)) AS specificity FROM unnest(m.match_patterns) p WHERE wanted LIKE p
    ) matched
    WHERE m.tenant_id IS NULL AND m.valid_from <= p_at AND matched.specificity IS NOT NULL
      AND (pass = 2 OR m.provider = p_provider)
    ORDER BY matched.specificity DESC, m.valid_from DESC, m.model_name
    LIMIT 1;
    IF chosen.id IS NOT NULL THEN
      RETURN chosen;
    END IF;
  END LOOP;
  RETURN chosen;
END
$$;--> statement-breakpoint
-- A price row as executions and steps keep it (`pricing`): the unit prices in USD per million
-- tokens, its tiers, and which row it was. A later change of the row never changes a snapshot.
-- plpgsql: called from triggers once per priced run, where a SQL function would be planned on
-- every call. Installed by 0014, replaced by 0015.
CREATE OR REPLACE FUNCTION price_snapshot(m models) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN jsonb_strip_nulls(jsonb_build_object(
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
  ));
END
$$;--> statement-breakpoint
-- The cost in USD of token usage at a snapshot's prices (price_snapshot), exact in numeric and
-- rounded to the micro-dollar once. Cached reads and cache writes are parts of the input tokens,
-- reasoning tokens part of the output tokens (OpenAI's usage semantics): each part is billed at
-- its own price, falling back to the input (or output) price when the row has none. Above a
-- tier's `inputTokensAbove` the whole request is billed at that tier's prices, key by key (as
-- genai-prices does). plpgsql: its expressions are evaluated without planning a query on every
-- call, as a SQL function's body would be. Installed by 0014, replaced by 0015.
CREATE OR REPLACE FUNCTION price_usage(prices jsonb, input_tokens bigint, output_tokens bigint, cached_input_tokens bigint,
  reasoning_tokens bigint, cache_write_tokens bigint) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  t jsonb := '{}'::jsonb;
  tier jsonb;
BEGIN
  IF jsonb_array_length(coalesce(prices->'tiers', '[]'::jsonb)) > 0 THEN
    FOR tier IN SELECT x FROM jsonb_array_elements(prices->'tiers') x LOOP
      IF input_tokens > (tier->>'inputTokensAbove')::bigint
         AND (t = '{}'::jsonb OR (tier->>'inputTokensAbove')::bigint > (t->>'inputTokensAbove')::bigint) THEN
        t := tier;
      END IF;
    END LOOP;
  END IF;
  RETURN round((
      greatest(input_tokens - cached_input_tokens - cache_write_tokens, 0) * coalesce(t->>'input', prices->>'input')::numeric
      + cached_input_tokens * coalesce(t->>'cachedInput', prices->>'cachedInput', t->>'input', prices->>'input')::numeric
      + cache_write_tokens * coalesce(t->>'cacheWrite', prices->>'cacheWrite', t->>'input', prices->>'input')::numeric
      + greatest(output_tokens - reasoning_tokens, 0) * coalesce(t->>'output', prices->>'output')::numeric
      + reasoning_tokens * coalesce(t->>'reasoning', prices->>'reasoning', t->>'output', prices->>'output')::numeric
    ) / 1000000, 6);
END
$$;--> statement-breakpoint
-- The pricing trigger is called only when a run finishes: every start called it for nothing
-- (the WHEN clause cannot see OLD for an INSERT OR UPDATE trigger, the function still checks it).
DROP TRIGGER agent_executions_price ON agent_executions;--> statement-breakpoint
CREATE TRIGGER agent_executions_price BEFORE INSERT OR UPDATE OF status ON agent_executions
  FOR EACH ROW WHEN (NEW.agent_id IS NOT NULL AND NEW.status <> 'running') EXECUTE FUNCTION agent_executions_price();--> statement-breakpoint
-- A budget's spend in the period holding `at`, from the usage rollups (never from executions):
-- the tenant's day rows, the agent's, the crew's, or for a space the day rows of its agents
-- (their runs, crew runs' child runs included; an agent moved to another space takes its spend
-- with it). Runs count on the UTC day they started; unpriced runs count 0. The period is bounded
-- on both sides, so a past `at` gives that period's spend, not everything since. plpgsql since 0015:
-- a SQL function called from a trigger is planned on every call; with the demo's two budgets
-- per tenant, crossings cost 1.35 ms per completion before and 0.13 ms after (track_functions,
-- 1,000 completions in psql). Installed by 0014, replaced by 0015.
CREATE OR REPLACE FUNCTION budget_spend(b budgets, at timestamptz) RETURNS numeric
LANGUAGE plpgsql STABLE AS $$
DECLARE
  first_day date := budget_period_start(b.period, at);
  next_day date := (budget_resets_at(b.period, at) AT TIME ZONE 'UTC')::date;
  spend numeric;
BEGIN
  IF b.scope = 'tenant' THEN
    SELECT sum(d.total_cost_usd) INTO spend FROM tenant_usage_daily d
    WHERE d.tenant_id = b.tenant_id AND d.day >= first_day AND d.day < next_day;
  ELSIF b.scope = 'agent' THEN
    SELECT sum(d.total_cost_usd) INTO spend FROM agent_usage_daily d
    WHERE d.agent_id = b.agent_id AND d.tenant_id = b.tenant_id AND d.day >= first_day AND d.day < next_day;
  ELSIF b.scope = 'crew' THEN
    SELECT sum(d.total_cost_usd) INTO spend FROM crew_usage_daily d
    WHERE d.crew_id = b.crew_id AND d.tenant_id = b.tenant_id AND d.day >= first_day AND d.day < next_day;
  ELSE
    SELECT sum(d.total_cost_usd) INTO spend FROM agents a
    JOIN agent_usage_daily d ON d.agent_id = a.id AND d.tenant_id = a.tenant_id
    WHERE a.tenant_id = b.tenant_id AND a.space_id = b.space_id AND d.day >= first_day AND d.day < next_day;
  END IF;
  RETURN coalesce(spend, 0);
END
$$;
