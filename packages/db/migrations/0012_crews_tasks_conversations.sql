CREATE TYPE "public"."message_role" AS ENUM('user', 'assistant', 'system', 'tool');--> statement-breakpoint
CREATE TYPE "public"."crew_process" AS ENUM('sequential', 'hierarchical');--> statement-breakpoint
CREATE TABLE "conversation_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"conversation_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"parent_message_id" uuid,
	"role" "message_role" NOT NULL,
	"content" text,
	"parts" jsonb,
	"input_tokens" integer DEFAULT 0 NOT NULL,
	"output_tokens" integer DEFAULT 0 NOT NULL,
	"cost_usd" numeric(12, 6) DEFAULT '0' NOT NULL,
	"execution_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "conversation_messages_conversation_seq_key" UNIQUE("conversation_id","seq"),
	CONSTRAINT "conversation_messages_tenant_conversation_id_key" UNIQUE("tenant_id","conversation_id","id"),
	CONSTRAINT "conversation_messages_seq_positive" CHECK ("conversation_messages"."seq" >= 1),
	CONSTRAINT "conversation_messages_content_or_parts" CHECK (("conversation_messages"."content" is null) <> ("conversation_messages"."parts" is null)),
	CONSTRAINT "conversation_messages_content_length" CHECK (length("conversation_messages"."content") <= 100000),
	CONSTRAINT "conversation_messages_counts_non_negative" CHECK ("conversation_messages"."input_tokens" >= 0 and "conversation_messages"."output_tokens" >= 0 and "conversation_messages"."cost_usd" >= 0),
	CONSTRAINT "conversation_messages_usage_only_assistant" CHECK ("conversation_messages"."role" = 'assistant' or ("conversation_messages"."input_tokens" = 0 and "conversation_messages"."output_tokens" = 0 and "conversation_messages"."cost_usd" = 0))
);
--> statement-breakpoint
CREATE TABLE "conversations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"user_id" uuid NOT NULL,
	"agent_id" uuid,
	"crew_id" uuid,
	"title" text NOT NULL,
	"archived_at" timestamp with time zone,
	"message_count" integer DEFAULT 0 NOT NULL,
	"execution_count" integer DEFAULT 0 NOT NULL,
	"input_tokens" bigint DEFAULT 0 NOT NULL,
	"output_tokens" bigint DEFAULT 0 NOT NULL,
	"cost_usd" numeric(18, 6) DEFAULT '0' NOT NULL,
	"last_message_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "conversations_tenant_id_id_key" UNIQUE("tenant_id","id"),
	CONSTRAINT "conversations_title_length" CHECK (length("conversations"."title") between 1 and 255),
	CONSTRAINT "conversations_one_subject" CHECK (("conversations"."agent_id" is null) <> ("conversations"."crew_id" is null)),
	CONSTRAINT "conversations_counts_non_negative" CHECK ("conversations"."message_count" >= 0 and "conversations"."execution_count" >= 0 and "conversations"."input_tokens" >= 0 and "conversations"."output_tokens" >= 0 and "conversations"."cost_usd" >= 0)
);
--> statement-breakpoint
CREATE TABLE "crew_members" (
	"tenant_id" text NOT NULL,
	"crew_id" uuid NOT NULL,
	"agent_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crew_members_pkey" PRIMARY KEY("crew_id","agent_id"),
	CONSTRAINT "crew_members_tenant_crew_agent_key" UNIQUE("tenant_id","crew_id","agent_id"),
	CONSTRAINT "crew_members_position_range" CHECK ("crew_members"."position" between 0 and 49)
);
--> statement-breakpoint
CREATE TABLE "crews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"process" "crew_process" DEFAULT 'sequential' NOT NULL,
	"manager_agent_id" uuid,
	"owner_id" uuid NOT NULL,
	"space_id" uuid NOT NULL,
	"memory" boolean DEFAULT false NOT NULL,
	"verbose" boolean DEFAULT false NOT NULL,
	"max_iterations" integer,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crews_tenant_id_id_key" UNIQUE("tenant_id","id"),
	CONSTRAINT "crews_tenant_name_key" UNIQUE("tenant_id","name"),
	CONSTRAINT "crews_name_length" CHECK (length("crews"."name") between 1 and 255),
	CONSTRAINT "crews_description_length" CHECK (length("crews"."description") <= 2000),
	CONSTRAINT "crews_version_positive" CHECK ("crews"."version" >= 1),
	CONSTRAINT "crews_max_iterations_range" CHECK ("crews"."max_iterations" between 1 and 100),
	CONSTRAINT "crews_manager_iff_hierarchical" CHECK (("crews"."process" = 'hierarchical') = ("crews"."manager_agent_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "task_context" (
	"tenant_id" text NOT NULL,
	"crew_id" uuid NOT NULL,
	"task_id" uuid NOT NULL,
	"context_task_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_context_pkey" PRIMARY KEY("task_id","context_task_id"),
	CONSTRAINT "task_context_not_self" CHECK ("task_context"."task_id" <> "task_context"."context_task_id")
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"crew_id" uuid NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"expected_output" text NOT NULL,
	"agent_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"output_format" jsonb,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tasks_tenant_id_id_key" UNIQUE("tenant_id","id"),
	CONSTRAINT "tasks_tenant_crew_id_key" UNIQUE("tenant_id","crew_id","id"),
	CONSTRAINT "tasks_title_length" CHECK (length("tasks"."title") between 1 and 255),
	CONSTRAINT "tasks_description_length" CHECK (length("tasks"."description") between 1 and 20000),
	CONSTRAINT "tasks_expected_output_length" CHECK (length("tasks"."expected_output") between 1 and 20000),
	CONSTRAINT "tasks_position_range" CHECK ("tasks"."position" between 0 and 99),
	CONSTRAINT "tasks_output_format_object" CHECK ("tasks"."output_format" is null or jsonb_typeof("tasks"."output_format") = 'object'),
	CONSTRAINT "tasks_version_positive" CHECK ("tasks"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "crew_usage_daily" (
	"crew_id" uuid NOT NULL,
	"day" date NOT NULL,
	"slot" smallint DEFAULT 0 NOT NULL,
	"tenant_id" text NOT NULL,
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
	CONSTRAINT "crew_usage_daily_pkey" PRIMARY KEY("crew_id","day","slot")
);
--> statement-breakpoint
CREATE TABLE "crew_usage_stats" (
	"crew_id" uuid NOT NULL,
	"slot" smallint DEFAULT 0 NOT NULL,
	"tenant_id" text NOT NULL,
	"total_executions" bigint DEFAULT 0 NOT NULL,
	"successful_executions" bigint DEFAULT 0 NOT NULL,
	"failed_executions" bigint DEFAULT 0 NOT NULL,
	"cancelled_executions" bigint DEFAULT 0 NOT NULL,
	"input_tokens" bigint DEFAULT 0 NOT NULL,
	"output_tokens" bigint DEFAULT 0 NOT NULL,
	"total_tokens" bigint DEFAULT 0 NOT NULL,
	"total_cost_usd" numeric(18, 6) DEFAULT '0' NOT NULL,
	"total_duration_ms" bigint DEFAULT 0 NOT NULL,
	"last_executed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "crew_usage_stats_pkey" PRIMARY KEY("crew_id","slot")
);
--> statement-breakpoint
ALTER TABLE "agent_executions" ALTER COLUMN "agent_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "agents" ADD COLUMN "parent_agent_id" uuid;--> statement-breakpoint
ALTER TABLE "agent_execution_steps" ADD COLUMN "task_id" uuid;--> statement-breakpoint
ALTER TABLE "agent_executions" ADD COLUMN "crew_id" uuid;--> statement-breakpoint
ALTER TABLE "agent_executions" ADD COLUMN "parent_execution_id" uuid;--> statement-breakpoint
ALTER TABLE "agent_executions" ADD COLUMN "conversation_id" uuid;--> statement-breakpoint
ALTER TABLE "conversation_messages" ADD CONSTRAINT "conversation_messages_tenant_conversation_fkey" FOREIGN KEY ("tenant_id","conversation_id") REFERENCES "public"."conversations"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_messages" ADD CONSTRAINT "conversation_messages_parent_fkey" FOREIGN KEY ("tenant_id","conversation_id","parent_message_id") REFERENCES "public"."conversation_messages"("tenant_id","conversation_id","id") ON DELETE no action ON UPDATE no action DEFERRABLE INITIALLY IMMEDIATE;--> statement-breakpoint
ALTER TABLE "conversation_messages" ADD CONSTRAINT "conversation_messages_tenant_execution_fkey" FOREIGN KEY ("tenant_id","execution_id") REFERENCES "public"."agent_executions"("tenant_id","id") ON DELETE SET NULL ("execution_id") ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_tenant_user_fkey" FOREIGN KEY ("tenant_id","user_id") REFERENCES "public"."users"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_tenant_agent_fkey" FOREIGN KEY ("tenant_id","agent_id") REFERENCES "public"."agents"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_tenant_crew_fkey" FOREIGN KEY ("tenant_id","crew_id") REFERENCES "public"."crews"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crew_members" ADD CONSTRAINT "crew_members_tenant_crew_fkey" FOREIGN KEY ("tenant_id","crew_id") REFERENCES "public"."crews"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crew_members" ADD CONSTRAINT "crew_members_tenant_agent_fkey" FOREIGN KEY ("tenant_id","agent_id") REFERENCES "public"."agents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crews" ADD CONSTRAINT "crews_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crews" ADD CONSTRAINT "crews_tenant_space_fkey" FOREIGN KEY ("tenant_id","space_id") REFERENCES "public"."spaces"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crews" ADD CONSTRAINT "crews_tenant_owner_fkey" FOREIGN KEY ("tenant_id","owner_id") REFERENCES "public"."users"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crews" ADD CONSTRAINT "crews_tenant_manager_fkey" FOREIGN KEY ("tenant_id","manager_agent_id") REFERENCES "public"."agents"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_context" ADD CONSTRAINT "task_context_tenant_task_fkey" FOREIGN KEY ("tenant_id","crew_id","task_id") REFERENCES "public"."tasks"("tenant_id","crew_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_context" ADD CONSTRAINT "task_context_tenant_context_task_fkey" FOREIGN KEY ("tenant_id","crew_id","context_task_id") REFERENCES "public"."tasks"("tenant_id","crew_id","id") ON DELETE no action ON UPDATE no action DEFERRABLE INITIALLY DEFERRED;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_tenant_crew_fkey" FOREIGN KEY ("tenant_id","crew_id") REFERENCES "public"."crews"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_tenant_crew_member_fkey" FOREIGN KEY ("tenant_id","crew_id","agent_id") REFERENCES "public"."crew_members"("tenant_id","crew_id","agent_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crew_usage_daily" ADD CONSTRAINT "crew_usage_daily_tenant_crew_fkey" FOREIGN KEY ("tenant_id","crew_id") REFERENCES "public"."crews"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "crew_usage_stats" ADD CONSTRAINT "crew_usage_stats_tenant_crew_fkey" FOREIGN KEY ("tenant_id","crew_id") REFERENCES "public"."crews"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversation_messages_tenant_execution_idx" ON "conversation_messages" USING btree ("tenant_id","execution_id");--> statement-breakpoint
CREATE INDEX "conversations_tenant_created_idx" ON "conversations" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "conversations_tenant_user_created_idx" ON "conversations" USING btree ("tenant_id","user_id","created_at","id");--> statement-breakpoint
CREATE INDEX "conversations_tenant_agent_idx" ON "conversations" USING btree ("tenant_id","agent_id");--> statement-breakpoint
CREATE INDEX "conversations_tenant_crew_idx" ON "conversations" USING btree ("tenant_id","crew_id");--> statement-breakpoint
CREATE INDEX "crew_members_tenant_agent_idx" ON "crew_members" USING btree ("tenant_id","agent_id");--> statement-breakpoint
CREATE INDEX "crews_tenant_created_idx" ON "crews" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "crews_tenant_name_idx" ON "crews" USING btree ("tenant_id","name","id");--> statement-breakpoint
CREATE INDEX "crews_tenant_space_idx" ON "crews" USING btree ("tenant_id","space_id");--> statement-breakpoint
CREATE INDEX "crews_tenant_manager_idx" ON "crews" USING btree ("tenant_id","manager_agent_id");--> statement-breakpoint
CREATE INDEX "task_context_tenant_context_task_idx" ON "task_context" USING btree ("tenant_id","context_task_id");--> statement-breakpoint
CREATE INDEX "tasks_tenant_crew_position_idx" ON "tasks" USING btree ("tenant_id","crew_id","position","id");--> statement-breakpoint
CREATE INDEX "tasks_tenant_crew_agent_idx" ON "tasks" USING btree ("tenant_id","crew_id","agent_id");--> statement-breakpoint
CREATE INDEX "tasks_tenant_created_idx" ON "tasks" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "crew_usage_daily_tenant_day_idx" ON "crew_usage_daily" USING btree ("tenant_id","day");--> statement-breakpoint
CREATE INDEX "crew_usage_stats_tenant_idx" ON "crew_usage_stats" USING btree ("tenant_id");--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_tenant_parent_fkey" FOREIGN KEY ("tenant_id","parent_agent_id") REFERENCES "public"."agents"("tenant_id","id") ON DELETE SET NULL ("parent_agent_id") ON UPDATE no action DEFERRABLE INITIALLY IMMEDIATE;--> statement-breakpoint
ALTER TABLE "agent_execution_steps" ADD CONSTRAINT "agent_execution_steps_tenant_task_fkey" FOREIGN KEY ("tenant_id","task_id") REFERENCES "public"."tasks"("tenant_id","id") ON DELETE SET NULL ("task_id") ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_executions" ADD CONSTRAINT "agent_executions_tenant_crew_fkey" FOREIGN KEY ("tenant_id","crew_id") REFERENCES "public"."crews"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_executions" ADD CONSTRAINT "agent_executions_tenant_parent_fkey" FOREIGN KEY ("tenant_id","parent_execution_id") REFERENCES "public"."agent_executions"("tenant_id","id") ON DELETE cascade ON UPDATE no action DEFERRABLE INITIALLY IMMEDIATE;--> statement-breakpoint
ALTER TABLE "agent_executions" ADD CONSTRAINT "agent_executions_tenant_conversation_fkey" FOREIGN KEY ("tenant_id","conversation_id") REFERENCES "public"."conversations"("tenant_id","id") ON DELETE SET NULL ("conversation_id") ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agents_tenant_parent_idx" ON "agents" USING btree ("tenant_id","parent_agent_id") WHERE "agents"."parent_agent_id" is not null;--> statement-breakpoint
CREATE INDEX "agent_executions_tenant_crew_created_idx" ON "agent_executions" USING btree ("tenant_id","crew_id","created_at","id") WHERE "agent_executions"."crew_id" is not null;--> statement-breakpoint
CREATE INDEX "agent_executions_tenant_parent_idx" ON "agent_executions" USING btree ("tenant_id","parent_execution_id") WHERE "agent_executions"."parent_execution_id" is not null;--> statement-breakpoint
CREATE INDEX "agent_executions_tenant_conversation_idx" ON "agent_executions" USING btree ("tenant_id","conversation_id","created_at") WHERE "agent_executions"."conversation_id" is not null;--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_parent_not_self" CHECK ("agents"."parent_agent_id" <> "agents"."id");--> statement-breakpoint
ALTER TABLE "agent_executions" ADD CONSTRAINT "agent_executions_subject" CHECK (("agent_executions"."agent_id" is not null and "agent_executions"."crew_id" is null and "agent_executions"."parent_execution_id" is null)
          or ("agent_executions"."agent_id" is null and "agent_executions"."crew_id" is not null and "agent_executions"."parent_execution_id" is null)
          or ("agent_executions"."agent_id" is not null and "agent_executions"."crew_id" is not null and "agent_executions"."parent_execution_id" is not null));--> statement-breakpoint
ALTER TABLE "agent_executions" ADD CONSTRAINT "agent_executions_conversation_top_level" CHECK ("agent_executions"."conversation_id" is null or "agent_executions"."parent_execution_id" is null);--> statement-breakpoint
-- Hand-edited above: the four ON DELETE SET NULL keys name their column (Postgres 15), because
-- the key also holds tenant_id, which must stay; the three keys of a table to itself (an
-- agent's parent, a child run's crew run, a message's parent) are DEFERRABLE, so a tenant
-- import (rows in key order, not in tree order) checks them at commit. The key from a context
-- edge to the task it reads is checked at commit too (INITIALLY DEFERRED): deleting a crew
-- deletes its tasks and their edges in cascades whose order Postgres does not promise, and an
-- immediate check could run between the two. A task deleted alone while others read it still
-- fails, at commit (the API refuses it first, naming them). Hand-added below: updated_at kept by the
-- trigger, each new table a tenant table in one call (docs/schema.md), and the triggers:
-- agent hierarchy and task context without cycles, crew runs, the usage counting of crews and
-- conversations (function bodies from packages/db/sql/functions/).
CREATE TRIGGER set_updated_at BEFORE UPDATE ON crews FOR EACH ROW EXECUTE FUNCTION set_updated_at();--> statement-breakpoint
CREATE TRIGGER set_updated_at BEFORE UPDATE ON crew_members FOR EACH ROW EXECUTE FUNCTION set_updated_at();--> statement-breakpoint
CREATE TRIGGER set_updated_at BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION set_updated_at();--> statement-breakpoint
CREATE TRIGGER set_updated_at BEFORE UPDATE ON task_context FOR EACH ROW EXECUTE FUNCTION set_updated_at();--> statement-breakpoint
CREATE TRIGGER set_updated_at BEFORE UPDATE ON conversations FOR EACH ROW EXECUTE FUNCTION set_updated_at();--> statement-breakpoint
CREATE TRIGGER set_updated_at BEFORE UPDATE ON conversation_messages FOR EACH ROW EXECUTE FUNCTION set_updated_at();--> statement-breakpoint
CREATE TRIGGER set_updated_at BEFORE UPDATE ON crew_usage_stats FOR EACH ROW EXECUTE FUNCTION set_updated_at();--> statement-breakpoint
CREATE TRIGGER set_updated_at BEFORE UPDATE ON crew_usage_daily FOR EACH ROW EXECUTE FUNCTION set_updated_at();--> statement-breakpoint
SELECT make_tenant_table('crews', 'SELECT, INSERT, UPDATE, DELETE');--> statement-breakpoint
SELECT make_tenant_table('crew_members', 'SELECT, INSERT, UPDATE, DELETE');--> statement-breakpoint
SELECT make_tenant_table('tasks', 'SELECT, INSERT, UPDATE, DELETE');--> statement-breakpoint
SELECT make_tenant_table('task_context', 'SELECT, INSERT, UPDATE, DELETE');--> statement-breakpoint
SELECT make_tenant_table('conversations', 'SELECT, INSERT, UPDATE, DELETE');--> statement-breakpoint
SELECT make_tenant_table('conversation_messages', 'SELECT, INSERT, UPDATE, DELETE');--> statement-breakpoint
SELECT make_tenant_table('crew_usage_stats', 'SELECT, INSERT, UPDATE');--> statement-breakpoint
SELECT make_tenant_table('crew_usage_daily', 'SELECT, INSERT, UPDATE');--> statement-breakpoint
-- AFTER INSERT OR UPDATE OF parent_agent_id on agents: refuses a parent that would close a loop
-- (the agent would end up reporting to itself through its chain of parents).
-- Two requests that each add one edge of a loop (A reports to B, B to A) would each see no loop
-- in their own snapshot. So the tenant's hierarchy changes take turns on an advisory lock, and
-- the walk runs once it is held, as its own statement: under READ COMMITTED (every API
-- transaction) that statement sees what committed before it, including the other edge.
-- SQLSTATE AB400 is mapped to BAD_REQUEST with this message. Installed by 0012.
CREATE OR REPLACE FUNCTION agents_hierarchy_acyclic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.parent_agent_id IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('agent_hierarchy:' || NEW.tenant_id, 0));
  IF EXISTS (
    WITH RECURSIVE chain(id) AS (
      SELECT NEW.parent_agent_id
      UNION
      SELECT a.parent_agent_id FROM agents a JOIN chain c ON a.id = c.id
      WHERE a.tenant_id = NEW.tenant_id AND a.parent_agent_id IS NOT NULL
    )
    SELECT FROM chain WHERE id = NEW.id
  ) THEN
    RAISE EXCEPTION 'parentAgentId: agent % already reports to agent % (directly or through others); this parent would make a cycle',
      NEW.parent_agent_id, NEW.id
      USING ERRCODE = 'AB400';
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- AFTER INSERT OR UPDATE on task_context: refuses an edge that closes a loop (a task that needs,
-- through other tasks, its own output). Edges of one crew take turns on an advisory lock, and the
-- walk is its own statement once it is held, so two concurrent edits cannot each add half of a
-- loop (as agents_hierarchy_acyclic). SQLSTATE AB400 is mapped to BAD_REQUEST. Installed by 0012.
CREATE OR REPLACE FUNCTION task_context_acyclic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('task_context:' || NEW.crew_id::text, 0));
  IF EXISTS (
    WITH RECURSIVE needs(id) AS (
      SELECT NEW.context_task_id
      UNION
      SELECT c.context_task_id FROM task_context c JOIN needs n ON c.task_id = n.id
      WHERE c.tenant_id = NEW.tenant_id
    )
    SELECT FROM needs WHERE id = NEW.task_id
  ) THEN
    RAISE EXCEPTION 'context: task % already depends on task % (directly or through others); this context would make a cycle',
      NEW.context_task_id, NEW.task_id
      USING ERRCODE = 'AB400';
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- BEFORE INSERT OR UPDATE OF status on agent_executions, for crew runs and their child runs only
-- (the trigger's WHEN clause: agent runs never call it).
-- A child run: its crew run must be running, and it is locked (FOR SHARE) until this transaction
-- ends, so the crew run cannot finish meanwhile; the child takes the crew run's crew.
-- A crew run does no work of its own: its tokens and cost are its children's. When it becomes
-- terminal they are summed here, while its row is locked (an UPDATE's BEFORE trigger runs on the
-- locked row), by a statement that sees every child committed before it; a child still running
-- refuses the finish. So a crew's counters hold every child's usage exactly once, and the
-- tenant's count the children themselves (agent_executions_count_usage).
-- Skipped while a tenant import restores rows (app.restoring, packages/db/src/operations/tenant-transfer.ts).
-- SQLSTATE AB400 is BAD_REQUEST, AB412 PRECONDITION_FAILED. Installed by 0012.
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
-- BEFORE UPDATE on agent_executions: a terminal execution (succeeded, failed, cancelled) never
-- changes status again, and no execution moves to another tenant, agent, crew or crew run. SQLSTATE AB409 is
-- mapped to CONFLICT by the API. Installed by 0002_triggers, replaced by 0012.
CREATE OR REPLACE FUNCTION agent_executions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'running' AND NEW.status IS DISTINCT FROM OLD.status THEN
    RAISE EXCEPTION 'execution % is already %; it cannot become %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'AB409';
  END IF;
  IF NEW.tenant_id IS DISTINCT FROM OLD.tenant_id OR NEW.agent_id IS DISTINCT FROM OLD.agent_id
     OR NEW.crew_id IS DISTINCT FROM OLD.crew_id OR NEW.parent_execution_id IS DISTINCT FROM OLD.parent_execution_id THEN
    RAISE EXCEPTION 'an execution cannot move to another tenant, agent, crew or crew run' USING ERRCODE = 'AB409';
  END IF;
  RETURN NEW;
END
$$;--> statement-breakpoint
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
-- Installed by 0002_triggers, replaced by 0005_usage_slots, 0007_tenant_usage_daily and 0012.
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
CREATE TRIGGER agents_hierarchy_acyclic AFTER INSERT OR UPDATE OF parent_agent_id ON agents
  FOR EACH ROW EXECUTE FUNCTION agents_hierarchy_acyclic();--> statement-breakpoint
CREATE TRIGGER task_context_acyclic AFTER INSERT OR UPDATE ON task_context
  FOR EACH ROW EXECUTE FUNCTION task_context_acyclic();--> statement-breakpoint
CREATE TRIGGER agent_executions_crew_run BEFORE INSERT OR UPDATE OF status ON agent_executions
  FOR EACH ROW WHEN (NEW.agent_id IS NULL OR NEW.parent_execution_id IS NOT NULL)
  EXECUTE FUNCTION agent_executions_crew_run();