-- A budget's spend in the period holding `at`, from the usage rollups (never from executions):
-- the tenant's day rows, the agent's, the crew's, or for a space the day rows of its agents
-- (their runs, crew runs' child runs included; an agent moved to another space takes its spend
-- with it). Runs count on the UTC day they started; unpriced runs count 0. The period is bounded
-- on both sides, so a past `at` gives that period's spend, not everything since. plpgsql since 0015:
-- a SQL function called from a trigger is planned on every call; with the demo's two budgets
-- per tenant, crossings cost 1.35 ms per completion before and 0.13 ms after (track_functions,
-- 1,000 completions in psql). Installed by 0014, replaced by 0015.
CREATE OR REPLACE FUNCTION budget_spend(b budgets, at timestamptz) RETURNS numeric
LANGUAGE plpgsql STABLE AS $$
DECLARE
  first_day date := budget_period_start(b.period, at);
  next_day date := (budget_resets_at(b.period, at) AT TIME ZONE 'UTC')::date;
  spend numeric;
BEGIN
  IF b.scope = 'tenant' THEN
    SELECT sum(d.total_cost_usd) INTO spend FROM tenant_usage_daily d
    WHERE d.tenant_id = b.tenant_id AND d.day >= first_day AND d.day < next_day;
  ELSIF b.scope = 'agent' THEN
    SELECT sum(d.total_cost_usd) INTO spend FROM agent_usage_daily d
    WHERE d.agent_id = b.agent_id AND d.tenant_id = b.tenant_id AND d.day >= first_day AND d.day < next_day;
  ELSIF b.scope = 'crew' THEN
    SELECT sum(d.total_cost_usd) INTO spend FROM crew_usage_daily d
    WHERE d.crew_id = b.crew_id AND d.tenant_id = b.tenant_id AND d.day >= first_day AND d.day < next_day;
  ELSE
    SELECT sum(d.total_cost_usd) INTO spend FROM agents a
    JOIN agent_usage_daily d ON d.agent_id = a.id AND d.tenant_id = a.tenant_id
    WHERE a.tenant_id = b.tenant_id AND a.space_id = b.space_id AND d.day >= first_day AND d.day < next_day;
  END IF;
  RETURN coalesce(spend, 0);
END
$$;
