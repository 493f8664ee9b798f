-- The counter slot of an execution (not a trigger; the usage trigger calls it). One function, so
-- the slot count can be changed (and benchmarked) without touching the trigger.
-- Installed by 0005_usage_slots.
CREATE OR REPLACE FUNCTION usage_slot(execution_id uuid) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (hashtext(execution_id::text) & 15)::smallint
$$;
