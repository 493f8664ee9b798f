-- Rollback of 0012_crews_tasks_conversations. Crew runs go first (their child runs with them, by
-- cascade): agent_id becomes NOT NULL again. Then the triggers and functions of 0012, the usage
-- trigger and the execution guard as 0007 and 0002 left them, the new columns, and the tables
-- (with their policies, grants, triggers and indexes) and enum types.
DROP TRIGGER agent_executions_crew_run ON agent_executions;--> statement-breakpoint
DROP TRIGGER agents_hierarchy_acyclic ON agents;--> statement-breakpoint
DROP FUNCTION agent_executions_crew_run();--> statement-breakpoint
DROP FUNCTION agents_hierarchy_acyclic();--> statement-breakpoint
DELETE FROM agent_executions WHERE agent_id IS NULL;--> statement-breakpoint
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
--> statement-breakpoint
CREATE OR REPLACE FUNCTION agent_executions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'running' AND NEW.status IS DISTINCT FROM OLD.status THEN
    RAISE EXCEPTION 'execution % is already %; it cannot become %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'AB409';
  END IF;
  IF NEW.tenant_id IS DISTINCT FROM OLD.tenant_id OR NEW.agent_id IS DISTINCT FROM OLD.agent_id THEN
    RAISE EXCEPTION 'an execution cannot move to another tenant or agent' USING ERRCODE = 'AB409';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
ALTER TABLE "agent_executions" DROP CONSTRAINT "agent_executions_subject";--> statement-breakpoint
ALTER TABLE "agent_executions" DROP CONSTRAINT "agent_executions_conversation_top_level";--> statement-breakpoint
ALTER TABLE "agent_executions" DROP COLUMN "crew_id";--> statement-breakpoint
ALTER TABLE "agent_executions" DROP COLUMN "parent_execution_id";--> statement-breakpoint
ALTER TABLE "agent_executions" DROP COLUMN "conversation_id";--> statement-breakpoint
ALTER TABLE "agent_executions" ALTER COLUMN "agent_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "agent_execution_steps" DROP COLUMN "task_id";--> statement-breakpoint
ALTER TABLE "agents" DROP CONSTRAINT "agents_parent_not_self";--> statement-breakpoint
ALTER TABLE "agents" DROP COLUMN "parent_agent_id";--> statement-breakpoint
DROP TABLE "conversation_messages";--> statement-breakpoint
DROP TABLE "conversations";--> statement-breakpoint
DROP TABLE "crew_usage_daily";--> statement-breakpoint
DROP TABLE "crew_usage_stats";--> statement-breakpoint
DROP TABLE "task_context";--> statement-breakpoint
DROP FUNCTION task_context_acyclic();--> statement-breakpoint
DROP TABLE "tasks";--> statement-breakpoint
DROP TABLE "crew_members";--> statement-breakpoint
DROP TABLE "crews";--> statement-breakpoint
DROP TYPE "public"."message_role";--> statement-breakpoint
DROP TYPE "public"."crew_process";
