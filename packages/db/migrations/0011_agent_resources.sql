CREATE TYPE "public"."agent_resource_kind" AS ENUM('tool');--> statement-breakpoint
CREATE TABLE "agent_resources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"agent_id" uuid NOT NULL,
	"kind" "agent_resource_kind" DEFAULT 'tool' NOT NULL,
	"tool_id" uuid NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"configuration" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agent_resources_tenant_agent_tool_key" UNIQUE("tenant_id","agent_id","tool_id"),
	CONSTRAINT "agent_resources_position_range" CHECK ("agent_resources"."position" between 0 and 10000),
	CONSTRAINT "agent_resources_configuration_object" CHECK (jsonb_typeof("agent_resources"."configuration") = 'object')
);
--> statement-breakpoint
ALTER TABLE "agent_resources" ADD CONSTRAINT "agent_resources_tenant_agent_fkey" FOREIGN KEY ("tenant_id","agent_id") REFERENCES "public"."agents"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_resources" ADD CONSTRAINT "agent_resources_tenant_tool_fkey" FOREIGN KEY ("tenant_id","tool_id") REFERENCES "public"."tools"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agent_resources_tenant_tool_idx" ON "agent_resources" USING btree ("tenant_id","tool_id");--> statement-breakpoint
-- Hand-added: updated_at kept by the trigger (as on every table), then a tenant table in one call
-- (RLS enabled and forced, tenant_isolation and staff_read policies, grants; docs/schema.md).
CREATE TRIGGER set_updated_at BEFORE UPDATE ON agent_resources FOR EACH ROW EXECUTE FUNCTION set_updated_at();--> statement-breakpoint
SELECT make_tenant_table('agent_resources', 'SELECT, INSERT, UPDATE, DELETE');
