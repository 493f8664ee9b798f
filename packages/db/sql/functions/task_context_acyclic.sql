-- AFTER INSERT OR UPDATE on task_context: refuses an edge that closes a loop (a task that needs,
-- through other tasks, its own output). Edges of one crew take turns on an advisory lock, and the
-- walk is its own statement once it is held, so two concurrent edits cannot each add half of a
-- loop (as agents_hierarchy_acyclic). SQLSTATE AB400 is mapped to BAD_REQUEST. Installed by 0012.
CREATE OR REPLACE FUNCTION task_context_acyclic() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('task_context:' || NEW.crew_id::text, 0));
  IF EXISTS (
    WITH RECURSIVE needs(id) AS (
      SELECT NEW.context_task_id
      UNION
      SELECT c.context_task_id FROM task_context c JOIN needs n ON c.task_id = n.id
      WHERE c.tenant_id = NEW.tenant_id
    )
    SELECT FROM needs WHERE id = NEW.task_id
  ) THEN
    RAISE EXCEPTION 'context: task % already depends on task % (directly or through others); this context would make a cycle',
      NEW.context_task_id, NEW.task_id
      USING ERRCODE = 'AB400';
  END IF;
  RETURN NULL;
END
$$;
