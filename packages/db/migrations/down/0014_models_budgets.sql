-- Rollback of 0014_models_budgets: the triggers and functions of 0014, the usage and crew-run
-- triggers as 0012 left them, the new columns (an unknown cost becomes 0 again: cost_usd is NOT
-- NULL before 0014) and the tables with their policies, grants and triggers, and the enum types.
DROP TRIGGER agent_executions_watch_budgets ON agent_executions;--> statement-breakpoint
DROP TRIGGER agent_executions_reserve_budgets ON agent_executions;--> statement-breakpoint
DROP TRIGGER agent_execution_steps_price ON agent_execution_steps;--> statement-breakpoint
DROP TRIGGER agent_executions_price ON agent_executions;--> statement-breakpoint
DROP FUNCTION agent_executions_watch_budgets();--> statement-breakpoint
DROP FUNCTION agent_executions_reserve_budgets();--> statement-breakpoint
DROP FUNCTION agent_execution_steps_price();--> statement-breakpoint
DROP FUNCTION agent_executions_price();--> statement-breakpoint
DROP FUNCTION budget_spend(budgets, timestamptz);--> statement-breakpoint
DROP FUNCTION budget_resets_at(budget_period, timestamptz);--> statement-breakpoint
DROP FUNCTION budget_period_start(budget_period, timestamptz);--> statement-breakpoint
DROP FUNCTION price_usage(jsonb, bigint, bigint, bigint, bigint, bigint);--> statement-breakpoint
DROP FUNCTION price_snapshot(models);--> statement-breakpoint
DROP FUNCTION model_price_at(text, text, text, timestamptz);--> statement-breakpoint
CREATE OR REPLACE FUNCTION agent_executions_crew_run() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parent_status execution_status;
  parent_crew uuid;
  parent_agent uuid;
  running_children bigint;
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
      NEW.cost_usd := 0;
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.status <> 'running' THEN
    RETURN NEW; -- agent_executions_guard refuses a second finish
  END IF;
  SELECT count(*) FILTER (WHERE status = 'running'),
         coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
         coalesce(sum(cached_input_tokens), 0), coalesce(sum(reasoning_tokens), 0), coalesce(sum(cost_usd), 0)
    INTO running_children, NEW.input_tokens, NEW.output_tokens, NEW.cached_input_tokens, NEW.reasoning_tokens, NEW.cost_usd
  FROM agent_executions WHERE tenant_id = NEW.tenant_id AND parent_execution_id = NEW.id;
  IF running_children > 0 THEN
    RAISE EXCEPTION 'crew run % has % running child runs: finish them first', NEW.id, running_children USING ERRCODE = 'AB412';
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
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
BEGIN
  -- A tenant import restores the counters as they were exported (tenant-transfer.ts).
  IF current_setting('app.restoring', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF NEW.status = 'running' OR (TG_OP = 'UPDATE' AND OLD.status <> 'running') THEN
    RETURN NULL;
  END IF;

  -- The tenant's row first, then the agent's: a completion waiting for the row that all of the
  -- tenant's agents share holds no agent row meanwhile, so it queues nobody else behind it.
  INSERT INTO tenant_usage_daily AS t (
    tenant_id, day, slot, total_executions, successful_executions, failed_executions,
    cancelled_executions, input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms
  ) VALUES (
    NEW.tenant_id, started_day, slot_no, top, is_succeeded * top, is_failed * top, is_cancelled * top,
    NEW.input_tokens * work, NEW.output_tokens * work, NEW.total_tokens * work, NEW.cost_usd * work, duration * top
  )
  ON CONFLICT (tenant_id, day, slot) DO UPDATE SET
    total_executions = t.total_executions + top,
    successful_executions = t.successful_executions + is_succeeded * top,
    failed_executions = t.failed_executions + is_failed * top,
    cancelled_executions = t.cancelled_executions + is_cancelled * top,
    input_tokens = t.input_tokens + NEW.input_tokens * work,
    output_tokens = t.output_tokens + NEW.output_tokens * work,
    total_tokens = t.total_tokens + NEW.total_tokens * work,
    total_cost_usd = t.total_cost_usd + NEW.cost_usd * work,
    total_duration_ms = t.total_duration_ms + duration * top;

  IF NEW.conversation_id IS NOT NULL THEN
    UPDATE conversations SET
      execution_count = execution_count + 1,
      input_tokens = input_tokens + NEW.input_tokens,
      output_tokens = output_tokens + NEW.output_tokens,
      cost_usd = cost_usd + NEW.cost_usd
    WHERE tenant_id = NEW.tenant_id AND id = NEW.conversation_id;
  END IF;

  IF NEW.agent_id IS NULL THEN
    INSERT INTO crew_usage_stats AS s (
      crew_id, slot, tenant_id, total_executions, successful_executions, failed_executions,
      cancelled_executions, input_tokens, output_tokens, total_tokens, total_cost_usd,
      total_duration_ms, last_executed_at
    ) VALUES (
      NEW.crew_id, slot_no, NEW.tenant_id, 1, is_succeeded, is_failed, is_cancelled, NEW.input_tokens,
      NEW.output_tokens, NEW.total_tokens, NEW.cost_usd, duration, NEW.started_at
    )
    ON CONFLICT (crew_id, slot) DO UPDATE SET
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

    INSERT INTO crew_usage_daily AS d (
      crew_id, day, slot, tenant_id, total_executions, successful_executions, failed_executions,
      cancelled_executions, input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms
    ) VALUES (
      NEW.crew_id, started_day, slot_no, NEW.tenant_id, 1, is_succeeded,
      is_failed, is_cancelled, NEW.input_tokens, NEW.output_tokens, NEW.total_tokens, NEW.cost_usd, duration
    )
    ON CONFLICT (crew_id, day, slot) DO UPDATE SET
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
  END IF;

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
$$;--> statement-breakpoint
DROP TABLE "budget_crossings";--> statement-breakpoint
DROP TABLE "budget_reservations";--> statement-breakpoint
DROP TABLE "budgets";--> statement-breakpoint
DROP TABLE "models";--> statement-breakpoint
DROP TYPE "public"."budget_crossing_kind";--> statement-breakpoint
DROP TYPE "public"."budget_enforcement";--> statement-breakpoint
DROP TYPE "public"."budget_period";--> statement-breakpoint
DROP TYPE "public"."budget_scope";--> statement-breakpoint
ALTER TABLE "agent_execution_steps" DROP CONSTRAINT "agent_execution_steps_counts_non_negative";--> statement-breakpoint
ALTER TABLE "agent_executions" DROP CONSTRAINT "agent_executions_counts_non_negative";--> statement-breakpoint
ALTER TABLE "agent_executions" DROP CONSTRAINT "agent_executions_cost_non_negative";--> statement-breakpoint
ALTER TABLE "agent_execution_steps" DROP COLUMN "cached_input_tokens";--> statement-breakpoint
ALTER TABLE "agent_execution_steps" DROP COLUMN "reasoning_tokens";--> statement-breakpoint
ALTER TABLE "agent_execution_steps" DROP COLUMN "cache_write_tokens";--> statement-breakpoint
ALTER TABLE "agent_execution_steps" DROP COLUMN "model";--> statement-breakpoint
ALTER TABLE "agent_execution_steps" DROP COLUMN "cost_usd";--> statement-breakpoint
ALTER TABLE "agent_execution_steps" DROP COLUMN "pricing";--> statement-breakpoint
ALTER TABLE "agent_executions" DROP COLUMN "cache_write_tokens";--> statement-breakpoint
ALTER TABLE "agent_executions" DROP COLUMN "provided_cost_usd";--> statement-breakpoint
ALTER TABLE "agent_executions" DROP COLUMN "computed_cost_usd";--> statement-breakpoint
ALTER TABLE "agent_executions" DROP COLUMN "model";--> statement-breakpoint
ALTER TABLE "agent_executions" DROP COLUMN "pricing";--> statement-breakpoint
UPDATE "agent_executions" SET "cost_usd" = 0 WHERE "cost_usd" IS NULL;--> statement-breakpoint
ALTER TABLE "agent_executions" ALTER COLUMN "cost_usd" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_usage_daily" DROP COLUMN "unpriced_executions";--> statement-breakpoint
ALTER TABLE "agent_usage_stats" DROP COLUMN "unpriced_executions";--> statement-breakpoint
ALTER TABLE "crew_usage_daily" DROP COLUMN "unpriced_executions";--> statement-breakpoint
ALTER TABLE "crew_usage_stats" DROP COLUMN "unpriced_executions";--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" DROP COLUMN "unpriced_executions";--> statement-breakpoint
ALTER TABLE "agent_execution_steps" ADD CONSTRAINT "agent_execution_steps_counts_non_negative" CHECK ("agent_execution_steps"."ordinal" >= 1 and "agent_execution_steps"."input_tokens" >= 0 and "agent_execution_steps"."output_tokens" >= 0);--> statement-breakpoint
ALTER TABLE "agent_executions" ADD CONSTRAINT "agent_executions_counts_non_negative" CHECK ("agent_executions"."input_tokens" >= 0 and "agent_executions"."output_tokens" >= 0 and "agent_executions"."cached_input_tokens" >= 0
          and "agent_executions"."reasoning_tokens" >= 0 and "agent_executions"."step_count" >= 0 and coalesce("agent_executions"."duration_ms", 0) >= 0);--> statement-breakpoint
ALTER TABLE "agent_executions" ADD CONSTRAINT "agent_executions_cost_non_negative" CHECK ("agent_executions"."cost_usd" >= 0);
