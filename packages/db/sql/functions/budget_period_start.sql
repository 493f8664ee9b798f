-- The first day (UTC) of a budget's period holding `at`: the day itself, or the first of its
-- month. The usage rollups are keyed by the UTC day of a run's start, so spend is summed from
-- here. Installed by 0014.
CREATE OR REPLACE FUNCTION budget_period_start(period budget_period, at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE period
    WHEN 'daily' THEN (at AT TIME ZONE 'UTC')::date
    ELSE date_trunc('month', at AT TIME ZONE 'UTC')::date
  END
$$;
