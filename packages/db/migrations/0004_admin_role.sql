-- Staff access for the admin panel (`admin.*`), without BYPASSRLS: a separate role whose
-- permissive policies let it read every tenant's rows and change agents' status. Tenant
-- requests never run as this role; only procedures behind the admin check switch to it.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agent_builder_admin') THEN
    CREATE ROLE agent_builder_admin NOLOGIN NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;--> statement-breakpoint
GRANT agent_builder_admin TO CURRENT_USER;--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO agent_builder_admin;--> statement-breakpoint
GRANT SELECT ON tenants, users, spaces, agents, agent_executions, agent_execution_steps, agent_usage_stats, agent_usage_daily TO agent_builder_admin;--> statement-breakpoint
-- Pausing/archiving an agent (status, version; updated_at comes from the trigger).
GRANT UPDATE (status, version, updated_at) ON agents TO agent_builder_admin;--> statement-breakpoint
-- The audit log is append-only: insert and read, never update or delete.
GRANT SELECT, INSERT ON admin_audit_log TO agent_builder_admin;--> statement-breakpoint

CREATE POLICY staff_read ON tenants FOR SELECT TO agent_builder_admin USING (true);--> statement-breakpoint
CREATE POLICY staff_read ON users FOR SELECT TO agent_builder_admin USING (true);--> statement-breakpoint
CREATE POLICY staff_read ON spaces FOR SELECT TO agent_builder_admin USING (true);--> statement-breakpoint
CREATE POLICY staff_read ON agents FOR SELECT TO agent_builder_admin USING (true);--> statement-breakpoint
CREATE POLICY staff_read ON agent_executions FOR SELECT TO agent_builder_admin USING (true);--> statement-breakpoint
CREATE POLICY staff_read ON agent_execution_steps FOR SELECT TO agent_builder_admin USING (true);--> statement-breakpoint
CREATE POLICY staff_read ON agent_usage_stats FOR SELECT TO agent_builder_admin USING (true);--> statement-breakpoint
CREATE POLICY staff_read ON agent_usage_daily FOR SELECT TO agent_builder_admin USING (true);--> statement-breakpoint
CREATE POLICY staff_update ON agents FOR UPDATE TO agent_builder_admin USING (true) WITH CHECK (true);--> statement-breakpoint

ALTER TABLE admin_audit_log ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE admin_audit_log FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY staff_only ON admin_audit_log TO agent_builder_admin USING (true) WITH CHECK (true);
