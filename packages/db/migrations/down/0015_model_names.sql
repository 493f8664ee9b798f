-- Rollback of 0015_model_names: model_price_at, price_snapshot and price_usage as 0014 left them
-- (SQL functions; model_price_at testing every row's patterns), budget_spend as 0014 left it, the
-- trigger and its function, and the table.
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
DROP TRIGGER agent_executions_price ON agent_executions;--> statement-breakpoint
CREATE TRIGGER agent_executions_price BEFORE INSERT OR UPDATE OF status ON agent_executions
  FOR EACH ROW WHEN (NEW.agent_id IS NOT NULL) EXECUTE FUNCTION agent_executions_price();--> statement-breakpoint
DROP TRIGGER models_index_names ON models;--> statement-breakpoint
DROP FUNCTION models_index_names();--> statement-breakpoint
DROP TABLE "model_names";
