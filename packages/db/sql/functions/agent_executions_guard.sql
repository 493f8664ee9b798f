-- BEFORE UPDATE on agent_executions: a terminal execution (succeeded, failed, cancelled) never
-- changes status again, and no execution moves to another tenant, agent, crew or crew run. SQLSTATE AB409 is
-- mapped to CONFLICT by the API. Installed by 0002_triggers, replaced by 0012.
CREATE OR REPLACE FUNCTION agent_executions_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'running' AND NEW.status IS DISTINCT FROM OLD.status THEN
    RAISE EXCEPTION 'execution % is already %; it cannot become %', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'AB409';
  END IF;
  IF NEW.tenant_id IS DISTINCT FROM OLD.tenant_id OR NEW.agent_id IS DISTINCT FROM OLD.agent_id
     OR NEW.crew_id IS DISTINCT FROM OLD.crew_id OR NEW.parent_execution_id IS DISTINCT FROM OLD.parent_execution_id THEN
    RAISE EXCEPTION 'an execution cannot move to another tenant, agent, crew or crew run' USING ERRCODE = 'AB409';
  END IF;
  RETURN NEW;
END
$$;
