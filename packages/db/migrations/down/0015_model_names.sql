-- Rollback of 0015_model_names: model_price_at as 0014 left it (testing every row's patterns),
-- the trigger and its function, and the table.
CREATE OR REPLACE FUNCTION model_price_at(p_tenant text, p_model text, p_provider text, p_at timestamptz) RETURNS models
LANGUAGE sql STABLE AS $$
  SELECT m.* FROM models m
  CROSS JOIN LATERAL (
    SELECT max(CASE WHEN p ~ '(^|[^\\])[%_]' THEN length(p) ELSE 100000 + length(p) END) AS specificity
    FROM unnest(m.match_patterns) p
    WHERE lower(p_model) LIKE p
  ) matched
  WHERE (m.tenant_id = p_tenant OR m.tenant_id IS NULL)
    AND m.valid_from <= p_at
    AND matched.specificity IS NOT NULL
  ORDER BY (m.tenant_id IS NOT NULL) DESC, (m.provider = p_provider) DESC, matched.specificity DESC,
           m.valid_from DESC, m.model_name
  LIMIT 1
$$;--> statement-breakpoint
DROP TRIGGER models_index_names ON models;--> statement-breakpoint
DROP FUNCTION models_index_names();--> statement-breakpoint
DROP TABLE "model_names";
