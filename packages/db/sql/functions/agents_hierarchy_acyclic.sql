-- AFTER INSERT OR UPDATE OF parent_agent_id on agents: refuses a parent that would close a loop
-- (the agent would end up reporting to itself through its chain of parents).
-- Two requests that each add one edge of a loop (A reports to B, B to A) would each see no loop
-- in their own snapshot. So the tenant's hierarchy changes take turns on an advisory lock, and
-- the walk runs once it is held, as its own statement: under READ COMMITTED (every API
-- transaction) that statement sees what committed before it, including the other edge.
-- SQLSTATE AB400 is mapped to BAD_REQUEST with this message. Installed by 0012.
CREATE OR REPLACE FUNCTION agents_hierarchy_acyclic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.parent_agent_id IS NULL THEN
    RETURN NULL;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('agent_hierarchy:' || NEW.tenant_id, 0));
  IF EXISTS (
    WITH RECURSIVE chain(id) AS (
      SELECT NEW.parent_agent_id
      UNION
      SELECT a.parent_agent_id FROM agents a JOIN chain c ON a.id = c.id
      WHERE a.tenant_id = NEW.tenant_id AND a.parent_agent_id IS NOT NULL
    )
    SELECT FROM chain WHERE id = NEW.id
  ) THEN
    RAISE EXCEPTION 'parentAgentId: agent % already reports to agent % (directly or through others); this parent would make a cycle',
      NEW.parent_agent_id, NEW.id
      USING ERRCODE = 'AB400';
  END IF;
  RETURN NULL;
END
$$;
