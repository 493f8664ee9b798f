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
$$;
