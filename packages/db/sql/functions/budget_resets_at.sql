-- When the period holding `at` ends and a budget's spend starts again from 0 (UTC midnight of the
-- next day, or of the first of the next month). Installed by 0014.
CREATE OR REPLACE FUNCTION budget_resets_at(period budget_period, at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
  SELECT (budget_period_start(period, at) + CASE period WHEN 'daily' THEN interval '1 day' ELSE interval '1 month' END)
    AT TIME ZONE 'UTC'
$$;
