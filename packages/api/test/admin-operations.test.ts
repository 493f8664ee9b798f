import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { sql } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { type Api, createHarness, type Harness, newAgent, rejectsWith, type TestTenant } from "./support";

/**
 * Staff maintenance through the API: `admin.runRetention` and `admin.closeStuckExecutions`.
 * The staff role cannot delete or update executions itself; these prove the work is done as
 * each tenant (under its policy), bounded per call, audited per tenant, and that usage figures
 * do not move for retention and move exactly once for a closed run.
 */
const usage = { inputTokens: 100, outputTokens: 20 };

describe.each(testTargets())("admin maintenance on %s", (target) => {
  let h: Harness;
  let a: TestTenant;
  let b: TestTenant;
  let staff: Api;
  let staffId: string;
  let agentA: string;
  let agentB: string;
  const old: Record<"a" | "b", string[]> = { a: [], b: [] };
  const recent: Record<"a" | "b", string[]> = { a: [], b: [] };
  let stuckRun: string;

  /** Moves executions back in time, as if they had run `days` ago (superuser; counters untouched). */
  const age = (ids: string[], days: number) =>
    h.database.db.execute(sql`update agent_executions
      set created_at = created_at - make_interval(days => ${days}::int), started_at = started_at - make_interval(days => ${days}::int),
          completed_at = completed_at - make_interval(days => ${days}::int)
      where id in ${
        ids.length
          ? sql`(${sql.join(
              ids.map((id) => sql`${id}::uuid`),
              sql`, `,
            )})`
          : sql`(null)`
      }`);

  async function run(t: TestTenant, agentId: string, n: number) {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const e = await t.member.executions.start({ agentId, input: i });
      await t.member.executions.appendSteps({
        executionId: e.id,
        steps: [
          { type: "thought", data: i },
          { type: "message", data: i },
        ],
      });
      await t.member.executions.complete({ id: e.id, output: i, usage, costUsd: 0.25, durationMs: 1000 });
      ids.push(e.id);
    }
    return ids;
  }

  beforeAll(async () => {
    h = await createHarness(target);
    a = await h.tenant("ops-a");
    b = await h.tenant("ops-b");
    staffId = crypto.randomUUID();
    staff = await h.as({ sub: staffId, tid: "platform", role: "admin" });
    agentA = (await a.member.agents.setStatus({ id: (await newAgent(a)).id, status: "active" })).id;
    agentB = (await b.member.agents.setStatus({ id: (await newAgent(b)).id, status: "active" })).id;
    old.a = await run(a, agentA, 5);
    old.b = await run(b, agentB, 3);
    recent.a = await run(a, agentA, 2);
    recent.b = await run(b, agentB, 1);
    stuckRun = (await a.member.executions.start({ agentId: agentA, input: "never finished" })).id;
    await age([...old.a, ...old.b, stuckRun], 100);
  });
  afterAll(() => h?.close());

  const usageOf = async (t: TestTenant, agentId: string) => ({
    tenant: await t.member.usage.tenant(),
    agent: await t.member.usage.agent({ agentId }),
    stats: (await t.member.agents.get({ id: agentId })).stats,
  });
  /** Oldest run first; entries of one run share its transaction's timestamp, so by tenant within a run. */
  const inRunOrder = <T extends { createdAt: string; targetTenantId: string | null }>(entries: T[]) =>
    entries.toSorted((x, y) => x.createdAt.localeCompare(y.createdAt) || (x.targetTenantId ?? "~").localeCompare(y.targetTenantId ?? "~"));
  const listed = async (t: TestTenant) => (await t.member.executions.list({ limit: 100 })).items.map((e) => e.id).toSorted();

  it("deletes old finished executions of every tenant as each tenant, a bounded number per call, audited per tenant; usage does not move", async () => {
    const before = { a: await usageOf(a, agentA), b: await usageOf(b, agentB) };
    expect(before.a.stats.totalExecutions).toBe(7);

    const first = await staff.admin.runRetention({ olderThanDays: 90, maxRows: 4 });
    expect(first).toMatchObject({ tenants: [{ tenantId: "ops-a", executions: 4, steps: 8 }], executions: 4, steps: 8, complete: false });
    const second = await staff.admin.runRetention({ olderThanDays: 90, maxRows: 4 });
    expect(second.tenants).toEqual([
      { tenantId: "ops-a", executions: 1, steps: 2 },
      { tenantId: "ops-b", executions: 3, steps: 6 },
    ]);
    const third = await staff.admin.runRetention({ olderThanDays: 90 });
    expect(third).toMatchObject({ tenants: [], executions: 0, complete: true });
    expect(Date.parse(third.cutoff)).toBeLessThan(Date.now() - 89 * 86_400_000);

    // Only old finished runs went: the recent ones and the old run still `running` stay.
    expect(await listed(a)).toEqual([...recent.a, stuckRun].toSorted());
    expect(await listed(b)).toEqual(recent.b.toSorted());
    await rejectsWith(a.member.executions.get({ id: old.a[0]! }), "NOT_FOUND");
    // Lifetime, today/week/month and the agents' stats are what they were.
    expect({ a: await usageOf(a, agentA), b: await usageOf(b, agentB) }).toEqual(before);

    const log = inRunOrder((await staff.admin.auditLog({ limit: 100 })).items.filter((e) => e.action === "maintenance.retention"));
    expect(log.map((e) => [e.targetTenantId, e.details.executions, e.details.steps, e.details.complete])).toEqual([
      ["ops-a", 4, 8, false],
      ["ops-a", 1, 2, false],
      ["ops-b", 3, 6, false],
      [null, 0, 0, true],
    ]);
    expect(log.at(-1)).toMatchObject({ actorId: staffId, actorTenantId: "platform", targetType: "tenant", details: { olderThanDays: 90 } });
  });

  it("keeps to the tenant it is given, refuses an unknown one, and audits a run that found nothing", async () => {
    const more = await run(b, agentB, 2);
    await age(more, 40);
    const onlyA = await staff.admin.runRetention({ olderThanDays: 30, tenantId: "ops-a" });
    expect(onlyA).toMatchObject({ tenants: [], executions: 0, complete: true });
    expect(await listed(b)).toEqual([...recent.b, ...more].toSorted());
    expect((await staff.admin.auditLog({ tenantId: "ops-a", limit: 1 })).items[0]).toMatchObject({
      action: "maintenance.retention",
      targetTenantId: "ops-a",
      details: { olderThanDays: 30, executions: 0 },
    });
    expect(await staff.admin.runRetention({ olderThanDays: 30, tenantId: "ops-b" })).toMatchObject({
      tenants: [{ tenantId: "ops-b", executions: 2 }],
    });
    await rejectsWith(staff.admin.runRetention({ olderThanDays: 30, tenantId: "nobody" }), "NOT_FOUND");
    await rejectsWith(staff.admin.runRetention({ olderThanDays: 0 }), "BAD_REQUEST");
    await rejectsWith(a.member.admin.runRetention({ olderThanDays: 30 }), "FORBIDDEN");
  });

  it("closes runs stuck in running as failed, counted once, and audits which ones", async () => {
    const before = (await a.member.agents.get({ id: agentA })).stats;
    const closed = await staff.admin.closeStuckExecutions({ olderThanMinutes: 60 });
    expect(closed).toMatchObject({ tenants: [{ tenantId: "ops-a", closed: 1, executionIds: [stuckRun] }], closed: 1, complete: true });

    const execution = await a.member.executions.get({ id: stuckRun });
    expect(execution).toMatchObject({
      status: "failed",
      error: { code: "stuck", message: "closed by maintenance: still running after 60 minutes" },
      durationMs: null,
    });
    expect(execution.completedAt).not.toBeNull();
    const after = (await a.member.agents.get({ id: agentA })).stats;
    expect(after).toMatchObject({ totalExecutions: before.totalExecutions + 1, failedExecutions: before.failedExecutions + 1 });
    // The caller that lost it cannot finish it any more, nor does a second sweep count it again.
    await rejectsWith(a.member.executions.complete({ id: stuckRun, output: 1, usage, costUsd: 0 }), "CONFLICT");
    expect(await staff.admin.closeStuckExecutions({ olderThanMinutes: 60 })).toMatchObject({ tenants: [], closed: 0 });
    expect((await a.member.agents.get({ id: agentA })).stats).toEqual(after);

    const log = inRunOrder((await staff.admin.auditLog({ limit: 100 })).items.filter((e) => e.action === "maintenance.closeStuck"));
    expect(log.map((e) => [e.targetTenantId, e.details.closed, e.details.executionIds ?? null])).toEqual([
      ["ops-a", 1, [stuckRun]],
      [null, 0, null],
    ]);
    await rejectsWith(staff.admin.closeStuckExecutions({ olderThanMinutes: 1 }), "BAD_REQUEST");
  });

  it("never touches a run younger than the limit", async () => {
    const fresh = (await b.member.executions.start({ agentId: agentB, input: "fresh" })).id;
    expect(await staff.admin.closeStuckExecutions({ olderThanMinutes: 5, tenantId: "ops-b" })).toMatchObject({ closed: 0 });
    expect((await b.member.executions.get({ id: fresh })).status).toBe("running");
  });
});
