import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { crewLimits } from "@agent-builder/contracts";
import { queryRows, sql } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { createHarness, type Harness, newAgent, rejectsWith, type TestTenant } from "./support";

/** Tasks of a crew (`tasks`, `task_context`): assignee a member, context within the crew and without loops, order, deletion. */
describe.each(testTargets())("tasks on %s", (target) => {
  let h: Harness;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    h = await createHarness(target);
    a = await h.tenant("tasks-a");
    b = await h.tenant("tasks-b");
  });
  afterAll(() => h?.close());

  let n = 0;
  /** A crew of `size` fresh agents. */
  const crewOf = async (t: TestTenant, size = 2) => {
    const members = [];
    for (let i = 0; i < size; i++) members.push(await newAgent(t, { name: `Agent ${++n}` }));
    const crew = await t.member.crews.create({ name: `Crew ${++n}`, spaceId: t.space.id, memberAgentIds: members.map((m) => m.id) });
    return { crew, members };
  };
  const task = (t: TestTenant, crewId: string, agentId: string, extra: Record<string, unknown> = {}) =>
    t.member.tasks.create({ crewId, title: `Task ${++n}`, description: "Do it", expectedOutput: "Done", agentId, ...extra });

  it("creates tasks appended in order, reads, lists by position and updates them", async () => {
    const { crew, members } = await crewOf(a);
    const [x, y] = members;
    const first = await task(a, crew.id, x!.id, { title: "Research", description: "Find sources", expectedOutput: "A list" });
    expect(first).toMatchObject({
      crewId: crew.id,
      title: "Research",
      description: "Find sources",
      expectedOutput: "A list",
      agentId: x!.id,
      position: 0,
      context: [],
      outputFormat: null,
      version: 1,
    });
    const second = await task(a, crew.id, y!.id, { context: [first.id] });
    expect(second).toMatchObject({ position: 1, context: [first.id] });
    const early = await task(a, crew.id, y!.id, { position: 0 });
    expect(await a.member.tasks.get({ id: second.id })).toEqual(second);
    // By position, ties by id.
    const listed = (await a.member.tasks.list({ crewId: crew.id })).items;
    expect(listed.map((t) => t.id)).toEqual([...[first.id, early.id].sort(), second.id]);

    const updated = await a.member.tasks.update({
      id: second.id,
      expectedVersion: 1,
      title: "Write",
      agentId: x!.id,
      position: 5,
      context: [early.id, first.id],
      outputFormat: { type: "object", properties: { text: { type: "string" } } },
    });
    expect(updated).toMatchObject({ title: "Write", agentId: x!.id, position: 5, version: 2, outputFormat: { type: "object" } });
    expect([...updated.context].sort()).toEqual([early.id, first.id].sort());
    const cleared = await a.member.tasks.update({ id: second.id, expectedVersion: 2, context: [], outputFormat: null });
    expect(cleared).toMatchObject({ context: [], outputFormat: null, version: 3 });
    await rejectsWith(a.member.tasks.update({ id: second.id, expectedVersion: 2, title: "Stale" }), "CONFLICT", /at version 3, not 2/);
    expect((await a.member.tasks.get({ id: second.id })).title).toBe("Write");
  });

  it("pages a crew's tasks by position with a keyset cursor, one statement per page", async () => {
    const { crew, members } = await crewOf(a, 1);
    const made = [];
    for (let i = 0; i < 7; i++) made.push(await task(a, crew.id, members[0]!.id, { position: 10 - i }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await a.member.tasks.list({ crewId: crew.id, limit: 3, cursor });
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(made.map((t) => t.id).reverse());
    await rejectsWith(a.member.tasks.list({ crewId: crew.id, cursor: "bad" }), "BAD_REQUEST", /invalid cursor/);
    await rejectsWith(a.member.tasks.list({ crewId: crypto.randomUUID() }), "NOT_FOUND", /crew .* not found/);
  });

  it("refuses an assignee that is not a member of the crew, naming it (400)", async () => {
    const { crew, members } = await crewOf(a);
    const outsider = await newAgent(a, { name: "Outsider" });
    await rejectsWith(
      task(a, crew.id, outsider.id),
      "BAD_REQUEST",
      new RegExp(`agentId: agent ${outsider.id} is not a member of crew ${crew.id}`),
    );
    const t = await task(a, crew.id, members[0]!.id);
    await rejectsWith(
      a.member.tasks.update({ id: t.id, expectedVersion: 1, agentId: outsider.id }),
      "BAD_REQUEST",
      new RegExp(`agent ${outsider.id} is not a member`),
    );
  });

  it("refuses context from another crew (400 naming it), from no task of the tenant's (404), and its own output (400)", async () => {
    const one = await crewOf(a);
    const two = await crewOf(a);
    const elsewhere = await task(a, two.crew.id, two.members[0]!.id);
    await rejectsWith(
      task(a, one.crew.id, one.members[0]!.id, { context: [elsewhere.id] }),
      "BAD_REQUEST",
      new RegExp(`context: task ${elsewhere.id} belongs to another crew`),
    );
    const mine = await task(a, one.crew.id, one.members[0]!.id);
    await rejectsWith(a.member.tasks.update({ id: mine.id, expectedVersion: 1, context: [elsewhere.id] }), "BAD_REQUEST", /another crew/);
    await rejectsWith(a.member.tasks.update({ id: mine.id, expectedVersion: 1, context: [mine.id] }), "BAD_REQUEST", /its own output/);
    const missing = crypto.randomUUID();
    await rejectsWith(task(a, one.crew.id, one.members[0]!.id, { context: [missing] }), "NOT_FOUND", new RegExp(`context task ${missing}`));
    await rejectsWith(
      task(a, one.crew.id, one.members[0]!.id, { context: [mine.id, mine.id] }),
      "BAD_REQUEST",
      /context: each task may be named once/,
    );
    expect((await a.member.tasks.list({ crewId: one.crew.id })).items.map((t) => t.id)).toEqual([mine.id]);
  });

  it("refuses a context loop (400 from the trigger): two tasks, and three", async () => {
    const { crew, members } = await crewOf(a, 1);
    const agentId = members[0]!.id;
    const ta = await task(a, crew.id, agentId);
    const tb = await task(a, crew.id, agentId, { context: [ta.id] });
    await rejectsWith(
      a.member.tasks.update({ id: ta.id, expectedVersion: 1, context: [tb.id] }),
      "BAD_REQUEST",
      /context: .* would make a cycle/,
    );
    const tc = await task(a, crew.id, agentId, { context: [tb.id] });
    await rejectsWith(a.member.tasks.update({ id: ta.id, expectedVersion: 1, context: [tc.id] }), "BAD_REQUEST", /would make a cycle/);
    expect((await a.member.tasks.get({ id: ta.id })).context).toEqual([]);
    // Not a loop: a diamond.
    expect((await a.member.tasks.update({ id: tc.id, expectedVersion: 1, context: [ta.id, tb.id] })).context).toEqual([ta.id, tb.id]);
  });

  it.skipIf(target === "pglite")("lets exactly one of two concurrent updates that would close a loop succeed, ten times over", async () => {
    const { crew, members } = await crewOf(a, 1);
    const agentId = members[0]!.id;
    for (let round = 0; round < 10; round++) {
      const ta = await task(a, crew.id, agentId);
      const tb = await task(a, crew.id, agentId);
      const outcomes = await Promise.allSettled([
        a.member.tasks.update({ id: ta.id, expectedVersion: 1, context: [tb.id] }),
        a.otherMember.tasks.update({ id: tb.id, expectedVersion: 1, context: [ta.id] }),
      ]);
      const failed = outcomes.filter((o) => o.status === "rejected");
      expect(failed, `round ${round}`).toHaveLength(1);
      expect((failed[0] as PromiseRejectedResult).reason).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/cycle/) });
      const contexts = [(await a.member.tasks.get({ id: ta.id })).context, (await a.member.tasks.get({ id: tb.id })).context];
      expect(contexts.flat()).toHaveLength(1);
    }
  });

  it("refuses to delete a task other tasks take as context, naming them; deletes it once none does", async () => {
    const { crew, members } = await crewOf(a, 1);
    const agentId = members[0]!.id;
    const base = await task(a, crew.id, agentId, { title: "Base" });
    const reader = await task(a, crew.id, agentId, { title: "Reader", context: [base.id] });
    await rejectsWith(
      a.member.tasks.delete({ id: base.id }),
      "CONFLICT",
      new RegExp(`task ${base.id} is context of "Reader" \\(${reader.id}\\)`),
    );
    // Deleting the reader takes its own context edges with it.
    expect(await a.member.tasks.delete({ id: reader.id })).toEqual({ id: reader.id });
    expect(await a.member.tasks.delete({ id: base.id })).toEqual({ id: base.id });
    await rejectsWith(a.member.tasks.delete({ id: base.id }), "NOT_FOUND");
  });

  it("detaches a deleted task from the steps that worked on it (task_id set null); the runs and steps stay", async () => {
    const { crew, members } = await crewOf(a, 1);
    const agentId = members[0]!.id;
    const done = await task(a, crew.id, agentId);
    const crewRun = crypto.randomUUID();
    const child = crypto.randomUUID();
    await h.database.db.execute(
      sql`insert into agent_executions (id, tenant_id, crew_id, user_id, input_data) values (${crewRun}::uuid, ${a.tenantId}, ${crew.id}::uuid, ${a.memberId}::uuid, '{}')`,
    );
    await h.database.db.execute(
      sql`insert into agent_executions (id, tenant_id, agent_id, crew_id, parent_execution_id, user_id, input_data)
          values (${child}::uuid, ${a.tenantId}, ${agentId}::uuid, ${crew.id}::uuid, ${crewRun}::uuid, ${a.memberId}::uuid, '{}')`,
    );
    await h.database.db.execute(
      sql`insert into agent_execution_steps (tenant_id, execution_id, ordinal, type, task_id, data)
          values (${a.tenantId}, ${child}::uuid, 1, 'thought', ${done.id}::uuid, '{}')`,
    );
    await a.member.tasks.delete({ id: done.id });
    const steps = await queryRows<{ taskId: string | null }>(
      h.database.db,
      sql`select task_id as "taskId" from agent_execution_steps where execution_id = ${child}::uuid`,
    );
    expect(steps).toEqual([{ taskId: null }]);
  });

  it("checks outputFormat as a JSON Schema of an object, and bounds every field (400 naming it)", async () => {
    const { crew, members } = await crewOf(a, 1);
    const agentId = members[0]!.id;
    await rejectsWith(
      task(a, crew.id, agentId, { outputFormat: { type: "string" } }),
      "BAD_REQUEST",
      /outputFormat must describe the answer as an object/,
    );
    await rejectsWith(
      task(a, crew.id, agentId, { outputFormat: { type: "object", properties: { a: { type: "strin" } } } }),
      "BAD_REQUEST",
      /outputFormat is not a valid JSON Schema: \/properties\/a\/type/,
    );
    const big = { type: "object", description: "x".repeat(crewLimits.taskOutputFormatBytesMax) };
    await rejectsWith(
      task(a, crew.id, agentId, { outputFormat: big }),
      "BAD_REQUEST",
      /outputFormat: JSON is \d+ bytes; the limit is 65536/,
    );
    await rejectsWith(task(a, crew.id, agentId, { outputFormat: [1] }), "BAD_REQUEST", /outputFormat: must be a JSON object/);
    for (const [extra, field] of [
      [{ title: "" }, /title/],
      [{ title: "x".repeat(crewLimits.taskTitleMax + 1) }, /title/],
      [{ description: "" }, /description/],
      [{ expectedOutput: "x".repeat(crewLimits.taskExpectedOutputMax + 1) }, /expectedOutput/],
      [{ position: crewLimits.tasksMax }, /position must be at most 99/],
      [{ position: -1 }, /position must be at least 0/],
      [{ context: Array.from({ length: crewLimits.taskContextMax + 1 }, () => crypto.randomUUID()) }, /context: a task takes at most 20/],
    ] as const) {
      await rejectsWith(task(a, crew.id, agentId, extra), "BAD_REQUEST", field);
    }
    const t = await task(a, crew.id, agentId);
    await rejectsWith(
      a.member.tasks.update({ id: t.id, expectedVersion: 1, outputFormat: { type: "array" } }),
      "BAD_REQUEST",
      /outputFormat/,
    );
    await rejectsWith(a.member.tasks.update({ id: t.id, expectedVersion: 1 } as never), "BAD_REQUEST", /nothing to update/);
  });

  it("holds a crew to its task limit", async () => {
    const { crew, members } = await crewOf(a, 1);
    const last = await task(a, crew.id, members[0]!.id, { position: crewLimits.tasksMax - 1 });
    await rejectsWith(task(a, crew.id, members[0]!.id), "BAD_REQUEST", /position: the crew's last task is at position 99; give a position/);
    expect((await task(a, crew.id, members[0]!.id, { position: 3 })).position).toBe(3);
    expect(last.position).toBe(99);
  });

  it("answers NOT_FOUND for another tenant's crew, task and agent, and changes nothing of theirs", async () => {
    const { crew, members } = await crewOf(a);
    const theirs = await task(a, crew.id, members[0]!.id);
    const mine = await crewOf(b, 1);
    await rejectsWith(task(b, crew.id, mine.members[0]!.id), "NOT_FOUND", /crew .* not found/);
    await rejectsWith(task(b, mine.crew.id, members[0]!.id), "BAD_REQUEST", /is not a member/); // A's agent is no member of B's crew
    await rejectsWith(task(b, mine.crew.id, mine.members[0]!.id, { context: [theirs.id] }), "NOT_FOUND", /context task .* not found/);
    await rejectsWith(b.member.tasks.get({ id: theirs.id }), "NOT_FOUND");
    await rejectsWith(b.member.tasks.update({ id: theirs.id, expectedVersion: 1, title: "pwned" }), "NOT_FOUND");
    await rejectsWith(b.member.tasks.delete({ id: theirs.id }), "NOT_FOUND");
    await rejectsWith(b.member.tasks.list({ crewId: crew.id }), "NOT_FOUND");
    expect(await a.member.tasks.get({ id: theirs.id })).toEqual(theirs);
  });
});
