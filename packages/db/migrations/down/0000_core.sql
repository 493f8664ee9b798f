DROP TABLE IF EXISTS agent_usage_daily;--> statement-breakpoint
DROP TABLE IF EXISTS agent_usage_stats;--> statement-breakpoint
DROP TABLE IF EXISTS agent_execution_steps;--> statement-breakpoint
DROP TABLE IF EXISTS agent_executions;--> statement-breakpoint
DROP TABLE IF EXISTS agents;--> statement-breakpoint
DROP TABLE IF EXISTS spaces;--> statement-breakpoint
DROP TABLE IF EXISTS users;--> statement-breakpoint
DROP TABLE IF EXISTS tenants;--> statement-breakpoint
DROP TYPE IF EXISTS execution_step_type;--> statement-breakpoint
DROP TYPE IF EXISTS execution_status;--> statement-breakpoint
DROP TYPE IF EXISTS agent_status;--> statement-breakpoint
DROP TYPE IF EXISTS user_role;
