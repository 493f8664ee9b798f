CREATE TABLE "model_names" (
	"name" text NOT NULL,
	"model_id" uuid NOT NULL,
	CONSTRAINT "model_names_pkey" PRIMARY KEY("name","model_id")
);
--> statement-breakpoint
ALTER TABLE "model_names" ADD CONSTRAINT "model_names_model_id_models_id_fk" FOREIGN KEY ("model_id") REFERENCES "public"."models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "model_names_model_idx" ON "model_names" USING btree ("model_id");--> statement-breakpoint
-- Hand-added below: every role reads model_names (global prices are public); the writers of
-- global rows (staff, the price sync as the staff role) write it through the trigger; the names of
-- the global rows already there; model_price_at probes it (bodies from packages/db/sql/functions/).
GRANT SELECT ON model_names TO agent_builder_app;--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON model_names TO agent_builder_admin;--> statement-breakpoint
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
$$;--> statement-breakpoint
CREATE TRIGGER models_index_names AFTER INSERT OR UPDATE OF match_patterns ON models
  FOR EACH ROW WHEN (NEW.tenant_id IS NULL) EXECUTE FUNCTION models_index_names();--> statement-breakpoint
INSERT INTO model_names (name, model_id)
SELECT DISTINCT regexp_replace(p, '\\(.)', '\1', 'g'), m.id
FROM models m, unnest(m.match_patterns) p
WHERE m.tenant_id IS NULL AND p !~ '(^|[^\\])[%_]';--> statement-breakpoint
-- The price row for a reported model name at a time, for a tenant (no row: the model is
-- unpriced, every field null). In order, the first step that finds one decides:
--   1. the tenant's own rows (a handful: their patterns are tested directly);
--   2. global rows of the run's provider naming it exactly (model_names, one index probe);
--   3. global rows of the run's provider whose patterns match it;
--   4. and 5. the same for global rows of any provider.
-- Within a step: an exact pattern before a wildcard one, a longer pattern before a shorter, the
-- newest `valid_from` not after `p_at`, then the model name. A name matches a pattern when its
-- lower-case form is LIKE it. plpgsql rather than SQL: its statements keep their plans for the
-- session; a SQL function's query is planned again on every call. Installed by 0014, replaced by
-- 0015 (the exact-name probes).
CREATE OR REPLACE FUNCTION model_price_at(p_tenant text, p_model text, p_provider text, p_at timestamptz) RETURNS models
LANGUAGE plpgsql STABLE AS $$
DECLARE
  wanted text := lower(p_model);
  chosen models;
BEGIN
  IF wanted IS NULL THEN
    RETURN chosen;
  END IF;
  SELECT m.* INTO chosen FROM models m
  CROSS JOIN LATERAL (
    SELECT max(CASE WHEN p ~ '(^|[^\\])[%_]' THEN length(p) ELSE 100000 + length(p) END) AS specificity
    FROM unnest(m.match_patterns) p WHERE wanted LIKE p
  ) matched
  WHERE m.tenant_id = p_tenant AND m.valid_from <= p_at AND matched.specificity IS NOT NULL
  ORDER BY (m.provider = p_provider) DESC, matched.specificity DESC, m.valid_from DESC, m.model_name
  LIMIT 1;
  IF chosen.id IS NOT NULL THEN
    RETURN chosen;
  END IF;
  -- pass 1: the run's provider (none without a provider); pass 2: any provider.
  FOR pass IN CASE WHEN p_provider IS NULL THEN 2 ELSE 1 END..2 LOOP
    SELECT m.* INTO chosen FROM model_names n JOIN models m ON m.id = n.model_id
    WHERE n.name = wanted AND m.tenant_id IS NULL AND m.valid_from <= p_at
      AND (pass = 2 OR m.provider = p_provider)
    ORDER BY m.valid_from DESC, m.model_name
    LIMIT 1;
    IF chosen.id IS NOT NULL THEN
      RETURN chosen;
    END IF;
    SELECT m.* INTO chosen FROM models m
    CROSS JOIN LATERAL (
      SELECT max(length(p)) AS specificity FROM unnest(m.match_patterns) p WHERE wanted LIKE p
    ) matched
    WHERE m.tenant_id IS NULL AND m.valid_from <= p_at AND matched.specificity IS NOT NULL
      AND (pass = 2 OR m.provider = p_provider)
    ORDER BY matched.specificity DESC, m.valid_from DESC, m.model_name
    LIMIT 1;
    IF chosen.id IS NOT NULL THEN
      RETURN chosen;
    END IF;
  END LOOP;
  RETURN chosen;
END
$$;
