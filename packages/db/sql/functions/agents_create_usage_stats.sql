-- AFTER INSERT on agents: every agent has its lifetime usage row from birth, so reads can join
-- it without gaps. Installed by 0002_triggers.
CREATE OR REPLACE FUNCTION agents_create_usage_stats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO agent_usage_stats (agent_id, tenant_id) VALUES (NEW.id, NEW.tenant_id);
  RETURN NULL;
END
$$;
