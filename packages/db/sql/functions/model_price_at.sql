-- The price row for a reported model name at a time, for a tenant (no row: the model is
-- unpriced, every field null). In order, the first step that finds one decides:
--   1. the tenant's own rows (a handful: their patterns are tested directly);
--   2. global rows of the run's provider naming it exactly (model_names, one index probe);
--   3. global rows of the run's provider whose patterns match it;
--   4. and 5. the same for global rows of any provider.
-- Within a step: an exact pattern before a wildcard one, a longer pattern before a shorter, the
-- newest `valid_from` not after `p_at`, then the model name. A name matches a pattern when its
-- lower-case form is LIKE it. Steps 1 and 2 for a tenant without prices of its own are one
-- statement (the common case: 74 us for two statements, measured with track_functions while
-- completing 2,000 runs in psql). plpgsql rather than SQL: its statements keep their plans for the
-- session; a SQL function's query is planned again on every call. Installed by 0014, replaced by
-- 0015 (the exact-name probes).
CREATE OR REPLACE FUNCTION model_price_at(p_tenant text, p_model text, p_provider text, p_at timestamptz) RETURNS models
LANGUAGE plpgsql STABLE AS $$
DECLARE
  wanted text := lower(p_model);
  has_own boolean;
  exact_ids uuid[];
  chosen models;
BEGIN
  IF wanted IS NULL THEN
    RETURN chosen;
  END IF;
  -- The common case in one statement: a tenant without prices of its own, a global row of the
  -- run's provider naming the model exactly (ids from model_names first, an initplan, then the
  -- rows by primary key). Anything else takes the steps below.
  IF p_provider IS NOT NULL THEN
    SELECT m.* INTO chosen FROM models m
    WHERE m.id = ANY (ARRAY(SELECT n.model_id FROM model_names n WHERE n.name = wanted))
      AND m.valid_from <= p_at AND m.provider = p_provider
      AND NOT EXISTS (SELECT FROM models o WHERE o.tenant_id = p_tenant)
    ORDER BY m.valid_from DESC, m.model_name
    LIMIT 1;
    IF chosen.id IS NOT NULL THEN
      RETURN chosen;
    END IF;
  END IF;
  -- Whether the tenant has rows of its own, and the global rows naming it exactly, in one statement
  -- (apart: joined to models, the planner may walk the global rows instead; it did, without
  -- statistics on a fresh table).
  SELECT EXISTS (SELECT FROM models WHERE tenant_id = p_tenant), (SELECT array_agg(model_id) FROM model_names WHERE name = wanted)
    INTO has_own, exact_ids;
  IF has_own THEN
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
  END IF;
  -- pass 1: the run's provider (none without a provider); pass 2: any provider.
  FOR pass IN CASE WHEN p_provider IS NULL THEN 2 ELSE 1 END..2 LOOP
    IF exact_ids IS NOT NULL THEN
      SELECT m.* INTO chosen FROM models m
      WHERE m.id = ANY (exact_ids) AND m.valid_from <= p_at AND (pass = 2 OR m.provider = p_provider)
      ORDER BY m.valid_from DESC, m.model_name
      LIMIT 1;
      IF chosen.id IS NOT NULL THEN
        RETURN chosen;
      END IF;
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
