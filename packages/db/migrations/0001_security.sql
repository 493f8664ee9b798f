-- Row-level security: the second, independent wall between tenants.
-- The API runs every request in ONE transaction as `agent_builder_app` (no BYPASSRLS, owns no
-- table) after `set_config('app.tenant_id', <tid>, true)`. Policies compare against that
-- transaction-local setting; outside a request it reads '' (or NULL), which matches no tenant.

-- The request role. NOLOGIN: a login role (local superuser, or Neon's request role) is granted
-- membership and switches to it per transaction. Roles are cluster-wide, so create it only once.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'agent_builder_app') THEN
    CREATE ROLE agent_builder_app NOLOGIN NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- another migration run created it at the same moment
END
$$;--> statement-breakpoint
-- The migrating role must be able to SET ROLE to it (a no-op grant for superusers).
GRANT agent_builder_app TO CURRENT_USER;--> statement-breakpoint

GRANT USAGE ON SCHEMA public TO agent_builder_app;--> statement-breakpoint
-- Identity mirror rows are never deleted by the API.
GRANT SELECT, INSERT, UPDATE ON tenants, users, spaces TO agent_builder_app;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON agents, agent_executions, agent_execution_steps TO agent_builder_app;--> statement-breakpoint
-- Usage rows are written by triggers running as the caller; nothing deletes them but cascades.
GRANT SELECT, INSERT, UPDATE ON agent_usage_stats, agent_usage_daily TO agent_builder_app;--> statement-breakpoint

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY tenant_isolation ON tenants
  USING (id = current_setting('app.tenant_id', true))
  WITH CHECK (id = current_setting('app.tenant_id', true));--> statement-breakpoint

ALTER TABLE users ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE users FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY tenant_isolation ON users
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint

ALTER TABLE spaces ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE spaces FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY tenant_isolation ON spaces
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint

ALTER TABLE agents ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE agents FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY tenant_isolation ON agents
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint

ALTER TABLE agent_executions ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE agent_executions FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY tenant_isolation ON agent_executions
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint

ALTER TABLE agent_execution_steps ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE agent_execution_steps FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY tenant_isolation ON agent_execution_steps
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint

ALTER TABLE agent_usage_stats ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE agent_usage_stats FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY tenant_isolation ON agent_usage_stats
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));--> statement-breakpoint

ALTER TABLE agent_usage_daily ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE agent_usage_daily FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY tenant_isolation ON agent_usage_daily
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
