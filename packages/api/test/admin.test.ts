import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { sql } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { appRouter } from "../src/root";
import { type Api, createHarness, type Harness, newAgent, rejectsWith, type TestTenant } from "./support";

const usage = { inputTokens: 100, outputTokens: 20 };
const today = new Date().toISOString().slice(0, 10);

describe.each(testTargets())("admin procedures on %s", (target) => {
  let h: Harness;
  let a: TestTenant;
  let b: TestTenant;
  let staff: Api;
  let staffId: string;
  let agentA: string;
  let executionB: string;

  beforeAll(async () => {
    h = await createHarness(target);
    a = await h.tenant("admin-a");
    b = await h.tenant("admin-b");
    staffId = crypto.randomUUID();
    staff = await h.as({ sub: staffId, tid: "platform", role: "admin" });
    agentA = (await a.member.agents.setStatus({ id: (await newAgent(a, { name: "Alpha" })).id, status: "active" })).id;
    for (let i = 0; i < 4; i++) {
      const e = await a.member.executions.start({ agentId: agentA, input: i });
      if (i === 3) await a.member.executions.fail({ id: e.id, error: { message: "x" }, usage, costUsd: 0.5 });
      else await a.member.executions.complete({ id: e.id, output: i, usage, costUsd: 0.5 });
    }
    const agentB = (await b.member.agents.setStatus({ id: (await newAgent(b, { name: "Beta" })).id, status: "active" })).id;
    executionB = (await b.member.executions.start({ agentId: agentB, input: "b" })).id;
    await b.member.executions.appendSteps({ executionId: executionB, steps: [{ type: "thought", data: "hm" }] });
  });
  afterAll(() => h?.close());

  it("refuses member and service tokens on every admin procedure", async () => {
    const names = Object.keys(appRouter._def.procedures).filter((p) => p.startsWith("admin."));
    expect(names.length).toBeGreaterThanOrEqual(8);
    for (const caller of [a.member, a.service]) {
      for (const name of names) {
        const [, procedure] = name.split(".") as [string, keyof Api["admin"]];
        const call = (caller.admin[procedure] as (input: unknown) => Promise<unknown>)({
          id: agentA,
          tenantId: a.tenantId,
          status: "paused",
        });
        await rejectsWith(call, "FORBIDDEN", /admin token/).catch((e: Error) => {
          throw new Error(`${name}: ${e.message}`);
        });
      }
    }
    expect((await a.member.agents.get({ id: agentA })).status).toBe("active");
  });

  it("gives an overview of every tenant this month", async () => {
    const overview = await staff.admin.overview({ days: 30 });
    const byId = Object.fromEntries(overview.tenants.map((t) => [t.tenantId, t]));
    expect(byId["admin-a"]).toMatchObject({
      agentCount: 1,
      activeAgents: 1,
      executionsThisMonth: 4,
      failedThisMonth: 1,
      costThisMonthUsd: 2,
      failureRate: 0.25,
    });
    expect(byId["admin-b"]).toMatchObject({ agentCount: 1, executionsThisMonth: 0, failureRate: null });
    expect(overview.daily).toHaveLength(30);
    expect(overview.daily.at(-1)).toMatchObject({ day: today, executions: 4, costUsd: 2 });
    expect(overview.totals).toMatchObject({ executionsThisMonth: 4, costThisMonthUsd: 2 });
    expect((await staff.admin.overview({ days: 90 })).daily).toHaveLength(90);
  });

  it("shows a tenant's spaces, users, agents and usage as the tenant itself would", async () => {
    const tenant = await staff.admin.tenant({ tenantId: "admin-a" });
    expect(tenant.tenant.id).toBe("admin-a");
    expect(tenant.spaces.map((s) => [s.name, s.agentCount])).toEqual([
      ["Main", 1],
      ["Other", 0],
    ]);
    expect(tenant.users.map((u) => u.id)).toEqual(expect.arrayContaining([a.memberId, a.otherMemberId, a.serviceId]));
    expect(tenant.lifetime).toEqual((await a.member.usage.tenant()).lifetime);
    expect(await staff.admin.agents({ tenantId: "admin-a" })).toEqual(await a.member.agents.list());
    await rejectsWith(staff.admin.tenant({ tenantId: "nobody" }), "NOT_FOUND");
  });

  it("shows an agent with usage, a daily chart and recent executions", async () => {
    const detail = await staff.admin.agent({ id: agentA });
    expect(detail).toMatchObject({ tenantId: "admin-a", agent: { id: agentA, name: "Alpha" }, usage: { today: { executions: 4 } } });
    expect(detail.daily).toHaveLength(30);
    expect(detail.recentExecutions).toHaveLength(4);
    await rejectsWith(staff.admin.agent({ id: crypto.randomUUID() }), "NOT_FOUND");
  });

  it("lists executions across tenants with filters, and shows one with its steps", async () => {
    const all = await staff.admin.executions({ limit: 100 });
    expect(new Set(all.items.map((e) => e.tenantId))).toEqual(new Set(["admin-a", "admin-b"]));
    expect(all.items).toHaveLength(5);
    expect((await staff.admin.executions({ tenantId: "admin-b" })).items.map((e) => [e.id, e.agentName])).toEqual([[executionB, "Beta"]]);
    expect((await staff.admin.executions({ status: "failed" })).items).toHaveLength(1);
    expect((await staff.admin.executions({ status: ["succeeded", "running"], tenantId: "admin-a" })).items).toHaveLength(3);
    const paged = [];
    let cursor: string | undefined;
    do {
      const page = await staff.admin.executions({ limit: 2, cursor });
      paged.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(all.items.map((e) => e.id));
    const one = await staff.admin.execution({ id: executionB });
    expect(one).toMatchObject({ tenantId: "admin-b", agentName: "Beta", status: "running", steps: [{ ordinal: 1, type: "thought" }] });
  });

  it("pauses an agent for its tenant and records who did it", async () => {
    const paused = await staff.admin.setAgentStatus({ id: agentA, status: "paused", reason: "runaway costs" });
    expect(paused.status).toBe("paused");
    expect((await a.member.agents.get({ id: agentA })).status).toBe("paused");
    await rejectsWith(a.member.executions.start({ agentId: agentA, input: 1 }), "PRECONDITION_FAILED");

    // Refused and no-op changes leave no trace.
    await rejectsWith(staff.admin.setAgentStatus({ id: agentA, status: "draft" }), "PRECONDITION_FAILED");
    await staff.admin.setAgentStatus({ id: agentA, status: "paused" });
    await rejectsWith(staff.admin.setAgentStatus({ id: crypto.randomUUID(), status: "paused" }), "NOT_FOUND");

    const log = await staff.admin.auditLog();
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({
      actorId: staffId,
      actorTenantId: "platform",
      action: "agent.setStatus",
      targetTenantId: "admin-a",
      targetType: "agent",
      targetId: agentA,
      details: { from: "active", to: "paused", reason: "runaway costs" },
    });
    expect((await staff.admin.auditLog({ tenantId: "admin-b" })).items).toEqual([]);
    await staff.admin.setAgentStatus({ id: agentA, status: "active" });
    expect((await staff.admin.auditLog({ tenantId: "admin-a" })).items.map((e) => e.details.to)).toEqual(["active", "paused"]);
  });

  it("names the signed-in staff member, and each audit entry's actor, tenants and target, in one statement", async () => {
    // Names as the directory has them: a staff tenant with a named staff member, named customer tenants.
    const namedId = crypto.randomUUID();
    const platform = await h.as({ sub: crypto.randomUUID(), tid: "platform-named", role: "service" });
    await platform.directory.upsertUser({ id: namedId, email: "sam@platform.test", displayName: "Sam Staff" });
    await h.database.db.execute(sql`update tenants set name = case id when 'platform-named' then 'Platform Team' when 'admin-a' then 'Alpha Corp' when 'admin-b' then 'Beta Ltd' end
                                    where id in ('platform-named', 'admin-a', 'admin-b')`);
    const named = await h.as({ sub: namedId, tid: "platform-named", role: "admin" });

    expect((await named.admin.overview()).staffMember).toEqual({
      userId: namedId,
      tenantId: "platform-named",
      tenantName: "Platform Team",
      displayName: "Sam Staff",
      email: "sam@platform.test",
    });
    // A staff member the directory does not know: ids only, names null.
    expect((await staff.admin.overview()).staffMember).toEqual({
      userId: staffId,
      tenantId: "platform",
      tenantName: null,
      displayName: null,
      email: null,
    });

    await named.admin.setAgentStatus({ id: agentA, status: "paused", reason: "names" });
    await named.admin.runRetention({ olderThanDays: 30, tenantId: "admin-b" });
    h.statements.length = 0;
    const log = await named.admin.auditLog({ limit: 10 });
    // One statement for the page and every name on it (no lookup per entry).
    // (The transaction's opening and commit aside: how they are sent differs by driver.)
    const reads = h.statements.filter((s) => !/^(begin;\s*)?select set_config\(|^commit$/.test(s));
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatch(/from admin_audit_log/);
    const [retention, pause, ...earlier] = log.items;
    expect(retention).toMatchObject({
      action: "maintenance.retention",
      actorId: namedId,
      actorName: "Sam Staff",
      actorTenantName: "Platform Team",
      targetTenantId: "admin-b",
      targetTenantName: "Beta Ltd",
      targetType: "tenant",
      targetId: "admin-b",
      targetName: "Beta Ltd",
    });
    expect(pause).toMatchObject({
      action: "agent.setStatus",
      actorName: "Sam Staff",
      targetTenantName: "Alpha Corp",
      targetType: "agent",
      targetId: agentA,
      targetName: "Alpha",
    });
    // The earlier entries by the staff member without a directory row keep their ids, with null names.
    expect(earlier.length).toBeGreaterThan(0);
    for (const entry of earlier)
      expect(entry).toMatchObject({ actorId: staffId, actorName: null, actorTenantName: null, targetName: "Alpha" });

    // Paging still works over the joined rows, and a renamed agent reads with its current name.
    await h.database.db.execute(sql`update agents set name = 'Alpha renamed' where id = ${agentA}::uuid`);
    const first = await named.admin.auditLog({ limit: 1 });
    const second = await named.admin.auditLog({ limit: 1, cursor: first.nextCursor! });
    expect(second.items[0]).toMatchObject({ id: pause!.id, targetName: "Alpha renamed" });
  });
});
