import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { queryRow, queryRows, sql, withTenant } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { newCrew } from "./crew-fixtures";
import { createHarness, errorCode, type Harness, newAgent, rejectsWith, type TestTenant } from "./support";

/** Midnight UTC starting the next day, and the first of next month, as budgets.list gives `resetsAt`. */
function nextResets(now = new Date()) {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  const iso = (t: number) => new Date(t).toISOString().replace(".000Z", "Z");
  return {
    daily: iso(Date.UTC(y, m, d + 1)),
    monthly: iso(Date.UTC(y, m + 1, 1)),
    today: new Date(Date.UTC(y, m, d)).toISOString().slice(0, 10),
    monthStart: new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10),
  };
}

describe.each(testTargets())("budgets on %s", (target) => {
  let h: Harness;
  let t: TestTenant;
  let other: TestTenant;
  beforeAll(async () => {
    h = await createHarness(target);
    t = await h.tenant("budgets-tenant");
    other = await h.tenant("budgets-other");
  });
  afterAll(() => h?.close());

  async function activeAgent(tenant = t, spaceId = tenant.space.id) {
    const agent = await newAgent(tenant, { spaceId });
    return (await tenant.member.agents.setStatus({ id: agent.id, status: "active" })).id;
  }

  /** Finished runs of an agent, each costing `costUsd` (the caller's cost: known exactly). */
  async function spend(tenant: TestTenant, agentId: string, costs: number[]) {
    for (const costUsd of costs) {
      const run = await tenant.member.executions.start({ agentId, input: "x" });
      await tenant.member.executions.complete({ id: run.id, output: "y", usage: { inputTokens: 1, outputTokens: 1 }, costUsd });
    }
  }

  const agentBudget = (agentId: string, fields: Record<string, unknown> = {}) =>
    t.service.budgets.create({
      name: `agent ${agentId.slice(0, 8)}`,
      scope: "agent",
      agentId,
      period: "monthly",
      limitUsd: 1,
      enforcement: "hard",
      ...fields,
    });

  it("creates, reads, lists with filters, updates under a version and deletes; members read, never write", async () => {
    const agentId = await activeAgent();
    const created = await t.service.budgets.create({
      name: "Team monthly",
      scope: "space",
      spaceId: t.space.id,
      period: "monthly",
      limitUsd: 250.5,
      enforcement: "soft",
      alertThresholdPercent: 80,
    });
    expect(created).toMatchObject({
      scope: "space",
      spaceId: t.space.id,
      agentId: null,
      crewId: null,
      limitUsd: 250.5,
      enforcement: "soft",
      alertThresholdPercent: 80,
      version: 1,
      status: { spendUsd: 0, limitUsd: 250.5, percent: 0, reservedUsd: 0, remainingUsd: 250.5, state: "ok" },
    });
    const own = await agentBudget(agentId, { name: "Agent daily", period: "daily", limitUsd: 5 });
    expect(await t.member.budgets.get({ id: created.id })).toEqual(created);

    const ids = async (input: Record<string, unknown>) => (await t.member.budgets.list(input)).items.map((b) => b.id);
    expect(await ids({ scope: "space" })).toContain(created.id);
    expect(await ids({ scope: "space" })).not.toContain(own.id);
    expect(await ids({ agentId })).toEqual([own.id]);
    expect(await ids({ spaceId: t.otherSpace.id })).toEqual([]);
    // Keyset pages, newest first, cover every budget once.
    const first = await t.member.budgets.list({ limit: 1 });
    expect(first.items.map((b) => b.id)).toEqual([own.id]);
    const second = await t.member.budgets.list({ limit: 1, cursor: first.nextCursor! });
    expect(second.items.map((b) => b.id)).toEqual([created.id]);

    const updated = await t.service.budgets.update({ id: created.id, expectedVersion: 1, limitUsd: 300, alertThresholdPercent: null });
    expect(updated).toMatchObject({ limitUsd: 300, alertThresholdPercent: null, version: 2, status: { limitUsd: 300 } });
    await rejectsWith(t.service.budgets.update({ id: created.id, expectedVersion: 1, name: "stale" }), "CONFLICT", /version 2, not 1/);

    expect(
      await errorCode(t.member.budgets.create({ name: "x", scope: "tenant", period: "daily", limitUsd: 1, enforcement: "hard" })),
    ).toBe("FORBIDDEN");
    expect(await errorCode(t.member.budgets.update({ id: created.id, expectedVersion: 2, limitUsd: 1e6 }))).toBe("FORBIDDEN");
    expect(await errorCode(t.member.budgets.delete({ id: created.id }))).toBe("FORBIDDEN");
    const admin = await t.caller("admin");
    expect(await admin.budgets.delete({ id: created.id })).toEqual({ id: created.id });
    await rejectsWith(t.member.budgets.get({ id: created.id }), "NOT_FOUND");
    await rejectsWith(t.service.budgets.delete({ id: created.id }), "NOT_FOUND");
    await t.service.budgets.delete({ id: own.id });
  });

  it("answers 400 to a scope without its id, another scope's id, a threshold out of range and a limit of 0 or less", async () => {
    const agentId = await activeAgent();
    const base = { name: "bad", period: "monthly", enforcement: "hard", limitUsd: 1 } as const;
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ scope: "agent" }, /agentId: an agent budget needs agentId/],
      [{ scope: "space" }, /spaceId/],
      [{ scope: "crew" }, /crewId/],
      [{ scope: "tenant", agentId }, /a tenant budget takes no id, not agentId/],
      [{ scope: "agent", agentId, spaceId: t.space.id }, /takes only agentId, not spaceId/],
      [{ scope: "space", spaceId: t.space.id, crewId: agentId }, /not crewId/],
      [{ scope: "tenant", alertThresholdPercent: 0 }, /alertThresholdPercent/],
      [{ scope: "tenant", alertThresholdPercent: 101 }, /alertThresholdPercent/],
      [{ scope: "tenant", alertThresholdPercent: 50.5 }, /whole number/],
      [{ scope: "tenant", limitUsd: 0 }, /limitUsd must be more than 0/],
      [{ scope: "tenant", limitUsd: -5 }, /limitUsd must be more than 0/],
      [{ scope: "tenant", limitUsd: 0.0000001 }, /6 decimal places/],
      [{ scope: "tenant", period: "weekly" }, /period/],
    ];
    for (const [fields, message] of bad) {
      await rejectsWith(t.service.budgets.create({ ...base, ...fields } as never), "BAD_REQUEST", message);
    }
    const budget = await agentBudget(agentId);
    await rejectsWith(t.service.budgets.update({ id: budget.id, expectedVersion: 1, limitUsd: 0 }), "BAD_REQUEST", /more than 0/);
    await rejectsWith(t.service.budgets.update({ id: budget.id, expectedVersion: 1 } as never), "BAD_REQUEST", /nothing to update/);
    await rejectsWith(
      t.service.budgets.update({ id: budget.id, expectedVersion: 1, scope: "tenant" } as never),
      "BAD_REQUEST",
      /Unrecognized key/,
    );
    await t.service.budgets.delete({ id: budget.id });
  });

  it("keeps tenants apart: another tenant's space, agent, crew or budget is NOT_FOUND", async () => {
    const agentOfOther = await activeAgent(other);
    const crewOfOther = await newCrew(h, other, { memberIds: [agentOfOther] });
    const budgetOfOther = await other.service.budgets.create({
      name: "theirs",
      scope: "agent",
      agentId: agentOfOther,
      period: "daily",
      limitUsd: 1,
      enforcement: "hard",
    });
    const base = { name: "x", period: "daily", limitUsd: 1, enforcement: "hard" } as const;
    await rejectsWith(t.service.budgets.create({ ...base, scope: "agent", agentId: agentOfOther }), "NOT_FOUND", /agent not found/);
    await rejectsWith(t.service.budgets.create({ ...base, scope: "space", spaceId: other.space.id }), "NOT_FOUND", /space not found/);
    await rejectsWith(t.service.budgets.create({ ...base, scope: "crew", crewId: crewOfOther.id }), "NOT_FOUND", /crew not found/);
    await rejectsWith(t.member.budgets.get({ id: budgetOfOther.id }), "NOT_FOUND");
    await rejectsWith(t.member.budgets.crossings({ budgetId: budgetOfOther.id }), "NOT_FOUND");
    await rejectsWith(t.service.budgets.update({ id: budgetOfOther.id, expectedVersion: 1, limitUsd: 1e6 }), "NOT_FOUND");
    await rejectsWith(t.service.budgets.delete({ id: budgetOfOther.id }), "NOT_FOUND");
    expect((await t.member.budgets.list({ agentId: agentOfOther })).items).toEqual([]);
    expect(await other.member.budgets.get({ id: budgetOfOther.id })).toMatchObject({ limitUsd: 1, version: 1 });
  });

  it("refuses executions.start under a reached hard budget with a message naming it, its spend and its reset time", async () => {
    const agentId = await activeAgent();
    await spend(t, agentId, [0.02, 0.03]);
    const budget = await agentBudget(agentId, { name: "Helper cap", limitUsd: 0.05 });
    expect(budget.status).toMatchObject({ spendUsd: 0.05, percent: 100, remainingUsd: 0, state: "exceeded" });
    const error = await rejectsWith(t.member.executions.start({ agentId, input: "more" }), "PRECONDITION_FAILED");
    const resets = nextResets();
    expect(error.message).toBe(
      `budget "Helper cap" (hard, monthly, agent) has reached its limit: spent $0.05 of $0.05, and running executions reserve $0 more; it resets at ${resets.monthly}`,
    );
    expect(budget.status.resetsAt).toBe(resets.monthly);
    // Raising the limit lets runs in again.
    await t.service.budgets.update({ id: budget.id, expectedVersion: 1, limitUsd: 0.1 });
    const run = await t.member.executions.start({ agentId, input: "now" });
    await t.member.executions.cancel({ id: run.id });
    await t.service.budgets.delete({ id: budget.id });
  });

  it("never refuses under soft budgets or thresholds, and records each crossing once per period and kind", async () => {
    const agentId = await activeAgent();
    const budget = await agentBudget(agentId, { name: "Soft", enforcement: "soft", limitUsd: 1, alertThresholdPercent: 50 });
    await spend(t, agentId, [0.4]);
    expect((await t.member.budgets.crossings({ budgetId: budget.id })).items).toEqual([]);
    await spend(t, agentId, [0.2]); // 0.6: past the threshold
    const afterThreshold = await t.member.budgets.get({ id: budget.id });
    expect(afterThreshold.status).toMatchObject({ spendUsd: 0.6, percent: 60, state: "threshold" });
    await spend(t, agentId, [0.1, 0.5, 0.3, 0.2]); // 1.2 at the second: the limit; then more runs past it, never refused
    const after = await t.member.budgets.get({ id: budget.id });
    expect(after.status).toMatchObject({ spendUsd: 1.7, percent: 170, remainingUsd: 0, state: "exceeded" });
    const { items } = await t.member.budgets.crossings({ budgetId: budget.id });
    expect(items.map((c) => [c.kind, c.spendUsd, c.limitUsd, c.thresholdPercent, c.periodStart])).toEqual([
      ["exceeded", 1.2, 1, null, nextResets().monthStart],
      ["threshold", 0.6, 1, 50, nextResets().monthStart],
    ]);
    expect((await t.member.budgets.crossings({ budgetId: budget.id, kind: "threshold" })).items).toHaveLength(1);
    const page = await t.member.budgets.crossings({ budgetId: budget.id, limit: 1 });
    expect(page.items[0]!.kind).toBe("exceeded");
    expect((await t.member.budgets.crossings({ budgetId: budget.id, limit: 1, cursor: page.nextCursor! })).items[0]!.kind).toBe(
      "threshold",
    );
    await t.service.budgets.delete({ id: budget.id });
    expect((await t.member.budgets.crossings({ kind: "exceeded" })).items.map((c) => c.budgetId)).not.toContain(budget.id);
  });

  it("reserves the average cost while a run runs, gives it back at the finish, and ignores expired reservations", async () => {
    const agentId = await activeAgent();
    await spend(t, agentId, [0.01]); // average 0.01, spent 0.01
    const budget = await agentBudget(agentId, { name: "Tight", limitUsd: 0.025 });
    const first = await t.member.executions.start({ agentId, input: 1 });
    const second = await t.member.executions.start({ agentId, input: 2 });
    expect((await t.member.budgets.get({ id: budget.id })).status).toMatchObject({ spendUsd: 0.01, reservedUsd: 0.02, remainingUsd: 0 });
    // 0.01 spent + 0.02 reserved has reached 0.025.
    await rejectsWith(t.member.executions.start({ agentId, input: 3 }), "PRECONDITION_FAILED", /reserve \$0\.02 more/);
    await t.member.executions.complete({ id: first.id, output: 1, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0 });
    expect((await t.member.budgets.get({ id: budget.id })).status).toMatchObject({ spendUsd: 0.01, reservedUsd: 0.01 });
    const third = await t.member.executions.start({ agentId, input: 3 }); // 0.01 + 0.01 < 0.025
    await rejectsWith(t.member.executions.start({ agentId, input: 4 }), "PRECONDITION_FAILED");
    // A run that never finishes stops holding room once its reservation expires.
    await withTenant(h.database.db, t.tenantId, (tx) =>
      tx.execute(sql`update budget_reservations set expires_at = now() - interval '1 second' where budget_id = ${budget.id}::uuid`),
    );
    expect((await t.member.budgets.get({ id: budget.id })).status).toMatchObject({ reservedUsd: 0 });
    const fourth = await t.member.executions.start({ agentId, input: 4 });
    for (const id of [second.id, third.id, fourth.id]) await t.member.executions.cancel({ id });
    const left = await withTenant(h.database.db, t.tenantId, (tx) =>
      queryRow<{ n: number }>(tx, sql`select count(*)::int as n from budget_reservations where budget_id = ${budget.id}::uuid`),
    );
    expect(left.n).toBe(0);
    await t.service.budgets.delete({ id: budget.id });
  });

  it("scopes a crew run to the tenant's, its crew's and its space's budgets, and a child run to its agent's only", async () => {
    const s = await h.tenant("budgets-crews");
    const memberId = await activeAgent(s);
    const crew = await newCrew(h, s, { memberIds: [memberId] });
    // The crew, its member, its space and the tenant have spent $1 this month.
    const warmUp = await s.member.executions.start({ crewId: crew.id, input: 0 });
    const child = await s.member.executions.start({ agentId: memberId, parentExecutionId: warmUp.id, input: 0 });
    await s.member.executions.complete({ id: child.id, output: 0, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 1 });
    await s.member.executions.complete({ id: warmUp.id, output: 0 });
    const hard = (fields: Record<string, unknown>) =>
      s.service.budgets.create({ name: `hard ${fields.scope}`, period: "monthly", limitUsd: 1, enforcement: "hard", ...fields } as never);

    // The member's budget: a crew run goes on, its child run of that member does not.
    const memberBudget = await hard({ scope: "agent", agentId: memberId });
    const run = await s.member.executions.start({ crewId: crew.id, input: 1 });
    await rejectsWith(
      s.member.executions.start({ agentId: memberId, parentExecutionId: run.id, input: 1 }),
      "PRECONDITION_FAILED",
      /budget "hard agent"/,
    );
    await s.service.budgets.delete({ id: memberBudget.id });

    // The tenant's and the space's: a child run goes on (its crew run answered to them), a new crew run does not.
    for (const fields of [{ scope: "tenant" }, { scope: "space", spaceId: s.space.id }, { scope: "crew", crewId: crew.id }]) {
      const budget = await hard(fields);
      expect((await s.member.budgets.get({ id: budget.id })).status).toMatchObject({ spendUsd: 1, state: "exceeded" });
      const childRun = await s.member.executions.start({ agentId: memberId, parentExecutionId: run.id, input: fields.scope });
      await s.member.executions.cancel({ id: childRun.id });
      await rejectsWith(
        s.member.executions.start({ crewId: crew.id, input: 2 }),
        "PRECONDITION_FAILED",
        new RegExp(`budget "hard ${fields.scope}"`),
      );
      await s.service.budgets.delete({ id: budget.id });
    }
    // A budget of another space does not apply.
    const elsewhere = await hard({ scope: "space", spaceId: s.otherSpace.id });
    await s.member.executions.cancel({ id: (await s.member.executions.start({ crewId: crew.id, input: 3 })).id });
    await s.service.budgets.delete({ id: elsewhere.id });
    await s.member.executions.cancel({ id: run.id });
  });

  it("never refuses executions.record, even under a reached hard budget", async () => {
    const r = await h.tenant("budgets-record");
    const agentId = await activeAgent(r);
    await spend(r, agentId, [1]);
    await r.service.budgets.create({ name: "Reached", scope: "tenant", period: "monthly", limitUsd: 1, enforcement: "hard" });
    await rejectsWith(r.member.executions.start({ agentId, input: 1 }), "PRECONDITION_FAILED", /budget "Reached"/);
    await r.service.executions.record({
      runs: [
        { agentId, input: 1, output: 2, status: "succeeded", durationMs: 5, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0.5 },
      ],
    });
    const [budget] = (await r.member.budgets.list({ scope: "tenant" })).items;
    expect(budget!.status.spendUsd).toBe(1.5);
  });

  it("resets daily budgets at UTC midnight and monthly ones on the first of the month (UTC), whatever the session's time zone", async () => {
    const agentId = await activeAgent();
    const daily = await agentBudget(agentId, { name: "d", period: "daily", enforcement: "soft" });
    const monthly = await agentBudget(agentId, { name: "m", period: "monthly", enforcement: "soft" });
    const resets = nextResets();
    expect(daily.status).toMatchObject({ resetsAt: resets.daily, periodStart: resets.today });
    expect(monthly.status).toMatchObject({ resetsAt: resets.monthly, periodStart: resets.monthStart });

    // Runs on both sides of a month's end and of a day's end (UTC), recorded with their start times.
    const at = (startedAt: string, costUsd: number) => ({
      agentId,
      input: startedAt,
      status: "succeeded" as const,
      durationMs: 1,
      startedAt,
      usage: { inputTokens: 1, outputTokens: 1 },
      costUsd,
    });
    await t.service.executions.record({
      runs: [
        at("2026-01-31T23:59:59.000Z", 1),
        at("2026-02-01T00:00:00.000Z", 2),
        at("2026-02-01T23:59:59.999Z", 4),
        at("2026-02-02T00:00:01.000Z", 8),
      ],
    });
    const spendAt = (budgetId: string, when: string, zone: string) =>
      withTenant(h.database.db, t.tenantId, async (tx) => {
        // The session's zone must not move the boundaries: +14 h and -11 h put these instants on other local days.
        await tx.execute(sql`select set_config('TimeZone', ${zone}, true)`);
        return queryRow<{ spend: number; start: string; resets: string }>(
          tx,
          sql`select budget_spend(b, ${when}::timestamptz)::float8 as spend,
                     to_char(budget_period_start(b.period, ${when}::timestamptz), 'YYYY-MM-DD') as start,
                     to_char(budget_resets_at(b.period, ${when}::timestamptz) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as resets
              from budgets b where b.id = ${budgetId}::uuid`,
        );
      });
    for (const zone of ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"]) {
      expect(await spendAt(daily.id, "2026-01-31T23:59:59.999Z", zone)).toEqual({
        spend: 1,
        start: "2026-01-31",
        resets: "2026-02-01T00:00:00",
      });
      expect(await spendAt(daily.id, "2026-02-01T12:00:00Z", zone)).toEqual({
        spend: 6,
        start: "2026-02-01",
        resets: "2026-02-02T00:00:00",
      });
      expect(await spendAt(daily.id, "2026-02-02T00:00:00Z", zone)).toEqual({
        spend: 8,
        start: "2026-02-02",
        resets: "2026-02-03T00:00:00",
      });
      expect(await spendAt(monthly.id, "2026-01-15T00:00:00Z", zone)).toEqual({
        spend: 1,
        start: "2026-01-01",
        resets: "2026-02-01T00:00:00",
      });
      expect(await spendAt(monthly.id, "2026-02-28T23:59:59Z", zone)).toEqual({
        spend: 14,
        start: "2026-02-01",
        resets: "2026-03-01T00:00:00",
      });
    }
    // Nothing recorded this day or month: those runs are in the past, so the current periods stay at 0.
    const now = await t.member.budgets.list({ agentId });
    expect(now.items.map((b) => b.status.spendUsd)).toEqual([0, 0]);
    await t.service.budgets.delete({ id: daily.id });
    await t.service.budgets.delete({ id: monthly.id });
  });

  it("reports the budgets that apply in usage.*, with unpriced executions counted", async () => {
    const u = await h.tenant("budgets-usage");
    const agentId = await activeAgent(u);
    const elsewhereAgent = await activeAgent(u, u.otherSpace.id);
    const crew = await newCrew(h, u, { memberIds: [agentId] });
    const make = (name: string, fields: Record<string, unknown>) =>
      u.service.budgets.create({ name, period: "monthly", limitUsd: 10, enforcement: "soft", ...fields } as never);
    const tenantBudget = await make("tenant", { scope: "tenant" });
    const spaceBudget = await make("space", { scope: "space", spaceId: u.space.id });
    const otherSpaceBudget = await make("other space", { scope: "space", spaceId: u.otherSpace.id });
    const agentBudgetRow = await make("agent", { scope: "agent", agentId });
    const crewBudget = await make("crew", { scope: "crew", crewId: crew.id });
    // One priced run and one of a model without a price (its cost unknown, counted 0).
    await spend(u, agentId, [2]);
    const unpriced = await u.member.executions.start({ agentId, input: "?" });
    await u.member.executions.complete({
      id: unpriced.id,
      output: "?",
      usage: { inputTokens: 1000, outputTokens: 10, model: "no-such-model-anywhere" },
    });

    const names = (budgets: Array<{ name: string }>) => budgets.map((b) => b.name);
    const tenantUsage = await u.member.usage.tenant();
    expect(names(tenantUsage.budgets)).toEqual(["tenant"]);
    expect(tenantUsage.budgets[0]).toMatchObject({ id: tenantBudget.id, status: { spendUsd: 2, percent: 20, state: "ok" } });
    expect(tenantUsage.thisMonth).toMatchObject({ executions: 2, unpricedExecutions: 1, costUsd: 2 });
    const agentUsage = await u.member.usage.agent({ agentId });
    expect(names(agentUsage.budgets)).toEqual(["tenant", "space", "agent"]);
    expect(agentUsage.budgets.map((b) => b.id)).toEqual([tenantBudget.id, spaceBudget.id, agentBudgetRow.id]);
    expect(agentUsage.lifetime).toMatchObject({ executions: 2, unpricedExecutions: 1 });
    expect(agentUsage.today.unpricedExecutions).toBe(1);
    expect(names((await u.member.usage.agent({ agentId: elsewhereAgent })).budgets)).toEqual(["tenant", "other space"]);
    expect(names((await u.member.usage.space({ spaceId: u.space.id })).budgets)).toEqual(["tenant", "space"]);
    expect(otherSpaceBudget.scope).toBe("space");
    expect(names((await u.member.usage.crew({ crewId: crew.id })).budgets)).toEqual(["tenant", "space", "crew"]);
    expect(crewBudget.status.spendUsd).toBe(0);
    const day = nextResets().today;
    const series = await u.member.usage.timeseries({ from: day, to: day, agentId });
    expect(series.buckets).toEqual([expect.objectContaining({ day, executions: 2, unpricedExecutions: 1 })]);

    // Staff read the same budgets with the same status.
    const staff = await h.as({ sub: crypto.randomUUID(), tid: "staff", role: "admin" });
    const staffList = await staff.admin.budgets({ tenantId: u.tenantId });
    expect(staffList.items).toHaveLength(5);
    expect((await staff.admin.budgets({ tenantId: u.tenantId, appliesToAgentId: agentId })).items).toEqual(agentUsage.budgets);
    await rejectsWith(staff.admin.budgets({ tenantId: t.tenantId, appliesToAgentId: agentId }), "NOT_FOUND");
  });

  it("reads a page of budgets in one statement, whatever its size", async () => {
    const agentId = await activeAgent();
    for (let i = 0; i < 3; i++) await agentBudget(agentId, { name: `page ${i}`, enforcement: "soft" });
    h.statements.length = 0;
    const page = await t.member.budgets.list({ agentId });
    expect(page.items).toHaveLength(3);
    const reads = h.statements.filter((s) => /from budgets b/.test(s));
    expect(reads).toHaveLength(1);
    expect(h.statements.some((s) => /agent_executions/.test(s))).toBe(false);
    const rows = await queryRows(h.database.db, sql`select 1 from budgets where agent_id = ${agentId}::uuid`);
    expect(rows).toHaveLength(3);
  });
});
