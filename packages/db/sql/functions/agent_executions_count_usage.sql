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
$$;
