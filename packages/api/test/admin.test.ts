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

  /** Statements sent by `call`, the transaction's opening and commit aside (how they are sent differs by driver). */
  async function readsOf(call: () => Promise<unknown>) {
    h.statements.length = 0;
    await call();
    return h.statements.filter((s) => !/^(begin;\s*)?select set_config\(|^commit$/.test(s));
  }

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
    // The tenant's own list, each agent with its month added (see "adds this month's usage" below).
    const staffPage = await staff.admin.agents({ tenantId: "admin-a" });
    expect({ ...staffPage, items: staffPage.items.map(({ thisMonth: _month, ...agent }) => agent) }).toEqual(await a.member.agents.list());
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

  it("lists every tenant lightly (id, name, since when, agents) in one statement, without reading usage", async () => {
    const reads = await readsOf(() => staff.admin.tenants());
    expect(reads).toHaveLength(1);
    expect(reads[0]).not.toMatch(/usage/);
    const { tenants } = await staff.admin.tenants();
    const byId = Object.fromEntries(tenants.map((t) => [t.id, t]));
    expect(byId["admin-a"]).toMatchObject({ id: "admin-a", name: "Alpha Corp", agentCount: 1 });
    expect(byId["admin-b"]).toMatchObject({ id: "admin-b", name: "Beta Ltd", agentCount: 1 });
    expect(Date.parse(byId["admin-a"]!.createdAt)).toBeLessThanOrEqual(Date.now());
    expect(byId["admin-a"]!.createdAt).toBe((await staff.admin.tenant({ tenantId: "admin-a" })).tenant.createdAt);
    // The same tenants as the overview, by name.
    expect(new Set(tenants.map((t) => t.id))).toEqual(new Set((await staff.admin.overview()).tenants.map((t) => t.tenantId)));
    expect(tenants.map((t) => t.name ?? t.id)).toEqual(tenants.map((t) => t.name ?? t.id).sort());
  });

  it("names the staff member on its own, as the overview does", async () => {
    expect(await staff.admin.staffMember()).toEqual((await staff.admin.overview()).staffMember);
    expect(await readsOf(() => staff.admin.staffMember())).toHaveLength(1);
  });

  it("adds each agent's month so far to admin.agents, as usage.agent has it, in two statements whatever the page size", async () => {
    const idle = (await newAgent(a, { name: "Idle" })).id;
    // Runs on the last day of last month (UTC), in the rollup: lifetime, not this month.
    await h.database.db.execute(sql`insert into agent_usage_daily (agent_id, day, slot, tenant_id, total_executions, successful_executions, total_cost_usd)
      values (${agentA}::uuid, (date_trunc('month', now() at time zone 'utc') - interval '1 day')::date, 0, 'admin-a', 7, 7, 9)`);
    const page = await staff.admin.agents({ tenantId: "admin-a", limit: 50 });
    const byId = Object.fromEntries(page.items.map((row) => [row.id, row.thisMonth]));
    expect(byId[agentA]).toMatchObject({ executions: 4, succeeded: 3, failed: 1, cancelled: 0, costUsd: 2, totalTokens: 480 });
    expect(byId[agentA]).toEqual((await a.member.usage.agent({ agentId: agentA })).thisMonth);
    expect(byId[idle]).toEqual((await a.member.usage.agent({ agentId: idle })).thisMonth);
    expect(byId[idle]).toMatchObject({ executions: 0, costUsd: 0, avgDurationMs: null });
    // Another tenant's usage never lands on these rows.
    expect((await staff.admin.agents({ tenantId: "admin-b" })).items[0]?.thisMonth.executions).toBe(0);

    const one = await readsOf(() => staff.admin.agents({ tenantId: "admin-a", limit: 1 }));
    const all = await readsOf(() => staff.admin.agents({ tenantId: "admin-a", limit: 50 }));
    expect(one).toHaveLength(2);
    expect(all).toHaveLength(2);
    expect(all[1]).toMatch(/from agent_usage_daily/);
    await staff.admin.setAgentStatus({ id: idle, status: "archived" });
  });

  it("filters the audit log by target, page by page", async () => {
    const everything = (await staff.admin.auditLog({ limit: 100 })).items;
    const ofAgent = everything.filter((e) => e.targetType === "agent" && e.targetId === agentA);
    expect(ofAgent.length).toBeGreaterThan(2);
    expect(everything.length).toBeGreaterThan(ofAgent.length);
    expect((await staff.admin.auditLog({ targetType: "agent", targetId: agentA, limit: 100 })).items).toEqual(ofAgent);
    const ofTenantB = everything.filter((e) => e.targetType === "tenant" && e.targetId === "admin-b");
    expect(ofTenantB.length).toBeGreaterThan(0);
    expect((await staff.admin.auditLog({ targetType: "tenant", targetId: "admin-b" })).items).toEqual(ofTenantB);
    expect((await staff.admin.auditLog({ targetType: "tenant" })).items).toEqual(everything.filter((e) => e.targetType === "tenant"));
    // With the tenant filter too (as the agent page asks), and for an agent nobody touched.
    expect((await staff.admin.auditLog({ tenantId: "admin-a", targetType: "agent", targetId: agentA, limit: 100 })).items).toEqual(ofAgent);
    expect((await staff.admin.auditLog({ tenantId: "admin-b", targetType: "agent", targetId: agentA })).items).toEqual([]);
    expect((await staff.admin.auditLog({ targetType: "agent", targetId: crypto.randomUUID() })).items).toEqual([]);

    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await staff.admin.auditLog({ targetType: "agent", targetId: agentA, limit: 2, cursor });
      paged.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(ofAgent.map((e) => e.id));
    await rejectsWith(staff.admin.auditLog({ targetId: agentA }), "BAD_REQUEST", /targetId needs targetType/);
  });

  it("takes tRPC's infinite-query direction on every keyset list, and pages forward", async () => {
    // Each list called with any input: the point is what they do with the extra keys.
    type List = (input: Record<string, unknown>) => Promise<{ items: Array<{ id: string }>; nextCursor: string | null }>;
    const staffAgents = staff.admin.agents as unknown as List;
    const lists: Array<[string, List]> = [
      ["admin.agents", (i) => staffAgents({ tenantId: "admin-a", ...i })],
      ["admin.executions", staff.admin.executions as unknown as List],
      ["admin.auditLog", staff.admin.auditLog as unknown as List],
      ["agents.list", a.member.agents.list as unknown as List],
      ["executions.list", a.member.executions.list as unknown as List],
      ["directory.listSpaces", a.member.directory.listSpaces as unknown as List],
    ];
    for (const [name, list] of lists) {
      const plain = await list({ limit: 1 });
      expect(plain.items, name).toHaveLength(1);
      expect(await list({ limit: 1, direction: "forward" }), name).toEqual(plain);
      // What tRPC's infinite query sends for the second page: the first page's cursor, forward.
      if (plain.nextCursor) {
        const second = await list({ limit: 1, cursor: plain.nextCursor, direction: "forward" });
        expect(second, name).toEqual(await list({ limit: 1, cursor: plain.nextCursor }));
        expect(second.items[0]?.id, name).not.toBe(plain.items[0]?.id);
      }
      // There is no previous-page cursor to go backward from: the key is accepted, the page is the same.
      expect(await list({ limit: 1, direction: "backward" }), name).toEqual(plain);
      await rejectsWith(list({ limit: 1, direction: "sideways" }), "BAD_REQUEST", /direction/);
    }
  });
});
