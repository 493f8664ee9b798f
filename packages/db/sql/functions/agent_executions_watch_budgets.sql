-- AFTER INSERT OR UPDATE OF status on agent_executions, after the usage trigger has counted the
-- run (triggers fire in name order): when a run finishes, each budget of the tenant whose spend it
-- changed (the tenant's, its agent's and that agent's space's for a run of an agent; its crew's
-- for a crew run), hard or soft, records a crossing of its alert threshold and of its limit the
-- first time the period's spend reaches them: once per budget, period and kind (the unique key).
-- No budget: one index probe. Installed by 0014.
CREATE OR REPLACE FUNCTION agent_executions_watch_budgets() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  agent_space uuid;
BEGIN
  IF current_setting('app.restoring', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF NEW.status = 'running' OR (TG_OP = 'UPDATE' AND OLD.status <> 'running') THEN
    RETURN NULL;
  END IF;
  IF NOT EXISTS (SELECT FROM budgets WHERE tenant_id = NEW.tenant_id) THEN
    RETURN NULL;
  END IF;
  IF NEW.agent_id IS NOT NULL THEN
    SELECT space_id INTO agent_space FROM agents WHERE tenant_id = NEW.tenant_id AND id = NEW.agent_id;
  END IF;
  INSERT INTO budget_crossings (tenant_id, budget_id, period_start, kind, spend_usd, limit_usd, threshold_percent, execution_id)
  SELECT b.tenant_id, b.id, budget_period_start(b.period, now()), k.kind, s.spend, b.limit_usd,
         CASE WHEN k.kind = 'threshold' THEN b.alert_threshold_percent END, NEW.id
  FROM budgets b
  CROSS JOIN LATERAL (SELECT budget_spend(b, now()) AS spend) s
  CROSS JOIN LATERAL (VALUES
    ('threshold'::budget_crossing_kind, b.alert_threshold_percent IS NOT NULL AND s.spend * 100 >= b.limit_usd * b.alert_threshold_percent),
    ('exceeded'::budget_crossing_kind, s.spend >= b.limit_usd)
  ) k(kind, crossed)
  WHERE b.tenant_id = NEW.tenant_id AND k.crossed
    AND ((NEW.agent_id IS NOT NULL AND b.scope = 'tenant')
      OR (NEW.agent_id IS NOT NULL AND b.scope = 'agent' AND b.agent_id = NEW.agent_id)
      OR (NEW.agent_id IS NOT NULL AND b.scope = 'space' AND b.space_id = agent_space)
      OR (NEW.agent_id IS NULL AND b.scope = 'crew' AND b.crew_id = NEW.crew_id))
  ON CONFLICT (budget_id, period_start, kind) DO NOTHING;
  RETURN NULL;
END
$$;
