-- The price row for a reported model name at a time, for a tenant: the tenant's own rows before
-- the global ones, then rows of the run's provider, then the most specific match (an exact name
-- before a pattern, a longer pattern before a shorter), then the newest `valid_from` not after
-- `p_at`. A name matches a row when its lower-case form is LIKE one of `match_patterns`. No row:
-- the model is unpriced (every field null). Installed by 0014.
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
$$;
