-- BEFORE INSERT OR UPDATE OF status on agent_executions, for crew runs and their child runs only
-- (the trigger's WHEN clause: agent runs never call it).
-- A child run: its crew run must be running, and it is locked (FOR SHARE) until this transaction
-- ends, so the crew run cannot finish meanwhile; the child takes the crew run's crew.
-- A crew run does no work of its own: its tokens and cost are its children's. When it becomes
-- terminal they are summed here, while its row is locked (an UPDATE's BEFORE trigger runs on the
-- locked row), by a statement that sees every child committed before it; a child still running
-- refuses the finish. So a crew's counters hold every child's usage exactly once, and the
-- tenant's count the children themselves (agent_executions_count_usage).
-- Skipped while a tenant import restores rows (app.restoring, packages/db/src/operations/tenant-transfer.ts).
-- SQLSTATE AB400 is BAD_REQUEST, AB412 PRECONDITION_FAILED. Installed by 0012, replaced by 0014
-- (cache writes, the computed cost and the unpriced child runs).
CREATE OR REPLACE FUNCTION agent_executions_crew_run() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parent_status execution_status;
  parent_crew uuid;
  parent_agent uuid;
  running_children bigint;
  unpriced_children bigint;
BEGIN
  -- A tenant import writes finished runs as they were exported (counters are restored after).
  IF current_setting('app.restoring', true) = 'on' THEN
    RETURN NEW;
  END IF;
  IF NEW.parent_execution_id IS NOT NULL THEN
    IF TG_OP = 'INSERT' THEN
      SELECT status, crew_id, agent_id INTO parent_status, parent_crew, parent_agent FROM agent_executions
      WHERE tenant_id = NEW.tenant_id AND id = NEW.parent_execution_id FOR SHARE;
      IF NOT FOUND THEN
        RETURN NEW; -- the foreign key reports it
      END IF;
      IF parent_agent IS NOT NULL THEN
        RAISE EXCEPTION 'parentExecutionId: execution % is not a crew run', NEW.parent_execution_id USING ERRCODE = 'AB400';
      END IF;
      IF parent_status <> 'running' THEN
        RAISE EXCEPTION 'crew run % is already %; it takes no more child runs', NEW.parent_execution_id, parent_status
          USING ERRCODE = 'AB412';
      END IF;
      NEW.crew_id := parent_crew;
    END IF;
    RETURN NEW;
  END IF;

  -- A crew run.
  IF NEW.status = 'running' THEN
    IF TG_OP = 'INSERT' THEN
      NEW.input_tokens := 0;
      NEW.output_tokens := 0;
      NEW.cached_input_tokens := 0;
      NEW.reasoning_tokens := 0;
      NEW.cache_write_tokens := 0;
      NEW.cost_usd := 0;
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.status <> 'running' THEN
    RETURN NEW; -- agent_executions_guard refuses a second finish
  END IF;
  SELECT count(*) FILTER (WHERE status = 'running'), count(*) FILTER (WHERE cost_usd IS NULL),
         coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0),
         coalesce(sum(cached_input_tokens), 0), coalesce(sum(reasoning_tokens), 0),
         coalesce(sum(cache_write_tokens), 0), coalesce(sum(cost_usd), 0)
    INTO running_children, unpriced_children, NEW.input_tokens, NEW.output_tokens, NEW.cached_input_tokens,
         NEW.reasoning_tokens, NEW.cache_write_tokens, NEW.cost_usd
  FROM agent_executions WHERE tenant_id = NEW.tenant_id AND parent_execution_id = NEW.id;
  IF running_children > 0 THEN
    RAISE EXCEPTION 'crew run % has % running child runs: finish them first', NEW.id, running_children USING ERRCODE = 'AB412';
  END IF;
  -- The known part of the children's cost; the usage counters count the crew run as unpriced
  -- when one of them is (0014).
  NEW.computed_cost_usd := NEW.cost_usd;
  NEW.pricing := jsonb_build_object('source', 'childRuns', 'unpricedChildRuns', unpriced_children, 'lines', '[]'::jsonb);
  RETURN NEW;
END
$$;
