CREATE TYPE "public"."tool_language" AS ENUM('python', 'javascript', 'typescript');--> statement-breakpoint
CREATE TYPE "public"."tool_type" AS ENUM('function', 'http', 'mcp', 'builtin', 'code');--> statement-breakpoint
CREATE TABLE "tools" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"type" "tool_type" NOT NULL,
	"parameters" jsonb NOT NULL,
	"configuration" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"secrets" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"code" text,
	"language" "tool_language",
	"usage_examples" text[] DEFAULT '{}'::text[] NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_by" uuid NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tools_tenant_id_id_key" UNIQUE("tenant_id","id"),
	CONSTRAINT "tools_tenant_name_key" UNIQUE("tenant_id","name"),
	CONSTRAINT "tools_name_length" CHECK (length("tools"."name") between 1 and 255),
	CONSTRAINT "tools_version_positive" CHECK ("tools"."version" >= 1),
	CONSTRAINT "tools_code_only_for_code_tools" CHECK (("tools"."type" = 'code') = ("tools"."code" is not null) and ("tools"."code" is null) = ("tools"."language" is null))
);
--> statement-breakpoint
ALTER TABLE "tools" ADD CONSTRAINT "tools_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tools" ADD CONSTRAINT "tools_tenant_creator_fkey" FOREIGN KEY ("tenant_id","created_by") REFERENCES "public"."users"("tenant_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tools_tenant_created_idx" ON "tools" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "tools_tenant_updated_idx" ON "tools" USING btree ("tenant_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "tools_tenant_type_idx" ON "tools" USING btree ("tenant_id","type");--> statement-breakpoint
CREATE INDEX "tools_tags_gin_idx" ON "tools" USING gin ("tags");--> statement-breakpoint
-- Hand-added: updated_at kept by the trigger (as on every table), then a tenant table in one call
-- (RLS enabled and forced, tenant_isolation and staff_read policies, grants; docs/schema.md).
CREATE TRIGGER set_updated_at BEFORE UPDATE ON tools FOR EACH ROW EXECUTE FUNCTION set_updated_at();--> statement-breakpoint
SELECT make_tenant_table('tools', 'SELECT, INSERT, UPDATE, DELETE');
