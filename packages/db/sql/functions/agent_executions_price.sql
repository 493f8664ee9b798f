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
$$;
