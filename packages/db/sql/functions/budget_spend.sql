-- A budget's spend in the period holding `at`, from the usage rollups (never from executions):
-- the tenant's day rows, the agent's, the crew's, or for a space the day rows of its agents
-- (their runs, crew runs' child runs included; an agent moved to another space takes its spend
-- with it). Runs count on the UTC day they started; unpriced runs count 0. The period is bounded
-- on both sides, so a past `at` gives that period's spend, not everything since. Installed by 0014.
CREATE OR REPLACE FUNCTION budget_spend(b budgets, at timestamptz) RETURNS numeric
LANGUAGE sql STABLE AS $$
  SELECT coalesce(CASE b.scope
    WHEN 'tenant' THEN (
      SELECT sum(d.total_cost_usd) FROM tenant_usage_daily d
      WHERE d.tenant_id = b.tenant_id AND d.day >= budget_period_start(b.period, at) AND d.day < (budget_resets_at(b.period, at) AT TIME ZONE 'UTC')::date)
    WHEN 'agent' THEN (
      SELECT sum(d.total_cost_usd) FROM agent_usage_daily d
      WHERE d.agent_id = b.agent_id AND d.tenant_id = b.tenant_id AND d.day >= budget_period_start(b.period, at) AND d.day < (budget_resets_at(b.period, at) AT TIME ZONE 'UTC')::date)
    WHEN 'crew' THEN (
      SELECT sum(d.total_cost_usd) FROM crew_usage_daily d
      WHERE d.crew_id = b.crew_id AND d.tenant_id = b.tenant_id AND d.day >= budget_period_start(b.period, at) AND d.day < (budget_resets_at(b.period, at) AT TIME ZONE 'UTC')::date)
    WHEN 'space' THEN (
      SELECT sum(d.total_cost_usd) FROM agents a
      JOIN agent_usage_daily d ON d.agent_id = a.id AND d.tenant_id = a.tenant_id
      WHERE a.tenant_id = b.tenant_id AND a.space_id = b.space_id AND d.day >= budget_period_start(b.period, at) AND d.day < (budget_resets_at(b.period, at) AT TIME ZONE 'UTC')::date)
  END, 0)
$$;
