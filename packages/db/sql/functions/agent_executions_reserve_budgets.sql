-- AFTER INSERT on agent_executions of a running execution (the trigger's WHEN): checks the
-- tenant's hard budgets that the start answers to, and reserves room under each.
--   an agent run: the tenant's budgets, its agent's space's, its agent's;
--   a crew run: the tenant's, its crew's space's, its crew's;
--   a child run: its agent's only (its crew run holds the rest).
-- Starts under one budget take turns on the budget's row (FOR NO KEY UPDATE, in id order, so two
-- budgets are always locked in the same order), and each statement after the lock sees what the
-- starts before it committed (READ COMMITTED, a fresh snapshot per statement of a volatile
-- function). A start is refused (SQLSTATE AB412, PRECONDITION_FAILED with this message) when
-- the period's spend (budget_spend) plus the running executions' reservations has reached the
-- limit; otherwise it reserves its subject's average cost per priced run, or 1% of the limit
-- without history (pricingLimits in the contracts), for one hour at most. The usage trigger
-- deletes the reservations when the run finishes. So at most ceil(room / reservation) runs are
-- let in at once, and spend passes the limit only by what they cost beyond their reservation
-- (docs/schema.md, "Budgets"). No hard budget: one index probe. Installed by 0014.
CREATE OR REPLACE FUNCTION agent_executions_reserve_budgets() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  subject_space uuid;
  average_cost numeric;
  b budgets;
  spent numeric;
  reserved numeric;
BEGIN
  -- A tenant import, and `executions.record` (runs that already happened: nothing to refuse; their
  -- cost counts as it is recorded), write runs without asking budgets.
  IF current_setting('app.restoring', true) = 'on' OR current_setting('app.recording', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF NOT EXISTS (SELECT FROM budgets WHERE tenant_id = NEW.tenant_id AND enforcement = 'hard') THEN
    RETURN NULL;
  END IF;
  IF NEW.agent_id IS NOT NULL THEN
    SELECT space_id INTO subject_space FROM agents WHERE tenant_id = NEW.tenant_id AND id = NEW.agent_id;
    SELECT sum(total_cost_usd) / nullif(sum(total_executions - unpriced_executions), 0) INTO average_cost
    FROM agent_usage_stats WHERE tenant_id = NEW.tenant_id AND agent_id = NEW.agent_id;
  ELSE
    SELECT space_id INTO subject_space FROM crews WHERE tenant_id = NEW.tenant_id AND id = NEW.crew_id;
    SELECT sum(total_cost_usd) / nullif(sum(total_executions - unpriced_executions), 0) INTO average_cost
    FROM crew_usage_stats WHERE tenant_id = NEW.tenant_id AND crew_id = NEW.crew_id;
  END IF;

  FOR b IN
    SELECT * FROM budgets
    WHERE tenant_id = NEW.tenant_id AND enforcement = 'hard'
      AND ((NEW.parent_execution_id IS NULL AND scope = 'tenant')
        OR (NEW.parent_execution_id IS NULL AND scope = 'space' AND space_id = subject_space)
        OR (NEW.agent_id IS NOT NULL AND scope = 'agent' AND agent_id = NEW.agent_id)
        OR (NEW.agent_id IS NULL AND scope = 'crew' AND crew_id = NEW.crew_id))
    ORDER BY id
    FOR NO KEY UPDATE
  LOOP
    spent := budget_spend(b, now());
    SELECT coalesce(sum(amount_usd), 0) INTO reserved FROM budget_reservations
    WHERE budget_id = b.id AND expires_at > now();
    IF spent + reserved >= b.limit_usd THEN
      RAISE EXCEPTION 'budget "%" (hard, %, %) has reached its limit: spent $% of $%, and running executions reserve $% more; it resets at %',
        b.name, b.period, b.scope, trim_scale(spent), trim_scale(b.limit_usd), trim_scale(reserved),
        to_char(budget_resets_at(b.period, now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        USING ERRCODE = 'AB412';
    END IF;
    INSERT INTO budget_reservations (tenant_id, execution_id, budget_id, amount_usd, expires_at)
    VALUES (NEW.tenant_id, NEW.id, b.id, round(coalesce(average_cost, b.limit_usd * 0.01), 6), now() + interval '1 hour');
  END LOOP;
  RETURN NULL;
END
$$;
