-- Hot counters: a busy agent's concurrent completions all upserted the same stats row and the
-- same daily row, so they queued on those row locks. Each completion now lands in one of 16
-- counter slots (picked from the execution id), and readers sum the slots. Still one place for
-- lifetime counters, still exact; see docs/performance.md for the measurement behind 16.

ALTER TABLE "agent_usage_stats" ADD COLUMN "slot" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_usage_stats" DROP CONSTRAINT "agent_usage_stats_pkey";--> statement-breakpoint
ALTER TABLE "agent_usage_stats" ADD CONSTRAINT "agent_usage_stats_pkey" PRIMARY KEY("agent_id","slot");--> statement-breakpoint
ALTER TABLE "agent_usage_daily" ADD COLUMN "slot" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_usage_daily" DROP CONSTRAINT "agent_usage_daily_pkey";--> statement-breakpoint
ALTER TABLE "agent_usage_daily" ADD CONSTRAINT "agent_usage_daily_pkey" PRIMARY KEY("agent_id","day","slot");--> statement-breakpoint

-- The slot of an execution. One function, so the slot count can be changed (and benchmarked)
-- without touching the trigger.
CREATE FUNCTION usage_slot(execution_id uuid) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (hashtext(execution_id::text) & 15)::smallint
$$;--> statement-breakpoint

CREATE OR REPLACE FUNCTION agent_executions_count_usage() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  is_succeeded int := (NEW.status = 'succeeded')::int;
  is_failed int := (NEW.status = 'failed')::int;
  is_cancelled int := (NEW.status = 'cancelled')::int;
  duration bigint := coalesce(NEW.duration_ms, 0);
  slot_no smallint := usage_slot(NEW.id);
BEGIN
  IF NEW.status = 'running' OR (TG_OP = 'UPDATE' AND OLD.status <> 'running') THEN
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
    NEW.agent_id, (NEW.started_at AT TIME ZONE 'UTC')::date, slot_no, NEW.tenant_id, 1, is_succeeded,
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
$$;--> statement-breakpoint--> statement-breakpoint

-- health reports applied and pending migrations; on Neon the request login role is a member of
-- agent_builder_app and reads the migrator's table through it.
GRANT USAGE ON SCHEMA drizzle TO agent_builder_app;--> statement-breakpoint
GRANT SELECT ON drizzle.__drizzle_migrations TO agent_builder_app;
