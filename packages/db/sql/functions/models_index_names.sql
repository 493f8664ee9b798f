-- AFTER INSERT OR UPDATE OF match_patterns on models, for global rows (the trigger's WHEN): keeps
-- model_names, the exact names of global rows (their patterns without an unescaped `%` or `_`,
-- with `\` escapes undone), for model_price_at's index probe. Runs as the writer of global rows:
-- staff and the price sync (staff role), or the migrator. Installed by 0015.
CREATE OR REPLACE FUNCTION models_index_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM model_names WHERE model_id = NEW.id;
  INSERT INTO model_names (name, model_id)
  SELECT DISTINCT regexp_replace(p, '\\(.)', '\1', 'g'), NEW.id
  FROM unnest(NEW.match_patterns) p
  WHERE p !~ '(^|[^\\])[%_]';
  RETURN NULL;
END
$$;
