import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { queryRow, sql, withTenant } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { createHarness, type Harness, newAgent, type TestTenant } from "./support";

/**
 * A hard budget holds under concurrent starts (docs/pricing.md, "Budgets"): with spend S, limit L,
 * reservations R already held and a reservation of r per start, concurrent starts accept exactly
 * ceil((L − S − R) / r) runs while none finishes (at least 1 if L > S + R, none otherwise), because
 * starts take turns on the budget's row and each sees the reservations of those before it. Runs
 * where there is real concurrency: Postgres through node-postgres and through the Neon driver
 * (PGlite has one connection and serialises everything anyway).
 */
const targets = testTargets().filter((t) => t !== "pglite");

/** The bound the doc states, in micro-dollars so the division is exact. */
const admitted = (limitUsd: number, spentUsd: number, reservedUsd: number, reservationUsd: number) => {
  const micro = (usd: number) => Math.round(usd * 1e6);
  const room = micro(limitUsd) - micro(spentUsd) - micro(reservedUsd);
  return room <= 0 ? 0 : Math.ceil(room / micro(reservationUsd));
};

describe.runIf(targets.length > 0).each(targets)("budgets under concurrency on %s", (target) => {
  let h: Harness;
  let t: TestTenant;
  beforeAll(async () => {
    // 200 starts at once queue for 20 connections, taking turns on one budget row: let them wait.
    h = await createHarness(target, { poolMax: 20, connectionTimeoutMs: 120_000 });
    t = await h.tenant(`budget-race-${target}`);
  });
  afterAll(() => h?.close());

  async function activeAgent() {
    const agent = await newAgent(t);
    return (await t.member.agents.setStatus({ id: agent.id, status: "active" })).id;
  }

  /** 200 starts at once, each its own request and transaction: how many got in, and every refusal's code. */
  async function race(agentId: string) {
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => t.member.executions.start({ agentId, input: i })));
    const accepted = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value.id] : []));
    const refusals = outcomes.flatMap((o) => (o.status === "rejected" ? [(o.reason as { code?: string }).code] : []));
    return { accepted, refusals };
  }

  const reservations = (budgetId: string) =>
    withTenant(h.database.db, t.tenantId, (tx) =>
      queryRow<{ n: number; sum: number }>(
        tx,
        sql`select count(*)::int as n, coalesce(sum(amount_usd), 0)::float8 as sum from budget_reservations where budget_id = ${budgetId}::uuid`,
      ),
    );

  it("accepts exactly ceil(room / average cost) of 200 concurrent starts, refuses the rest with PRECONDITION_FAILED", async () => {
    const agentId = await activeAgent();
    const cost = 0.01;
    // History: 4 runs of exactly $0.01, so the reservation per start is $0.01 and $0.04 is spent.
    for (let i = 0; i < 4; i++) {
      const run = await t.member.executions.start({ agentId, input: i });
      await t.member.executions.complete({ id: run.id, output: i, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: cost });
    }
    const k = 7;
    const limitUsd = 0.04 + k * cost - 0.000001; // room for 7 runs, less a micro-dollar
    const budget = await t.service.budgets.create({
      name: "Race",
      scope: "agent",
      agentId,
      period: "monthly",
      limitUsd,
      enforcement: "hard",
    });
    expect(admitted(limitUsd, 0.04, 0, cost)).toBe(k);

    const started = Date.now();
    const { accepted, refusals } = await race(agentId);
    const wallMs = Date.now() - started;
    expect(accepted).toHaveLength(admitted(limitUsd, 0.04, 0, cost));
    expect(refusals).toHaveLength(200 - k);
    expect(new Set(refusals)).toEqual(new Set(["PRECONDITION_FAILED"])); // no deadlock, no 500, no timeout
    expect(await reservations(budget.id)).toEqual({ n: k, sum: k * cost });
    expect(wallMs).toBeLessThan(30_000);

    // Each run costs what it reserved: spend ends past the limit by less than one reservation.
    await Promise.all(
      accepted.map((id) => t.member.executions.complete({ id, output: 1, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: cost })),
    );
    const { status } = await t.member.budgets.get({ id: budget.id });
    expect(status).toMatchObject({ spendUsd: 0.11, reservedUsd: 0, state: "exceeded" });
    expect(status.spendUsd - limitUsd).toBeGreaterThan(0);
    expect(status.spendUsd - limitUsd).toBeLessThan(cost);
    expect(await reservations(budget.id)).toEqual({ n: 0, sum: 0 });
    const after = await race(agentId);
    expect(after.accepted).toHaveLength(0);
  });

  it("reserves 1% of the limit per start without history: 100 of 200 concurrent starts under a fresh budget", async () => {
    const agentId = await activeAgent();
    const budget = await t.service.budgets.create({
      name: "Fresh",
      scope: "agent",
      agentId,
      period: "daily",
      limitUsd: 2.5,
      enforcement: "hard",
    });
    const { accepted, refusals } = await race(agentId);
    expect(accepted).toHaveLength(admitted(2.5, 0, 0, 0.025));
    expect(accepted).toHaveLength(100);
    expect(new Set(refusals)).toEqual(new Set(["PRECONDITION_FAILED"]));
    expect(await reservations(budget.id)).toEqual({ n: 100, sum: 2.5 });
    await Promise.all(accepted.map((id) => t.member.executions.cancel({ id })));
    expect(await reservations(budget.id)).toEqual({ n: 0, sum: 0 });
  });
});
