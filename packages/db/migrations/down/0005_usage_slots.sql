REVOKE SELECT ON drizzle.__drizzle_migrations FROM agent_builder_app;--> statement-breakpoint
REVOKE USAGE ON SCHEMA drizzle FROM agent_builder_app;--> statement-breakpoint
CREATE OR REPLACE FUNCTION agent_executions_count_usage() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  is_succeeded int := (NEW.status = 'succeeded')::int;
  is_failed int := (NEW.status = 'failed')::int;
  is_cancelled int := (NEW.status = 'cancelled')::int;
  duration bigint := coalesce(NEW.duration_ms, 0);
BEGIN
  IF NEW.status = 'running' OR (TG_OP = 'UPDATE' AND OLD.status <> 'running') THEN
    RETURN NULL;
  END IF;

  INSERT INTO agent_usage_stats AS s (
    agent_id, tenant_id, total_executions, successful_executions, failed_executions,
    cancelled_executions, input_tokens, output_tokens, total_tokens, total_cost_usd,
    total_duration_ms, last_executed_at
  ) VALUES (
    NEW.agent_id, NEW.tenant_id, 1, is_succeeded, is_failed, is_cancelled, NEW.input_tokens,
    NEW.output_tokens, NEW.total_tokens, NEW.cost_usd, duration, NEW.started_at
  )
  ON CONFLICT (agent_id) DO UPDATE SET
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
    agent_id, day, tenant_id, total_executions, successful_executions, failed_executions,
    cancelled_executions, input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms
  ) VALUES (
    NEW.agent_id, (NEW.started_at AT TIME ZONE 'UTC')::date, NEW.tenant_id, 1, is_succeeded,
    is_failed, is_cancelled, NEW.input_tokens, NEW.output_tokens, NEW.total_tokens, NEW.cost_usd, duration
  )
  ON CONFLICT (agent_id, day) DO UPDATE SET
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
DROP FUNCTION IF EXISTS usage_slot(uuid);--> statement-breakpoint
-- Collapse the slots back into one row per agent (and per agent and day). RLS is lifted for the
-- owner while doing so: with FORCE, a non-superuser owner would otherwise see no rows.
ALTER TABLE agent_usage_stats NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE agent_usage_daily NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TEMP TABLE usage_stats_merged ON COMMIT DROP AS
  SELECT agent_id, tenant_id, sum(total_executions) AS total_executions, sum(successful_executions) AS successful_executions,
         sum(failed_executions) AS failed_executions, sum(cancelled_executions) AS cancelled_executions,
         sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(total_tokens) AS total_tokens,
         sum(total_cost_usd) AS total_cost_usd, sum(total_duration_ms) AS total_duration_ms,
         max(last_executed_at) AS last_executed_at, min(created_at) AS created_at, max(updated_at) AS updated_at
  FROM agent_usage_stats GROUP BY agent_id, tenant_id;--> statement-breakpoint
CREATE TEMP TABLE usage_daily_merged ON COMMIT DROP AS
  SELECT agent_id, day, tenant_id, sum(total_executions) AS total_executions, sum(successful_executions) AS successful_executions,
         sum(failed_executions) AS failed_executions, sum(cancelled_executions) AS cancelled_executions,
         sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens, sum(total_tokens) AS total_tokens,
         sum(total_cost_usd) AS total_cost_usd, sum(total_duration_ms) AS total_duration_ms,
         min(created_at) AS created_at, max(updated_at) AS updated_at
  FROM agent_usage_daily GROUP BY agent_id, day, tenant_id;--> statement-breakpoint
DELETE FROM agent_usage_stats;--> statement-breakpoint
DELETE FROM agent_usage_daily;--> statement-breakpoint
ALTER TABLE "agent_usage_stats" DROP CONSTRAINT "agent_usage_stats_pkey";--> statement-breakpoint
ALTER TABLE "agent_usage_stats" DROP COLUMN "slot";--> statement-breakpoint
ALTER TABLE "agent_usage_stats" ADD CONSTRAINT "agent_usage_stats_pkey" PRIMARY KEY("agent_id");--> statement-breakpoint
ALTER TABLE "agent_usage_daily" DROP CONSTRAINT "agent_usage_daily_pkey";--> statement-breakpoint
ALTER TABLE "agent_usage_daily" DROP COLUMN "slot";--> statement-breakpoint
ALTER TABLE "agent_usage_daily" ADD CONSTRAINT "agent_usage_daily_pkey" PRIMARY KEY("agent_id","day");--> statement-breakpoint
INSERT INTO agent_usage_stats (agent_id, tenant_id, total_executions, successful_executions, failed_executions, cancelled_executions,
                               input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms, last_executed_at, created_at, updated_at)
  SELECT agent_id, tenant_id, total_executions, successful_executions, failed_executions, cancelled_executions,
         input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms, last_executed_at, created_at, updated_at
  FROM usage_stats_merged;--> statement-breakpoint
INSERT INTO agent_usage_daily (agent_id, day, tenant_id, total_executions, successful_executions, failed_executions, cancelled_executions,
                               input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms, created_at, updated_at)
  SELECT agent_id, day, tenant_id, total_executions, successful_executions, failed_executions, cancelled_executions,
         input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms, created_at, updated_at
  FROM usage_daily_merged;--> statement-breakpoint
ALTER TABLE agent_usage_stats FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE agent_usage_daily FORCE ROW LEVEL SECURITY;
