-- Tenant-wide daily rollup. The tenant chart summed agent_usage_daily: one row per agent, day and
-- counter slot, ~540k rows for a 90-day chart of a tenant with 1,000 agents, read in a Seq Scan
-- (1.3 s at 1M executions, docs/performance.md). The usage trigger now also keeps one row per
-- tenant, day and slot (same slot as the agent rows), so the chart reads at most 16 rows a day.

CREATE TABLE "tenant_usage_daily" (
	"tenant_id" text NOT NULL,
	"day" date NOT NULL,
	"slot" smallint DEFAULT 0 NOT NULL,
	"total_executions" bigint DEFAULT 0 NOT NULL,
	"successful_executions" bigint DEFAULT 0 NOT NULL,
	"failed_executions" bigint DEFAULT 0 NOT NULL,
	"cancelled_executions" bigint DEFAULT 0 NOT NULL,
	"input_tokens" bigint DEFAULT 0 NOT NULL,
	"output_tokens" bigint DEFAULT 0 NOT NULL,
	"total_tokens" bigint DEFAULT 0 NOT NULL,
	"total_cost_usd" numeric(18, 6) DEFAULT '0' NOT NULL,
	"total_duration_ms" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_usage_daily_pkey" PRIMARY KEY("tenant_id","day","slot")
);
--> statement-breakpoint
ALTER TABLE "tenant_usage_daily" ADD CONSTRAINT "tenant_usage_daily_tenant_fkey" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint

CREATE TRIGGER set_updated_at BEFORE UPDATE ON tenant_usage_daily FOR EACH ROW EXECUTE FUNCTION set_updated_at();--> statement-breakpoint

-- Writers of agent_executions wait until this migration commits: a completion that ran the old
-- trigger body after the backfill's snapshot would be in agent_usage_daily but never in the
-- tenant rollup. A waiting writer re-reads the function after the lock, so it runs the new body.
LOCK TABLE agent_executions IN SHARE MODE;--> statement-breakpoint

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
$$;--> statement-breakpoint

-- Backfill from the agent rows, slot for slot. RLS is lifted for the owner meanwhile: with
-- FORCE, a migrating role that is the owner but not a superuser (Neon) would read no rows.
-- Usage of agents deleted before this migration is gone from the agent rows, so it is not here.
ALTER TABLE agent_usage_daily NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
INSERT INTO tenant_usage_daily (tenant_id, day, slot, total_executions, successful_executions, failed_executions, cancelled_executions,
                                input_tokens, output_tokens, total_tokens, total_cost_usd, total_duration_ms, created_at, updated_at)
  SELECT tenant_id, day, slot, sum(total_executions), sum(successful_executions), sum(failed_executions), sum(cancelled_executions),
         sum(input_tokens), sum(output_tokens), sum(total_tokens), sum(total_cost_usd), sum(total_duration_ms), min(created_at), max(updated_at)
  FROM agent_usage_daily GROUP BY tenant_id, day, slot;--> statement-breakpoint
ALTER TABLE agent_usage_daily FORCE ROW LEVEL SECURITY;--> statement-breakpoint

-- Same wall as the other usage tables (0001_security): the app role writes it only through the
-- trigger, running as the caller, and never deletes; staff read every tenant (0004_admin_role).
ALTER TABLE tenant_usage_daily ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE tenant_usage_daily FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY tenant_isolation ON tenant_usage_daily
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON tenant_usage_daily TO agent_builder_app;--> statement-breakpoint
GRANT SELECT ON tenant_usage_daily TO agent_builder_admin;--> statement-breakpoint
CREATE POLICY staff_read ON tenant_usage_daily FOR SELECT TO agent_builder_admin USING (true);
