DROP POLICY IF EXISTS staff_only ON admin_audit_log;--> statement-breakpoint
ALTER TABLE admin_audit_log NO FORCE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE admin_audit_log DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP POLICY IF EXISTS staff_update ON agents;--> statement-breakpoint
DROP POLICY IF EXISTS staff_read ON tenants;--> statement-breakpoint
DROP POLICY IF EXISTS staff_read ON users;--> statement-breakpoint
DROP POLICY IF EXISTS staff_read ON spaces;--> statement-breakpoint
DROP POLICY IF EXISTS staff_read ON agents;--> statement-breakpoint
DROP POLICY IF EXISTS staff_read ON agent_executions;--> statement-breakpoint
DROP POLICY IF EXISTS staff_read ON agent_execution_steps;--> statement-breakpoint
DROP POLICY IF EXISTS staff_read ON agent_usage_stats;--> statement-breakpoint
DROP POLICY IF EXISTS staff_read ON agent_usage_daily;--> statement-breakpoint
REVOKE ALL ON tenants, users, spaces, agents, agent_executions, agent_execution_steps, agent_usage_stats, agent_usage_daily, admin_audit_log FROM agent_builder_admin;--> statement-breakpoint
REVOKE USAGE ON SCHEMA public FROM agent_builder_admin;--> statement-breakpoint
DO $$
BEGIN
  DROP ROLE agent_builder_admin;
EXCEPTION WHEN dependent_objects_still_exist OR undefined_object THEN
  NULL;
END
$$;
