-- A price row as executions and steps keep it (`pricing`): the unit prices in USD per million
-- tokens, its tiers, and which row it was. A later change of the row never changes a snapshot.
-- plpgsql: called from triggers once per priced run, where a SQL function would be planned on
-- every call. Installed by 0014, replaced by 0015.
CREATE OR REPLACE FUNCTION price_snapshot(m models) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN jsonb_strip_nulls(jsonb_build_object(
    'modelId', m.id,
    'tenantOverride', m.tenant_id IS NOT NULL,
    'provider', m.provider,
    'modelName', m.model_name,
    'source', m.source,
    'validFrom', to_char(m.valid_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'currency', m.currency,
    'input', m.input_price,
    'output', m.output_price,
    'cachedInput', m.cached_input_price,
    'cacheWrite', m.cache_write_price,
    'reasoning', m.reasoning_price,
    'tiers', m.tiers
  ));
END
$$;
