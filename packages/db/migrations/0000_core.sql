CREATE TYPE "public"."user_role" AS ENUM('member', 'service', 'admin');--> statement-breakpoint
CREATE TYPE "public"."agent_status" AS ENUM('draft', 'active', 'paused', 'archived');--> statement-breakpoint
CREATE TYPE "public"."execution_status" AS ENUM('running', 'succeeded', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."execution_step_type" AS ENUM('thought', 'action', 'tool_call', 'tool_result', 'message', 'error');--> statement-breakpoint
CREATE TABLE "spaces" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "spaces_tenant_id_id_key" UNIQUE("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_id_not_empty" CHECK (length("tenants"."id") between 1 and 255)
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"email" text,
	"display_name" text,
	"role" "user_role" DEFAULT 'member' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_tenant_id_id_key" UNIQUE("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "agents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"status" "agent_status" DEFAULT 'draft' NOT NULL,
	"owner_id" uuid NOT NULL,
	"space_id" uuid NOT NULL,
	"llm_config" jsonb NOT NULL,
	"llm_api_key" text,
	"notebook_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"enable_knowledge" boolean DEFAULT false NOT NULL,
	"enable_memory" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agents_tenant_id_id_key" UNIQUE("tenant_id","id"),
	CONSTRAINT "agents_name_length" CHECK (length("agents"."name") between 1 and 255),
	CONSTRAINT "agents_version_positive" CHECK ("agents"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "agent_execution_steps" (
	"tenant_id" text NOT NULL,
	"execution_id" uuid NOT NULL,
	"ordinal" integer NOT NULL,
	"type" "execution_step_type" NOT NULL,
	"data" jsonb NOT NULL,
	"input_tokens" integer DEFAULT 0 NOT NULL,
	"output_tokens" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agent_execution_steps_pkey" PRIMARY KEY("execution_id","ordinal"),
	CONSTRAINT "agent_execution_steps_counts_non_negative" CHECK ("agent_execution_steps"."ordinal" >= 1 and "agent_execution_steps"."input_tokens" >= 0 and "agent_execution_steps"."output_tokens" >= 0)
);
--> statement-breakpoint
CREATE TABLE "agent_executions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"agent_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"input_data" jsonb NOT NULL,
	"output_data" jsonb,
	"status" "execution_status" DEFAULT 'running' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"duration_ms" integer,
	"input_tokens" integer DEFAULT 0 NOT NULL,
	"output_tokens" integer DEFAULT 0 NOT NULL,
	"cached_input_tokens" integer DEFAULT 0 NOT NULL,
	"reasoning_tokens" integer DEFAULT 0 NOT NULL,
	"total_tokens" bigint GENERATED ALWAYS AS (input_tokens::bigint + output_tokens::bigint) STORED,
	"cost_usd" numeric(12, 6) DEFAULT '0' NOT NULL,
	"error_code" text,
	"error_message" text,
	"idempotency_key" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"step_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agent_executions_tenant_id_id_key" UNIQUE("tenant_id","id"),
	CONSTRAINT "agent_executions_counts_non_negative" CHECK ("agent_executions"."input_tokens" >= 0 and "agent_executions"."output_tokens" >= 0 and "agent_executions"."cached_input_tokens" >= 0
          and "agent_executions"."reasoning_tokens" >= 0 and "agent_executions"."step_count" >= 0 and coalesce("agent_executions"."duration_ms", 0) >= 0),
	CONSTRAINT "agent_executions_cost_non_negative" CHECK ("agent_executions"."cost_usd" >= 0),
	CONSTRAINT "agent_executions_completed_after_start" CHECK ("agent_executions"."completed_at" is null or "agent_executions"."completed_at" >= "agent_executions"."started_at"),
	CONSTRAINT "agent_executions_terminal_iff_completed" CHECK (("agent_executions"."status" = 'running') = ("agent_executions"."completed_at" is null))
);
--> statement-breakpoint
CREATE TABLE "agent_usage_daily" (
	"agent_id" uuid NOT NULL,
	"day" date NOT NULL,
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
	CONSTRAINT "agent_usage_daily_pkey" PRIMARY KEY("agent_id","day")
);
--> statement-breakpoint
CREATE TABLE "agent_usage_stats" (
	"agent_id" uuid PRIMARY KEY NOT NULL,
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
	"avg_response_time_ms" bigint GENERATED ALWAYS AS (total_duration_ms / nullif(total_executions, 0)) STORED,
	"last_executed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "spaces" ADD CONSTRAINT "spaces_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_tenant_space_fkey" FOREIGN KEY ("tenant_id","space_id") REFERENCES "public"."spaces"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agents" ADD CONSTRAINT "agents_tenant_owner_fkey" FOREIGN KEY ("tenant_id","owner_id") REFERENCES "public"."users"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_execution_steps" ADD CONSTRAINT "agent_execution_steps_tenant_execution_fkey" FOREIGN KEY ("tenant_id","execution_id") REFERENCES "public"."agent_executions"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_executions" ADD CONSTRAINT "agent_executions_tenant_agent_fkey" FOREIGN KEY ("tenant_id","agent_id") REFERENCES "public"."agents"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_executions" ADD CONSTRAINT "agent_executions_tenant_user_fkey" FOREIGN KEY ("tenant_id","user_id") REFERENCES "public"."users"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_usage_daily" ADD CONSTRAINT "agent_usage_daily_tenant_agent_fkey" FOREIGN KEY ("tenant_id","agent_id") REFERENCES "public"."agents"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_usage_stats" ADD CONSTRAINT "agent_usage_stats_tenant_agent_fkey" FOREIGN KEY ("tenant_id","agent_id") REFERENCES "public"."agents"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "spaces_tenant_id_name_idx" ON "spaces" USING btree ("tenant_id","name","id");--> statement-breakpoint
CREATE INDEX "users_tenant_id_email_idx" ON "users" USING btree ("tenant_id","email");--> statement-breakpoint
CREATE INDEX "agents_tenant_owner_status_idx" ON "agents" USING btree ("tenant_id","owner_id","status");--> statement-breakpoint
CREATE INDEX "agents_tenant_space_status_idx" ON "agents" USING btree ("tenant_id","space_id","status");--> statement-breakpoint
CREATE INDEX "agents_tenant_status_idx" ON "agents" USING btree ("tenant_id","status");--> statement-breakpoint
CREATE INDEX "agents_tenant_created_idx" ON "agents" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "agents_tenant_updated_idx" ON "agents" USING btree ("tenant_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "agents_tenant_name_idx" ON "agents" USING btree ("tenant_id","name","id");--> statement-breakpoint
CREATE INDEX "agents_notebook_ids_gin_idx" ON "agents" USING gin ("notebook_ids");--> statement-breakpoint
CREATE UNIQUE INDEX "agent_executions_tenant_idempotency_key_idx" ON "agent_executions" USING btree ("tenant_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "agent_executions_tenant_agent_created_idx" ON "agent_executions" USING btree ("tenant_id","agent_id","created_at","id");--> statement-breakpoint
CREATE INDEX "agent_executions_tenant_user_created_idx" ON "agent_executions" USING btree ("tenant_id","user_id","created_at","id");--> statement-breakpoint
CREATE INDEX "agent_executions_tenant_created_idx" ON "agent_executions" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "agent_executions_tenant_status_created_idx" ON "agent_executions" USING btree ("tenant_id","status","created_at");--> statement-breakpoint
CREATE INDEX "agent_usage_daily_tenant_day_idx" ON "agent_usage_daily" USING btree ("tenant_id","day");--> statement-breakpoint
CREATE INDEX "agent_usage_stats_tenant_idx" ON "agent_usage_stats" USING btree ("tenant_id");