import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { crewLimits } from "@agent-builder/contracts";
import { queryRows, sql } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { createHarness, type Harness, newAgent, rejectsWith, type TestTenant } from "./support";

/** Crews (`crews`, `crew_members`): members in order, process and manager rules, the one-statement get, deletion policies. */
describe.each(testTargets())("crews on %s", (target) => {
  let h: Harness;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    h = await createHarness(target);
    a = await h.tenant("crews-a");
    b = await h.tenant("crews-b");
  });
  afterAll(() => h?.close());

  let n = 0;
  const agents = async (t: TestTenant, count: number) => {
    const made = [];
    for (let i = 0; i < count; i++) made.push(await newAgent(t, { name: `Agent ${++n}`, role: `Role ${n}`, goal: `Goal ${n}` }));
    return made;
  };
  const crewOf = async (t: TestTenant, memberAgentIds: string[], extra: Record<string, unknown> = {}) =>
    t.member.crews.create({ name: `Crew ${++n}`, spaceId: t.space.id, memberAgentIds, ...extra });
  const task = (t: TestTenant, crewId: string, agentId: string, extra: Record<string, unknown> = {}) =>
    t.member.tasks.create({ crewId, title: `Task ${++n}`, description: "Do it", expectedOutput: "Done", agentId, ...extra });
  const count = async (table: string, column: string, id: string) =>
    (
      await queryRows<{ n: number }>(
        h.database.db,
        sql`select count(*)::int as n from ${sql.identifier(table)} where ${sql.identifier(column)} = ${id}::uuid`,
      )
    )[0]?.n;

  it("creates a crew with ordered members and defaults, and reads it back", async () => {
    const [x, y, z] = await agents(a, 3);
    const crew = await a.member.crews.create({
      name: "Research crew",
      description: "Finds things out",
      spaceId: a.space.id,
      memberAgentIds: [z!.id, x!.id, y!.id],
    });
    expect(crew).toMatchObject({
      name: "Research crew",
      description: "Finds things out",
      process: "sequential",
      managerAgentId: null,
      memberAgentIds: [z!.id, x!.id, y!.id],
      ownerId: a.memberId,
      spaceId: a.space.id,
      memory: false,
      verbose: false,
      maxIterations: null,
      version: 1,
    });
    const got = await a.member.crews.get({ id: crew.id });
    expect(got.members.map((m) => [m.id, m.position])).toEqual([
      [z!.id, 0],
      [x!.id, 1],
      [y!.id, 2],
    ]);
    expect(got).toMatchObject({ manager: null, tasks: [], executionCount: 0, memberAgentIds: crew.memberAgentIds });
    expect(got.usage).toEqual({
      totalExecutions: 0,
      successfulExecutions: 0,
      failedExecutions: 0,
      cancelledExecutions: 0,
      totalTokens: 0,
      totalCostUsd: 0,
      lastExecutedAt: null,
    });
    expect(got.createdAt).toBe(crew.createdAt);
  });

  it("holds the process to its manager: required when hierarchical, refused when sequential, never a member", async () => {
    const [x, y, m] = await agents(a, 3);
    await rejectsWith(
      crewOf(a, [x!.id], { process: "hierarchical" }),
      "BAD_REQUEST",
      /managerAgentId: a hierarchical crew needs a manager/,
    );
    await rejectsWith(crewOf(a, [x!.id], { managerAgentId: m!.id }), "BAD_REQUEST", /managerAgentId: a sequential crew has no manager/);
    await rejectsWith(
      crewOf(a, [x!.id, m!.id], { process: "hierarchical", managerAgentId: m!.id }),
      "BAD_REQUEST",
      new RegExp(`managerAgentId: agent ${m!.id} is a member`),
    );
    const crew = await crewOf(a, [x!.id, y!.id], { process: "hierarchical", managerAgentId: m!.id, memory: true, maxIterations: 7 });
    expect(crew).toMatchObject({ process: "hierarchical", managerAgentId: m!.id, memory: true, maxIterations: 7 });
    const got = await a.member.crews.get({ id: crew.id });
    expect(got.manager).toMatchObject({ id: m!.id, name: m!.name, role: m!.role, goal: m!.goal, status: "draft", tools: [] });

    // Update: a manager may not become a member, nor a sequential crew get one; moving to sequential drops it.
    await rejectsWith(
      a.member.crews.update({ id: crew.id, expectedVersion: 1, memberAgentIds: [x!.id, m!.id] }),
      "BAD_REQUEST",
      /managerAgentId: agent .* is a member/,
    );
    await rejectsWith(
      a.member.crews.update({ id: crew.id, expectedVersion: 1, process: "sequential", managerAgentId: m!.id }),
      "BAD_REQUEST",
      /a sequential crew has no manager/,
    );
    const sequential = await a.member.crews.update({ id: crew.id, expectedVersion: 1, process: "sequential" });
    expect(sequential).toMatchObject({ process: "sequential", managerAgentId: null, version: 2 });
    await rejectsWith(
      a.member.crews.update({ id: crew.id, expectedVersion: 2, process: "hierarchical" }),
      "BAD_REQUEST",
      /a hierarchical crew needs a manager/,
    );
    // The manager can move into the members in the same patch that drops it as manager.
    const back = await a.member.crews.update({
      id: crew.id,
      expectedVersion: 2,
      process: "hierarchical",
      managerAgentId: x!.id,
      memberAgentIds: [y!.id, m!.id],
    });
    expect(back).toMatchObject({ managerAgentId: x!.id, memberAgentIds: [y!.id, m!.id], version: 3 });
  });

  it("refuses bad input with a 400 naming the field", async () => {
    const [x] = await agents(a, 1);
    const base = { name: "Bad", spaceId: a.space.id, memberAgentIds: [x!.id] };
    const tooMany = Array.from({ length: crewLimits.membersMax + 1 }, () => crypto.randomUUID());
    for (const [input, field] of [
      [{ ...base, name: "" }, /name/],
      [{ ...base, name: "x".repeat(crewLimits.nameMax + 1) }, /name/],
      [{ ...base, description: "x".repeat(crewLimits.descriptionMax + 1) }, /description/],
      [{ ...base, memberAgentIds: [] }, /memberAgentIds: a crew needs at least one member/],
      [{ ...base, memberAgentIds: [x!.id, x!.id] }, /memberAgentIds: each agent may be a member once/],
      [{ ...base, memberAgentIds: tooMany }, /memberAgentIds: a crew has at most 50/],
      [{ ...base, maxIterations: 0 }, /maxIterations must be at least 1/],
      [{ ...base, maxIterations: 101 }, /maxIterations must be at most 100/],
      [{ ...base, process: "parallel" }, /process/],
      [{ ...base, tags: ["x"] }, /Unrecognized key.*tags/],
    ] as const) {
      await rejectsWith(a.member.crews.create(input as never), "BAD_REQUEST", field);
    }
    const crew = await crewOf(a, [x!.id]);
    await rejectsWith(a.member.crews.update({ id: crew.id, expectedVersion: 1 } as never), "BAD_REQUEST", /nothing to update/);
    await rejectsWith(crewOf(a, [x!.id], { name: crew.name }), "CONFLICT", /a crew with this name already exists/);
  });

  it("answers NOT_FOUND for another tenant's agents, space and crews, naming no row of theirs", async () => {
    const [x, m] = await agents(a, 2);
    const [mine] = await agents(b, 1);
    const crewOfA = await crewOf(a, [x!.id]);
    await rejectsWith(crewOf(b, [x!.id]), "NOT_FOUND", new RegExp(`agent ${x!.id} not found`));
    await rejectsWith(crewOf(b, [mine!.id], { process: "hierarchical", managerAgentId: m!.id }), "NOT_FOUND", /agent .* not found/);
    await rejectsWith(
      b.member.crews.create({ name: "B", spaceId: a.space.id, memberAgentIds: [mine!.id] }),
      "NOT_FOUND",
      /space not found/,
    );
    await rejectsWith(b.member.crews.get({ id: crewOfA.id }), "NOT_FOUND", /crew .* not found/);
    await rejectsWith(b.member.crews.update({ id: crewOfA.id, expectedVersion: 1, name: "pwned" }), "NOT_FOUND");
    await rejectsWith(b.member.crews.delete({ id: crewOfA.id }), "NOT_FOUND");
    const crewOfB = await crewOf(b, [mine!.id]);
    await rejectsWith(b.member.crews.update({ id: crewOfB.id, expectedVersion: 1, memberAgentIds: [mine!.id, x!.id] }), "NOT_FOUND");
    expect((await b.member.crews.list({ memberAgentId: x!.id })).items).toEqual([]);
    expect((await a.member.crews.get({ id: crewOfA.id })).version).toBe(1);
  });

  it("updates with optimistic concurrency and replaces the ordered members in the same transaction", async () => {
    const [x, y, z] = await agents(a, 3);
    const crew = await crewOf(a, [x!.id, y!.id]);
    const renamed = await a.member.crews.update({ id: crew.id, expectedVersion: 1, name: `${crew.name} renamed`, verbose: true });
    expect(renamed).toMatchObject({ version: 2, verbose: true, memberAgentIds: [x!.id, y!.id] });
    await rejectsWith(a.member.crews.update({ id: crew.id, expectedVersion: 1, memory: true }), "CONFLICT", /at version 2, not 1/);
    const reordered = await a.member.crews.update({ id: crew.id, expectedVersion: 2, memberAgentIds: [z!.id, y!.id, x!.id] });
    expect(reordered).toMatchObject({ version: 3, memberAgentIds: [z!.id, y!.id, x!.id], memory: false });
    const fewer = await a.member.crews.update({ id: crew.id, expectedVersion: 3, memberAgentIds: [y!.id] });
    expect(fewer.memberAgentIds).toEqual([y!.id]);
    expect((await a.member.crews.get({ id: crew.id })).members.map((m) => [m.id, m.position])).toEqual([[y!.id, 0]]);
    // A failing replacement leaves the members as they were (one transaction).
    await rejectsWith(
      a.member.crews.update({ id: crew.id, expectedVersion: 4, memberAgentIds: [x!.id, crypto.randomUUID()] }),
      "NOT_FOUND",
    );
    expect((await a.member.crews.get({ id: crew.id })).memberAgentIds).toEqual([y!.id]);
    // maxIterations null clears the cap.
    const capped = await a.member.crews.update({ id: crew.id, expectedVersion: 4, maxIterations: 3 });
    expect((await a.member.crews.update({ id: crew.id, expectedVersion: capped.version, maxIterations: null })).maxIterations).toBeNull();
  });

  it("refuses to remove a member that tasks are assigned to, naming the tasks", async () => {
    const [x, y] = await agents(a, 2);
    const crew = await crewOf(a, [x!.id, y!.id]);
    const t1 = await task(a, crew.id, x!.id, { title: "Collect sources" });
    await rejectsWith(
      a.member.crews.update({ id: crew.id, expectedVersion: 1, memberAgentIds: [y!.id] }),
      "CONFLICT",
      new RegExp(`agent ${x!.id} still has tasks of this crew: "Collect sources" \\(${t1.id}\\)`),
    );
    expect((await a.member.crews.get({ id: crew.id })).memberAgentIds).toEqual([x!.id, y!.id]);
    await a.member.tasks.update({ id: t1.id, expectedVersion: 1, agentId: y!.id });
    expect((await a.member.crews.update({ id: crew.id, expectedVersion: 1, memberAgentIds: [y!.id] })).memberAgentIds).toEqual([y!.id]);
  });

  it("lists with keyset pages and filters by process, space, name and member", async () => {
    const t = await h.tenant("crews-list");
    const [x, y, m] = await agents(t, 3);
    const made = [];
    for (let i = 0; i < 5; i++) {
      made.push(
        await t.member.crews.create({
          name: `List crew ${i}${i % 2 ? " odd" : ""}`,
          spaceId: i < 3 ? t.space.id : t.otherSpace.id,
          memberAgentIds: i === 4 ? [y!.id] : [x!.id],
          ...(i === 2 ? { process: "hierarchical" as const, managerAgentId: m!.id } : {}),
        }),
      );
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.member.crews.list({ limit: 2, sortBy: "name", sortDirection: "asc", cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((c) => c.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(made.map((c) => c.name));
    const names = async (input: Record<string, unknown>) => (await t.member.crews.list(input)).items.map((c) => c.name).sort();
    expect(await names({ process: "hierarchical" })).toEqual(["List crew 2"]);
    expect(await names({ spaceId: t.otherSpace.id })).toEqual(["List crew 3 odd", "List crew 4"]);
    expect(await names({ search: "ODD" })).toEqual(["List crew 1 odd", "List crew 3 odd"]);
    expect(await names({ memberAgentId: y!.id })).toEqual(["List crew 4"]);
    expect(await names({ memberAgentId: m!.id })).toEqual([]); // a manager is not a member
    const [newest] = (await t.member.crews.list()).items;
    expect(newest?.id).toBe(made[4]?.id);
    await rejectsWith(t.member.crews.list({ cursor: "nonsense" }), "BAD_REQUEST", /invalid cursor/);
  });

  it("gets members with their tools, the manager, tasks with context and output format, and the crew runs' count", async () => {
    const [x, y, m] = await agents(a, 3);
    const search = await a.member.tools.create({ name: `Search ${n}`, type: "http", secrets: {} });
    const calc = await a.member.tools.create({ name: `Calc ${n}`, type: "builtin" });
    await a.member.agents.attachTool({ agentId: x!.id, toolId: search.id, position: 2, configuration: { k: 1 } });
    await a.member.agents.attachTool({ agentId: x!.id, toolId: calc.id, position: 1, enabled: false });
    await a.member.agents.attachTool({ agentId: m!.id, toolId: calc.id });
    const crew = await crewOf(a, [y!.id, x!.id], { process: "hierarchical", managerAgentId: m!.id });
    const format = { type: "object", properties: { summary: { type: "string" } }, required: ["summary"] };
    const first = await task(a, crew.id, x!.id, { title: "First" });
    const second = await task(a, crew.id, y!.id, { title: "Second", context: [first.id], outputFormat: format });

    // A finished crew run with one child run, written as executions.record would (no API for it here).
    const crewRun = crypto.randomUUID();
    await h.database.db.execute(
      sql`insert into agent_executions (id, tenant_id, crew_id, user_id, input_data) values (${crewRun}::uuid, ${a.tenantId}, ${crew.id}::uuid, ${a.memberId}::uuid, '{}')`,
    );
    await h.database.db.execute(
      sql`insert into agent_executions (tenant_id, agent_id, crew_id, parent_execution_id, user_id, input_data, status, completed_at, input_tokens, output_tokens, provided_cost_usd)
          values (${a.tenantId}, ${x!.id}::uuid, ${crew.id}::uuid, ${crewRun}::uuid, ${a.memberId}::uuid, '{}', 'succeeded', now(), 10, 5, 0.25)`,
    );
    await h.database.db.execute(sql`update agent_executions set status = 'succeeded', completed_at = now() where id = ${crewRun}::uuid`);

    const got = await a.member.crews.get({ id: crew.id });
    expect(got.members).toEqual([
      { id: y!.id, name: y!.name, role: y!.role, goal: y!.goal, status: "draft", position: 0, tools: [] },
      {
        id: x!.id,
        name: x!.name,
        role: x!.role,
        goal: x!.goal,
        status: "draft",
        position: 1,
        tools: [
          { id: calc.id, name: calc.name, type: "builtin", enabled: false, position: 1 },
          { id: search.id, name: search.name, type: "http", enabled: true, position: 2 },
        ],
      },
    ]);
    expect(got.manager).toEqual({
      id: m!.id,
      name: m!.name,
      role: m!.role,
      goal: m!.goal,
      status: "draft",
      tools: [{ id: calc.id, name: calc.name, type: "builtin", enabled: true, position: 0 }],
    });
    expect(got.tasks).toEqual([first, second]);
    expect(got.tasks[1]).toMatchObject({ context: [first.id], outputFormat: format, position: 1 });
    expect(got.executionCount).toBe(1);
    expect(got.usage).toMatchObject({ totalExecutions: 1, successfulExecutions: 1, totalTokens: 15, totalCostUsd: 0.25 });
    expect(got.usage.lastExecutedAt).not.toBeNull();
    expect(JSON.stringify(got)).not.toMatch(/configuration|secrets|ciphertext/);
  });

  it("refuses to delete an agent that is a member or the manager of a crew (CONFLICT), and deletes it once it is neither", async () => {
    const [x, m] = await agents(a, 2);
    const [other] = await agents(a, 1);
    const crew = await crewOf(a, [x!.id], { process: "hierarchical", managerAgentId: m!.id });
    // agents.delete names the crews (agents/service.ts); the keys' messages are the backstop for a race.
    await rejectsWith(a.member.agents.delete({ id: x!.id }), "CONFLICT", new RegExp(`agent ${x!.id} is in crews "${crew.name}"`));
    await rejectsWith(a.member.agents.delete({ id: m!.id }), "CONFLICT", new RegExp(`agent ${m!.id} is in crews "${crew.name}"`));
    expect((await a.member.crews.get({ id: crew.id })).memberAgentIds).toEqual([x!.id]);
    await a.member.crews.update({ id: crew.id, expectedVersion: 1, process: "sequential", memberAgentIds: [other!.id] });
    await a.member.agents.delete({ id: x!.id });
    await a.member.agents.delete({ id: m!.id });
    await rejectsWith(a.member.agents.get({ id: x!.id }), "NOT_FOUND");
  });

  it("deletes a crew with its members, tasks, context, crew runs and usage; its agents stay", async () => {
    const [x, y] = await agents(a, 2);
    const crew = await crewOf(a, [x!.id, y!.id]);
    const first = await task(a, crew.id, x!.id);
    const second = await task(a, crew.id, y!.id, { context: [first.id] });
    await task(a, crew.id, y!.id, { context: [first.id, second.id] });
    const crewRun = crypto.randomUUID();
    await h.database.db.execute(
      sql`insert into agent_executions (id, tenant_id, crew_id, user_id, input_data, status, completed_at) values (${crewRun}::uuid, ${a.tenantId}, ${crew.id}::uuid, ${a.memberId}::uuid, '{}', 'cancelled', now())`,
    );
    expect(await count("crew_usage_stats", "crew_id", crew.id)).toBe(1);
    expect(await a.member.crews.delete({ id: crew.id })).toEqual({ id: crew.id });
    for (const [table, column] of [
      ["crews", "id"],
      ["crew_members", "crew_id"],
      ["tasks", "crew_id"],
      ["task_context", "crew_id"],
      ["agent_executions", "crew_id"],
      ["crew_usage_stats", "crew_id"],
      ["crew_usage_daily", "crew_id"],
    ] as const) {
      expect(await count(table, column, crew.id), table).toBe(0);
    }
    expect((await a.member.agents.get({ id: x!.id })).id).toBe(x!.id);
    await rejectsWith(a.member.crews.delete({ id: crew.id }), "NOT_FOUND");
    await rejectsWith(a.member.tasks.get({ id: first.id }), "NOT_FOUND");
  });

  it("gives staff any tenant's crews (admin.crews) and one crew in the crews.get shape (admin.crew); tenants are FORBIDDEN", async () => {
    const staff = await h.as({ sub: crypto.randomUUID(), tid: "staff", role: "admin" });
    const [x, m] = await agents(b, 2);
    const crew = await crewOf(b, [x!.id], { process: "hierarchical", managerAgentId: m!.id });
    await task(b, crew.id, x!.id);
    expect(await staff.admin.crew({ id: crew.id })).toEqual(await b.member.crews.get({ id: crew.id }));
    const listed = await staff.admin.crews({ tenantId: b.tenantId, memberAgentId: x!.id });
    expect(listed.items).toEqual([crew]);
    expect((await staff.admin.crews({ tenantId: b.tenantId, limit: 100 })).items.every((c) => c.spaceId === b.space.id)).toBe(true);
    await rejectsWith(staff.admin.crew({ id: crypto.randomUUID() }), "NOT_FOUND", /crew .* not found/);
    await rejectsWith(staff.admin.crews({ tenantId: "no-such-tenant" }), "NOT_FOUND", /tenant/);
    await rejectsWith(b.member.admin.crew({ id: crew.id }), "FORBIDDEN");
  });

  it("lets a service token manage crews too, and refuses no tenant role (as agents)", async () => {
    const [x] = await agents(a, 1);
    const crew = await a.service.crews.create({ name: `Service crew ${n}`, spaceId: a.space.id, memberAgentIds: [x!.id] });
    expect(crew.ownerId).toBe(a.serviceId);
    expect((await a.otherMember.crews.get({ id: crew.id })).id).toBe(crew.id);
  });
});
