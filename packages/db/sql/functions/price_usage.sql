-- The cost in USD of token usage at a snapshot's prices (price_snapshot), exact in numeric and
-- rounded to the micro-dollar once. Cached reads and cache writes are parts of the input tokens,
-- reasoning tokens part of the output tokens (OpenAI's usage semantics): each part is billed at
-- its own price, falling back to the input (or output) price when the row has none. Above a
-- tier's `inputTokensAbove` the whole request is billed at that tier's prices, key by key (as
-- genai-prices does). plpgsql: its expressions are evaluated without planning a query on every
-- call, as a SQL function's body would be. Installed by 0014, replaced by 0015.
CREATE OR REPLACE FUNCTION price_usage(prices jsonb, input_tokens bigint, output_tokens bigint, cached_input_tokens bigint,
  reasoning_tokens bigint, cache_write_tokens bigint) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  t jsonb := '{}'::jsonb;
  tier jsonb;
BEGIN
  IF jsonb_array_length(coalesce(prices->'tiers', '[]'::jsonb)) > 0 THEN
    FOR tier IN SELECT x FROM jsonb_array_elements(prices->'tiers') x LOOP
      IF input_tokens > (tier->>'inputTokensAbove')::bigint
         AND (t = '{}'::jsonb OR (tier->>'inputTokensAbove')::bigint > (t->>'inputTokensAbove')::bigint) THEN
        t := tier;
      END IF;
    END LOOP;
  END IF;
  RETURN round((
      greatest(input_tokens - cached_input_tokens - cache_write_tokens, 0) * coalesce(t->>'input', prices->>'input')::numeric
      + cached_input_tokens * coalesce(t->>'cachedInput', prices->>'cachedInput', t->>'input', prices->>'input')::numeric
      + cache_write_tokens * coalesce(t->>'cacheWrite', prices->>'cacheWrite', t->>'input', prices->>'input')::numeric
      + greatest(output_tokens - reasoning_tokens, 0) * coalesce(t->>'output', prices->>'output')::numeric
      + reasoning_tokens * coalesce(t->>'reasoning', prices->>'reasoning', t->>'output', prices->>'output')::numeric
    ) / 1000000, 6);
END
$$;
