DROP POLICY IF EXISTS tenant_isolation ON tenants;--> statement-breakpoint
ALTER TABLE tenants NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE tenants DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP POLICY IF EXISTS tenant_isolation ON users;--> statement-breakpoint
ALTER TABLE users NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE users DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP POLICY IF EXISTS tenant_isolation ON spaces;--> statement-breakpoint
ALTER TABLE spaces NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE spaces DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP POLICY IF EXISTS tenant_isolation ON agents;--> statement-breakpoint
ALTER TABLE agents NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE agents DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP POLICY IF EXISTS tenant_isolation ON agent_executions;--> statement-breakpoint
ALTER TABLE agent_executions NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE agent_executions DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP POLICY IF EXISTS tenant_isolation ON agent_execution_steps;--> statement-breakpoint
ALTER TABLE agent_execution_steps NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE agent_execution_steps DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP POLICY IF EXISTS tenant_isolation ON agent_usage_stats;--> statement-breakpoint
ALTER TABLE agent_usage_stats NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE agent_usage_stats DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP POLICY IF EXISTS tenant_isolation ON agent_usage_daily;--> statement-breakpoint
ALTER TABLE agent_usage_daily NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE agent_usage_daily DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
REVOKE ALL ON tenants, users, spaces, agents, agent_executions, agent_execution_steps, agent_usage_stats, agent_usage_daily FROM agent_builder_app;--> statement-breakpoint
REVOKE USAGE ON SCHEMA public FROM agent_builder_app;--> statement-breakpoint
-- The role is cluster-wide: other databases on the same server may still use it. Drop it only
-- when nothing else depends on it.
DO $$
BEGIN
  DROP ROLE agent_builder_app;
EXCEPTION WHEN dependent_objects_still_exist OR undefined_object THEN
  NULL;
END
$$;
