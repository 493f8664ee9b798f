-- One way to make a table a tenant table (docs/schema.md, "Making a table a tenant table"): a
-- migration that adds a table calls `SELECT make_tenant_table('<table>', '<app privileges>');`
-- instead of writing ENABLE + FORCE, the two policies and the grants by hand. The tables from
-- 0001/0004/0007 are not touched: they already have exactly this state (tested in
-- packages/db/test/tenant-tables.test.ts), and re-applying it would lock them for nothing.
-- The function's readable copy is packages/db/sql/functions/make_tenant_table.sql (below, verbatim).

-- Makes a table a tenant table, the way 0001_security and 0004_admin_role made the first ones:
-- RLS enabled and forced (the owner is held too, unless it is a superuser), the `tenant_isolation`
-- policy for every role on `tenant_id = current_setting('app.tenant_id', true)` (outside a
-- request the setting is '' or NULL, which matches no tenant), the staff role's `staff_read`
-- policy, SELECT for the staff role, and `app_privileges` (a list out of SELECT, INSERT,
-- UPDATE, DELETE) for the app role. Calling it again changes nothing: policies that exist are
-- left as they are, and grants only add. Used by migrations: `SELECT make_tenant_table('notes',
-- 'SELECT, INSERT, UPDATE, DELETE');` (docs/schema.md, "Making a table a tenant table").
-- Installed by 0008_tenant_tables.
CREATE OR REPLACE FUNCTION make_tenant_table(target regclass, app_privileges text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  app_grants text[] := regexp_split_to_array(upper(btrim(app_privileges)), '\s*,\s*');
  not_dml text[] := array(SELECT p FROM unnest(app_grants) p WHERE p NOT IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE'));
BEGIN
  IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = target AND attname = 'tenant_id' AND NOT attisdropped) THEN
    RAISE EXCEPTION 'make_tenant_table: % has no tenant_id column', target;
  END IF;
  IF app_privileges IS NULL OR btrim(app_privileges) = '' OR cardinality(not_dml) > 0 THEN
    RAISE EXCEPTION 'make_tenant_table: app_privileges must list SELECT, INSERT, UPDATE or DELETE, got "%"', app_privileges;
  END IF;

  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
  IF NOT EXISTS (SELECT FROM pg_policy WHERE polrelid = target AND polname = 'tenant_isolation') THEN
    EXECUTE format('CREATE POLICY tenant_isolation ON %s
      USING (tenant_id = current_setting(''app.tenant_id'', true))
      WITH CHECK (tenant_id = current_setting(''app.tenant_id'', true))', target);
  END IF;
  IF NOT EXISTS (SELECT FROM pg_policy WHERE polrelid = target AND polname = 'staff_read') THEN
    EXECUTE format('CREATE POLICY staff_read ON %s FOR SELECT TO agent_builder_admin USING (true)', target);
  END IF;

  EXECUTE format('GRANT %s ON %s TO agent_builder_app', array_to_string(app_grants, ', '), target);
  EXECUTE format('GRANT SELECT ON %s TO agent_builder_admin', target);
END
$$;
--> statement-breakpoint
-- Only migrations call it (as the tables' owner); nobody else needs to.
REVOKE ALL ON FUNCTION make_tenant_table(regclass, text) FROM PUBLIC;
