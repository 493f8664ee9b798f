-- AFTER INSERT OR UPDATE OF status on agent_executions: counts an execution once, when it reaches
-- a terminal status (inserted terminal, or running -> terminal), into the tenant's daily row, the
-- agent's lifetime row and the agent's daily row, each in the execution's counter slot (UTC day
-- of the start). Increments are single upserts, so concurrent completions serialise on the row
-- lock and the counters stay exact (docs/schema.md, Triggers).
-- Installed by 0002_triggers, replaced by 0005_usage_slots and 0007_tenant_usage_daily.
CREATE OR REPLACE FUNCTION agent_executions_count_usage() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  is_succeeded int := (NEW.status = 'succeeded')::int;
  is_failed int := (NEW.status = 'failed')::int;
  is_cancelled int := (NEW.status = 'cancelled')::int;
  duration bigint := coalesce(NEW.duration_ms, 0);
  slot_no smallint := usage_slot(NEW.id);
  started_day date := (NEW.started_at AT TIME ZONE 'UTC')::date;
BEGIN
  IF NEW.status = 'running' OR (TG_OP = 'UPDATE' AND OLD.status <> 'running') THEN
    RETURN NULL;
  END IF;

  -- The tenant's row first, then the agent's: a completion waiting for the row that all of the
  -- tenant's agents share holds no agent row meanwhile, so it queues nobody else behind it.
  INSERT INTO tenant_usage_daily AS t (
    tenant_id, day, slot, total_executions, successful_executions, failed_executions,
    cancelled_executions, input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms
  ) VALUES (
    NEW.tenant_id, started_day, slot_no, 1, is_succeeded, is_failed, is_cancelled,
    NEW.input_tokens, NEW.output_tokens, NEW.total_tokens, NEW.cost_usd, duration
  )
  ON CONFLICT (tenant_id, day, slot) DO UPDATE SET
    total_executions = t.total_executions + 1,
    successful_executions = t.successful_executions + is_succeeded,
    failed_executions = t.failed_executions + is_failed,
    cancelled_executions = t.cancelled_executions + is_cancelled,
    input_tokens = t.input_tokens + NEW.input_tokens,
    output_tokens = t.output_tokens + NEW.output_tokens,
    total_tokens = t.total_tokens + NEW.total_tokens,
    total_cost_usd = t.total_cost_usd + NEW.cost_usd,
    total_duration_ms = t.total_duration_ms + duration;

  INSERT INTO agent_usage_stats AS s (
    agent_id, slot, tenant_id, total_executions, successful_executions, failed_executions,
    cancelled_executions, input_tokens, output_tokens, total_tokens, total_cost_usd,
    total_duration_ms, last_executed_at
  ) VALUES (
    NEW.agent_id, slot_no, NEW.tenant_id, 1, is_succeeded, is_failed, is_cancelled, NEW.input_tokens,
    NEW.output_tokens, NEW.total_tokens, NEW.cost_usd, duration, NEW.started_at
  )
  ON CONFLICT (agent_id, slot) DO UPDATE SET
    total_executions = s.total_executions + 1,
    successful_executions = s.successful_executions + is_succeeded,
    failed_executions = s.failed_executions + is_failed,
    cancelled_executions = s.cancelled_executions + is_cancelled,
    input_tokens = s.input_tokens + NEW.input_tokens,
    output_tokens = s.output_tokens + NEW.output_tokens,
    total_tokens = s.total_tokens + NEW.total_tokens,
    total_cost_usd = s.total_cost_usd + NEW.cost_usd,
    total_duration_ms = s.total_duration_ms + duration,
    last_executed_at = greatest(s.last_executed_at, NEW.started_at);

  INSERT INTO agent_usage_daily AS d (
    agent_id, day, slot, tenant_id, total_executions, successful_executions, failed_executions,
    cancelled_executions, input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms
  ) VALUES (
    NEW.agent_id, started_day, slot_no, NEW.tenant_id, 1, is_succeeded,
    is_failed, is_cancelled, NEW.input_tokens, NEW.output_tokens, NEW.total_tokens, NEW.cost_usd, duration
  )
  ON CONFLICT (agent_id, day, slot) DO UPDATE SET
    total_executions = d.total_executions + 1,
    successful_executions = d.successful_executions + is_succeeded,
    failed_executions = d.failed_executions + is_failed,
    cancelled_executions = d.cancelled_executions + is_cancelled,
    input_tokens = d.input_tokens + NEW.input_tokens,
    output_tokens = d.output_tokens + NEW.output_tokens,
    total_tokens = d.total_tokens + NEW.total_tokens,
    total_cost_usd = d.total_cost_usd + NEW.cost_usd,
    total_duration_ms = d.total_duration_ms + duration;

  RETURN NULL;
END
$$;
