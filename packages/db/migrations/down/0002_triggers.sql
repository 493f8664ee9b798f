DROP TRIGGER IF EXISTS agent_executions_count_usage ON agent_executions;--> statement-breakpoint
DROP FUNCTION IF EXISTS agent_executions_count_usage();--> statement-breakpoint
DROP TRIGGER IF EXISTS agents_create_usage_stats ON agents;--> statement-breakpoint
DROP FUNCTION IF EXISTS agents_create_usage_stats();--> statement-breakpoint
DROP TRIGGER IF EXISTS agent_executions_guard ON agent_executions;--> statement-breakpoint
DROP FUNCTION IF EXISTS agent_executions_guard();--> statement-breakpoint
DROP TRIGGER IF EXISTS set_updated_at ON tenants;--> statement-breakpoint
DROP TRIGGER IF EXISTS set_updated_at ON users;--> statement-breakpoint
DROP TRIGGER IF EXISTS set_updated_at ON spaces;--> statement-breakpoint
DROP TRIGGER IF EXISTS set_updated_at ON agents;--> statement-breakpoint
DROP TRIGGER IF EXISTS set_updated_at ON agent_executions;--> statement-breakpoint
DROP TRIGGER IF EXISTS set_updated_at ON agent_execution_steps;--> statement-breakpoint
DROP TRIGGER IF EXISTS set_updated_at ON agent_usage_stats;--> statement-breakpoint
DROP TRIGGER IF EXISTS set_updated_at ON agent_usage_daily;--> statement-breakpoint
DROP FUNCTION IF EXISTS set_updated_at();
