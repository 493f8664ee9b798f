import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { crewLimits, type JsonValue } from "@agent-builder/contracts";
import { queryRow, queryRows, sql } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { newCrew } from "./crew-fixtures";
import { createHarness, type Harness, newAgent, rejectsWith, type TestTenant } from "./support";

/** A crew of the tenant, written by SQL (the crews API is a colleague's). */
async function insertCrew(h: Harness, t: TestTenant, name: string): Promise<string> {
  const row = await queryRow<{ id: string }>(
    h.database.db,
    sql`insert into crews (tenant_id, name, owner_id, space_id) values (${t.tenantId}, ${name}, ${t.memberId}::uuid, ${t.space.id}::uuid)
        returning id`,
  );
  return row.id;
}

/** A running agent run made in a conversation (or in none), written by SQL as a runner would through executions.start. */
async function insertRun(h: Harness, t: TestTenant, agentId: string, conversationId: string | null): Promise<string> {
  const row = await queryRow<{ id: string }>(
    h.database.db,
    sql`insert into agent_executions (tenant_id, agent_id, user_id, input_data, conversation_id)
        values (${t.tenantId}, ${agentId}::uuid, ${t.memberId}::uuid, '{}'::jsonb, ${conversationId}::uuid) returning id`,
  );
  return row.id;
}

/** Finishes a run: the usage trigger counts it (in its conversation too) at this terminal transition. */
async function finishRun(h: Harness, id: string, inputTokens: number, outputTokens: number, costUsd: string) {
  await queryRows(
    h.database.db,
    sql`update agent_executions set status = 'succeeded', completed_at = greatest(now(), started_at),
          input_tokens = ${inputTokens}, output_tokens = ${outputTokens}, provided_cost_usd = ${costUsd}::numeric
        where id = ${id}::uuid`,
  );
}

describe.each(testTargets())("conversations on %s", (target) => {
  let h: Harness;
  let a: TestTenant;
  let b: TestTenant;
  let agentId: string;
  let crewId: string;

  beforeAll(async () => {
    h = await createHarness(target);
    a = await h.tenant("conv-a");
    b = await h.tenant("conv-b");
    agentId = (await a.member.agents.setStatus({ id: (await newAgent(a)).id, status: "active" })).id;
    crewId = await insertCrew(h, a, "Research crew");
  });
  afterAll(() => h?.close());

  it("creates a conversation with an agent or a crew, owned by the caller, and reads it back", async () => {
    const withAgent = await a.member.conversations.create({ agentId, title: "Trip to Lisbon" });
    expect(withAgent).toMatchObject({
      userId: a.memberId,
      agentId,
      crewId: null,
      title: "Trip to Lisbon",
      archivedAt: null,
      messageCount: 0,
      executionCount: 0,
      inputTokens: 0,
      outputTokens: 0,
      totalTokens: 0,
      costUsd: 0,
      lastMessageAt: null,
    });
    expect(await a.member.conversations.get({ id: withAgent.id })).toEqual(withAgent);
    const withCrew = await a.service.conversations.create({ crewId });
    expect(withCrew).toMatchObject({ userId: a.serviceId, agentId: null, crewId, title: "New conversation" });
  });

  it("refuses bad inputs with a 400 that says what is wrong", async () => {
    await rejectsWith(a.member.conversations.create({}), "BAD_REQUEST", /exactly one of agentId, crewId/);
    await rejectsWith(a.member.conversations.create({ agentId, crewId }), "BAD_REQUEST", /exactly one of agentId, crewId/);
    await rejectsWith(a.member.conversations.create({ agentId, title: "" }), "BAD_REQUEST", /title/);
    await rejectsWith(
      a.member.conversations.create({ agentId, title: "x".repeat(crewLimits.conversationTitleMax + 1) }),
      "BAD_REQUEST",
      /title/,
    );
    await rejectsWith(a.member.conversations.create({ agentId: crypto.randomUUID() }), "NOT_FOUND", /agent not found/);
    await rejectsWith(a.member.conversations.create({ crewId: crypto.randomUUID() }), "NOT_FOUND", /crew not found/);
    const c = await a.member.conversations.create({ agentId });
    const append = (input: Record<string, unknown>) =>
      a.member.conversations.appendMessage({ conversationId: c.id, role: "user", ...input } as never);
    await rejectsWith(append({}), "BAD_REQUEST", /exactly one of content \(text\) and parts \(JSON\)/);
    await rejectsWith(append({ content: "hi", parts: [{ type: "text", text: "hi" }] }), "BAD_REQUEST", /exactly one of content/);
    await rejectsWith(
      append({ content: "hi", inputTokens: 3 }),
      "BAD_REQUEST",
      /inputTokens: only assistant messages carry usage, not user/,
    );
    await rejectsWith(append({ role: "tool", content: "42", costUsd: 0.1 }), "BAD_REQUEST", /costUsd: only assistant messages carry usage/);
    await rejectsWith(append({ parts: [] }), "BAD_REQUEST", /parts must be a non-empty array of JSON objects/);
    await rejectsWith(append({ parts: ["text"] }), "BAD_REQUEST", /parts must be a non-empty array of JSON objects/);
    await rejectsWith(append({ content: "x".repeat(crewLimits.messageContentMax + 1) }), "BAD_REQUEST", /content/);
    await rejectsWith(append({ content: "a\u0000b" }), "BAD_REQUEST", /NUL/);
    await rejectsWith(append({ role: "robot", content: "x" }), "BAD_REQUEST", /role/);
    await rejectsWith(append({ role: "assistant", content: "x", outputTokens: -1 }), "BAD_REQUEST", /outputTokens/);
    await rejectsWith(append({ role: "assistant", content: "x", costUsd: 0.0000001 }), "BAD_REQUEST", /6 decimal places/);
    await rejectsWith(append({ role: "assistant", content: "x", costUsd: 1_000_000 }), "BAD_REQUEST", /below 1000000/);
    await rejectsWith(a.member.conversations.rename({ id: c.id, title: "" }), "BAD_REQUEST", /title/);
    await rejectsWith(a.member.conversations.messages({ conversationId: c.id, cursor: "nonsense" }), "BAD_REQUEST", /invalid cursor/);
    expect((await a.member.conversations.get({ id: c.id })).messageCount).toBe(0);
  });

  it("appends messages with seq 1..n, text or parts, and counts an assistant's usage once", async () => {
    const c = await a.member.conversations.create({ agentId });
    const user = await a.member.conversations.appendMessage({ conversationId: c.id, role: "user", content: "What is 6 × 7?" });
    expect(user).toMatchObject({ conversationId: c.id, seq: 1, role: "user", content: "What is 6 × 7?", parts: null, executionId: null });
    const parts: JsonValue[] = [
      { type: "text", text: "42" },
      { type: "tool_call", name: "calc", arguments: { q: "6*7" } },
    ];
    const answer = await a.member.conversations.appendMessage({
      conversationId: c.id,
      role: "assistant",
      parts,
      parentMessageId: user.id,
      inputTokens: 12,
      outputTokens: 3,
      costUsd: 0.000321,
    });
    expect(answer).toMatchObject({
      seq: 2,
      parts,
      content: null,
      parentMessageId: user.id,
      inputTokens: 12,
      outputTokens: 3,
      costUsd: 0.000321,
    });
    const empty = await a.member.conversations.appendMessage({ conversationId: c.id, role: "system", content: "" });
    expect(empty.content).toBe("");
    const read = await a.member.conversations.get({ id: c.id });
    expect(read).toMatchObject({
      messageCount: 3,
      executionCount: 0,
      inputTokens: 12,
      outputTokens: 3,
      totalTokens: 15,
      costUsd: 0.000321,
    });
    expect(read.lastMessageAt).not.toBeNull();
  });

  it("does not count the usage of a message that names a run of this conversation: the run's completion does", async () => {
    const c = await a.member.conversations.create({ agentId });
    const run = await insertRun(h, a, agentId, c.id);
    await a.member.conversations.appendMessage({ conversationId: c.id, role: "user", content: "hi" });
    const m = await a.member.conversations.appendMessage({
      conversationId: c.id,
      role: "assistant",
      content: "hello",
      executionId: run,
      inputTokens: 100,
      outputTokens: 20,
      costUsd: 0.5,
    });
    expect(m).toMatchObject({ executionId: run, inputTokens: 100, outputTokens: 20, costUsd: 0.5 });
    expect(await a.member.conversations.get({ id: c.id })).toMatchObject({ executionCount: 0, inputTokens: 0, costUsd: 0 });
    await finishRun(h, run, 100, 20, "0.5");
    expect(await a.member.conversations.get({ id: c.id })).toMatchObject({
      messageCount: 2,
      executionCount: 1,
      inputTokens: 100,
      outputTokens: 20,
      totalTokens: 120,
      costUsd: 0.5,
    });

    // A run of no conversation: its usage is not in the conversation otherwise, so the message's counts.
    const loose = await insertRun(h, a, agentId, null);
    await a.member.conversations.appendMessage({
      conversationId: c.id,
      role: "assistant",
      content: "more",
      executionId: loose,
      inputTokens: 7,
      outputTokens: 1,
      costUsd: 0.01,
    });
    expect(await a.member.conversations.get({ id: c.id })).toMatchObject({
      executionCount: 1,
      inputTokens: 107,
      outputTokens: 21,
      costUsd: 0.51,
    });

    // A run of another conversation is refused; an unknown or another tenant's run is NOT_FOUND.
    const other = await a.member.conversations.create({ agentId });
    const elsewhere = await insertRun(h, a, agentId, other.id);
    await rejectsWith(
      a.member.conversations.appendMessage({ conversationId: c.id, role: "assistant", content: "x", executionId: elsewhere }),
      "BAD_REQUEST",
      /executionId: execution .* was made in another conversation/,
    );
    await rejectsWith(
      a.member.conversations.appendMessage({ conversationId: c.id, role: "assistant", content: "x", executionId: crypto.randomUUID() }),
      "NOT_FOUND",
      /execution .* not found/,
    );
    const agentOfB = (await b.member.agents.setStatus({ id: (await newAgent(b)).id, status: "active" })).id;
    const runOfB = (await b.member.executions.start({ agentId: agentOfB, input: 1 })).id;
    await rejectsWith(
      a.member.conversations.appendMessage({ conversationId: c.id, role: "assistant", content: "x", executionId: runOfB }),
      "NOT_FOUND",
    );
    expect((await a.member.conversations.get({ id: c.id })).messageCount).toBe(3);
  });

  it("counts a run started in the conversation (executions.start with conversationId) once, when it completes", async () => {
    const c = await a.member.conversations.create({ agentId });
    const run = await a.member.executions.start({ agentId, input: "hi", conversationId: c.id });
    expect(run.conversationId).toBe(c.id);
    await a.member.conversations.appendMessage({ conversationId: c.id, role: "user", content: "hi" });
    const reply = { inputTokens: 30, outputTokens: 5, costUsd: 0.003 };
    await a.member.conversations.appendMessage({
      conversationId: c.id,
      role: "assistant",
      content: "hello",
      executionId: run.id,
      ...reply,
    });
    expect(await a.member.conversations.get({ id: c.id })).toMatchObject({ executionCount: 0, totalTokens: 0 });
    await a.member.executions.complete({ id: run.id, output: "hello", usage: { inputTokens: 30, outputTokens: 5 }, costUsd: 0.003 });
    expect(await a.member.conversations.get({ id: c.id })).toMatchObject({
      messageCount: 2,
      executionCount: 1,
      inputTokens: 30,
      outputTokens: 5,
      totalTokens: 35,
      costUsd: 0.003,
    });
  });

  it("treats a crew run's child run as in the crew run's conversation: its message adds nothing, the crew run's finish counts it", async () => {
    const crew = await newCrew(h, a, { members: 1 });
    const member = crew.members[0] ?? "";
    const c = await a.member.conversations.create({ crewId: crew.id });
    const crewRun = await a.member.executions.start({ crewId: crew.id, input: "plan", conversationId: c.id });
    const child = await a.member.executions.start({ agentId: member, parentExecutionId: crewRun.id, input: "step" });
    const usage = { inputTokens: 50, outputTokens: 10 };
    await a.member.conversations.appendMessage({
      conversationId: c.id,
      role: "assistant",
      content: "step done",
      executionId: child.id,
      ...usage,
      costUsd: 0.05,
    });
    await a.member.executions.complete({ id: child.id, output: 1, usage, costUsd: 0.05 });
    await a.member.executions.complete({ id: crewRun.id, output: 1, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0 });
    expect(await a.member.conversations.get({ id: c.id })).toMatchObject({
      executionCount: 1,
      inputTokens: 50,
      outputTokens: 10,
      costUsd: 0.05,
    });
    // A child run of a crew run made in another conversation is refused.
    const other = await a.member.conversations.create({ crewId: crew.id });
    const otherRun = await a.member.executions.start({ crewId: crew.id, input: "x", conversationId: other.id });
    const otherChild = await a.member.executions.start({ agentId: member, parentExecutionId: otherRun.id, input: "y" });
    await rejectsWith(
      a.member.conversations.appendMessage({ conversationId: c.id, role: "assistant", content: "x", executionId: otherChild.id }),
      "BAD_REQUEST",
      /another conversation/,
    );
    await a.member.executions.cancel({ id: otherRun.id });
  });

  it("pages messages newest first, with `before` a message id and the cursor", async () => {
    const c = await a.member.conversations.create({ agentId });
    const ids: string[] = [];
    for (let i = 1; i <= 7; i++) {
      ids.push(
        (await a.member.conversations.appendMessage({ conversationId: c.id, role: i % 2 ? "user" : "assistant", content: `m${i}` })).id,
      );
    }
    const contents = (page: { items: { content: string | null }[] }) => page.items.map((m) => m.content);
    const first = await a.member.conversations.messages({ conversationId: c.id, limit: 3 });
    expect(contents(first)).toEqual(["m7", "m6", "m5"]);
    const second = await a.member.conversations.messages({ conversationId: c.id, limit: 3, cursor: first.nextCursor ?? undefined });
    expect(contents(second)).toEqual(["m4", "m3", "m2"]);
    const last = await a.member.conversations.messages({ conversationId: c.id, limit: 3, cursor: second.nextCursor ?? undefined });
    expect(contents(last)).toEqual(["m1"]);
    expect(last.nextCursor).toBeNull();
    // before: older than m5 (Dify's first_id), then on with the cursor.
    const older = await a.member.conversations.messages({ conversationId: c.id, before: ids[4], limit: 2 });
    expect(contents(older)).toEqual(["m4", "m3"]);
    const olderStill = await a.member.conversations.messages({
      conversationId: c.id,
      before: ids[4],
      limit: 2,
      cursor: older.nextCursor ?? undefined,
    });
    expect(contents(olderStill)).toEqual(["m2", "m1"]);
    expect((await a.member.conversations.messages({ conversationId: c.id, before: ids[0] })).items).toEqual([]);
    // A `before` that is not a message of this conversation is NOT_FOUND.
    const other = await a.member.conversations.create({ agentId });
    const elsewhere = await a.member.conversations.appendMessage({ conversationId: other.id, role: "user", content: "x" });
    await rejectsWith(a.member.conversations.messages({ conversationId: c.id, before: elsewhere.id }), "NOT_FOUND", /before: message/);
    await rejectsWith(a.member.conversations.messages({ conversationId: c.id, before: crypto.randomUUID() }), "NOT_FOUND", /before/);
    // A cursor of the conversation list is not a messages cursor.
    const listCursor = (await a.member.conversations.list({ limit: 1 })).nextCursor;
    if (listCursor) await rejectsWith(a.member.conversations.messages({ conversationId: c.id, cursor: listCursor }), "BAD_REQUEST");
  });

  it("branches from a message of the same conversation only", async () => {
    const c = await a.member.conversations.create({ agentId });
    const q = await a.member.conversations.appendMessage({ conversationId: c.id, role: "user", content: "Write a haiku" });
    const a1 = await a.member.conversations.appendMessage({
      conversationId: c.id,
      role: "assistant",
      content: "one",
      parentMessageId: q.id,
    });
    const a2 = await a.member.conversations.appendMessage({
      conversationId: c.id,
      role: "assistant",
      content: "two",
      parentMessageId: q.id,
    });
    const edited = await a.member.conversations.appendMessage({ conversationId: c.id, role: "user", content: "Write a limerick" });
    const page = await a.member.conversations.messages({ conversationId: c.id });
    expect(page.items.map((m) => [m.seq, m.parentMessageId])).toEqual([
      [4, null],
      [3, q.id],
      [2, q.id],
      [1, null],
    ]);
    expect([a1.seq, a2.seq, edited.seq]).toEqual([2, 3, 4]);
    const other = await a.member.conversations.create({ agentId });
    const foreign = await a.member.conversations.appendMessage({ conversationId: other.id, role: "user", content: "x" });
    await rejectsWith(
      a.member.conversations.appendMessage({ conversationId: c.id, role: "assistant", content: "x", parentMessageId: foreign.id }),
      "NOT_FOUND",
      /parentMessageId: no such message in this conversation/,
    );
    await rejectsWith(
      a.member.conversations.appendMessage({ conversationId: c.id, role: "assistant", content: "x", parentMessageId: crypto.randomUUID() }),
      "NOT_FOUND",
      /parentMessageId/,
    );
    // The failed appends took no seq.
    expect((await a.member.conversations.get({ id: c.id })).messageCount).toBe(4);
    const staff = await h.as({ sub: crypto.randomUUID(), tid: "staff", role: "admin" });
    const staffPage = await staff.admin.conversationMessages({ conversationId: c.id });
    expect(staffPage).toEqual(page);
    await rejectsWith(staff.admin.conversationMessages({ conversationId: crypto.randomUUID() }), "NOT_FOUND");
    await rejectsWith(a.member.admin.conversationMessages({ conversationId: c.id }), "FORBIDDEN");
  });

  it("renames, archives (no more messages) and unarchives", async () => {
    const c = await a.member.conversations.create({ agentId, title: "Draft" });
    expect((await a.member.conversations.rename({ id: c.id, title: "Final" })).title).toBe("Final");
    await a.member.conversations.appendMessage({ conversationId: c.id, role: "user", content: "before" });
    const archived = await a.member.conversations.archive({ id: c.id, archived: true });
    expect(archived.archivedAt).not.toBeNull();
    // Archiving again keeps the first time.
    expect((await a.member.conversations.archive({ id: c.id })).archivedAt).toBe(archived.archivedAt);
    await rejectsWith(
      a.member.conversations.appendMessage({ conversationId: c.id, role: "user", content: "after" }),
      "PRECONDITION_FAILED",
      /is archived: unarchive it/,
    );
    // Still readable and renameable while archived.
    expect((await a.member.conversations.messages({ conversationId: c.id })).items).toHaveLength(1);
    expect((await a.member.conversations.rename({ id: c.id, title: "Archived" })).title).toBe("Archived");
    const back = await a.member.conversations.archive({ id: c.id, archived: false });
    expect(back).toMatchObject({ archivedAt: null, messageCount: 1 });
    expect((await a.member.conversations.appendMessage({ conversationId: c.id, role: "user", content: "after" })).seq).toBe(2);
  });

  it("lists newest first by keyset, filtered by agent, crew, owner and archived", async () => {
    const t = await h.tenant("conv-list");
    const agent = (await t.member.agents.setStatus({ id: (await newAgent(t)).id, status: "active" })).id;
    const crew = await insertCrew(h, t, "List crew");
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await t.member.conversations.create({ agentId: agent, title: `c${i}` })).id);
    const crewConversation = await t.member.conversations.create({ crewId: crew, title: "crew" });
    const others = await t.otherMember.conversations.create({ agentId: agent, title: "other's" });
    await t.member.conversations.archive({ id: made[0] ?? "" });

    const titles = (page: { items: { title: string }[] }) => page.items.map((c) => c.title);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.member.conversations.list({ limit: 2, ...(cursor && { cursor }) });
      seen.push(...titles(page));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(["crew", "c4", "c3", "c2", "c1", "c0"]);
    expect(titles(await t.member.conversations.list({ agentId: agent }))).toEqual(["c4", "c3", "c2", "c1", "c0"]);
    expect(titles(await t.member.conversations.list({ crewId: crew }))).toEqual(["crew"]);
    expect(titles(await t.member.conversations.list({ archived: true }))).toEqual(["c0"]);
    expect(titles(await t.member.conversations.list({ archived: false }))).toEqual(["crew", "c4", "c3", "c2", "c1"]);
    // A member sees only their own, whatever userId says; the service token sees everyone's.
    expect((await t.member.conversations.list({ userId: t.otherMemberId })).items).toEqual([]);
    expect(titles(await t.service.conversations.list({ userId: t.otherMemberId }))).toEqual(["other's"]);
    expect(titles(await t.service.conversations.list({ limit: 100 }))).toEqual(["other's", "crew", "c4", "c3", "c2", "c1", "c0"]);
    const staff = await h.as({ sub: crypto.randomUUID(), tid: "staff", role: "admin" });
    expect(titles(await staff.admin.conversations({ tenantId: t.tenantId, userId: t.memberId, archived: false, crewId: crew }))).toEqual([
      "crew",
    ]);
    expect(await staff.admin.conversations({ tenantId: t.tenantId, limit: 100 })).toEqual(
      await t.service.conversations.list({ limit: 100 }),
    );
    await rejectsWith(staff.admin.conversations({ tenantId: "no-such-tenant" }), "NOT_FOUND");
    await rejectsWith(t.service.admin.conversations({ tenantId: t.tenantId }), "FORBIDDEN");
    expect(crewConversation.crewId).toBe(crew);
    expect(others.userId).toBe(t.otherMemberId);
  });

  it("shows a member only their own conversations; service tokens the tenant's; another tenant nothing", async () => {
    const mine = await a.member.conversations.create({ agentId, title: "mine" });
    const m = await a.member.conversations.appendMessage({ conversationId: mine.id, role: "user", content: "private" });
    for (const [who, api] of [
      ["another member", a.otherMember],
      ["another tenant's member", b.member],
      ["another tenant's service", b.service],
    ] as const) {
      const calls = [
        () => api.conversations.get({ id: mine.id }),
        () => api.conversations.messages({ conversationId: mine.id }),
        () => api.conversations.messages({ conversationId: mine.id, before: m.id }),
        () => api.conversations.appendMessage({ conversationId: mine.id, role: "user", content: "x" }),
        () => api.conversations.rename({ id: mine.id, title: "pwned" }),
        () => api.conversations.archive({ id: mine.id }),
        () => api.conversations.delete({ id: mine.id }),
      ];
      for (const call of calls)
        expect(
          `${who}: ${await call().then(
            () => "ok",
            (e) => e.code,
          )}`,
        ).toBe(`${who}: NOT_FOUND`);
    }
    expect(await a.member.conversations.get({ id: mine.id })).toMatchObject({ title: "mine", archivedAt: null, messageCount: 1 });
    // The tenant's service token sees and acts on it.
    expect((await a.service.conversations.get({ id: mine.id })).userId).toBe(a.memberId);
    const fromService = await a.service.conversations.appendMessage({ conversationId: mine.id, role: "assistant", content: "ok" });
    expect(fromService.seq).toBe(2);
    expect((await a.service.conversations.messages({ conversationId: mine.id })).items.map((x) => x.seq)).toEqual([2, 1]);
    // And a member cannot reach another tenant's agent.
    await rejectsWith(b.member.conversations.create({ agentId }), "NOT_FOUND", /agent not found/);
  });

  it("deletes a conversation with its messages; its runs stay, with their usage, and lose the link", async () => {
    const c = await a.member.conversations.create({ agentId });
    const run = await insertRun(h, a, agentId, c.id);
    await a.member.conversations.appendMessage({ conversationId: c.id, role: "user", content: "q" });
    const q2 = await a.member.conversations.appendMessage({ conversationId: c.id, role: "user", content: "q2" });
    await a.member.conversations.appendMessage({
      conversationId: c.id,
      role: "assistant",
      content: "a",
      parentMessageId: q2.id,
      executionId: run,
    });
    await finishRun(h, run, 40, 2, "0.02");
    const usageBefore = await a.member.usage.agent({ agentId });
    expect(await a.member.conversations.delete({ id: c.id })).toEqual({ id: c.id });
    await rejectsWith(a.member.conversations.get({ id: c.id }), "NOT_FOUND");
    await rejectsWith(a.member.conversations.delete({ id: c.id }), "NOT_FOUND");
    const left = await queryRow<{ messages: number; conversationId: string | null; tokens: number }>(
      h.database.db,
      sql`select (select count(*)::int from conversation_messages where conversation_id = ${c.id}::uuid) as messages,
                 e.conversation_id as "conversationId", e.input_tokens as tokens
          from agent_executions e where e.id = ${run}::uuid`,
    );
    expect(left).toEqual({ messages: 0, conversationId: null, tokens: 40 });
    expect(await a.member.usage.agent({ agentId })).toEqual(usageBefore);
    expect((await a.member.executions.get({ id: run })).conversationId).toBeNull();
  });

  it("goes with its agent: deleting the agent deletes its conversations and their messages", async () => {
    const agent = (await a.member.agents.setStatus({ id: (await newAgent(a, { name: "Short-lived" })).id, status: "active" })).id;
    const c = await a.member.conversations.create({ agentId: agent });
    const run = await a.member.executions.start({ agentId: agent, input: 1, conversationId: c.id });
    const q = await a.member.conversations.appendMessage({ conversationId: c.id, role: "user", content: "q" });
    await a.member.conversations.appendMessage({
      conversationId: c.id,
      role: "assistant",
      content: "a",
      parentMessageId: q.id,
      executionId: run.id,
    });
    await a.member.agents.delete({ id: agent });
    await rejectsWith(a.member.conversations.get({ id: c.id }), "NOT_FOUND");
    const left = await queryRow<{ n: number }>(
      h.database.db,
      sql`select count(*)::int as n from conversation_messages where conversation_id = ${c.id}::uuid`,
    );
    expect(left.n).toBe(0);
  });

  it("keeps a message when its run is deleted; the message loses the link", async () => {
    const c = await a.member.conversations.create({ agentId });
    const run = await insertRun(h, a, agentId, c.id);
    const m = await a.member.conversations.appendMessage({ conversationId: c.id, role: "assistant", content: "a", executionId: run });
    await queryRows(h.database.db, sql`delete from agent_executions where id = ${run}::uuid`);
    const [kept] = (await a.member.conversations.messages({ conversationId: c.id })).items;
    expect(kept).toMatchObject({ id: m.id, executionId: null, content: "a" });
  });
});

/**
 * Exactness under concurrency: appends and runs finishing in one conversation at once. Where
 * there is real concurrency (Postgres through node-postgres and Neon); PGlite runs one
 * transaction at a time.
 */
const concurrentTargets = testTargets().filter((t) => t !== "pglite");

describe.runIf(concurrentTargets.length > 0).each(concurrentTargets)("conversation counters under concurrency on %s", (target) => {
  let h: Harness;
  let t: TestTenant;
  beforeAll(async () => {
    h = await createHarness(target, { poolMax: 20, connectionTimeoutMs: 120_000 });
    t = await h.tenant(`conv-exact-${target}`);
  });
  afterAll(() => h?.close());

  it("100 concurrent appends and 20 runs finishing: seq 1..n, message_count = n, tokens and cost = a recount", async () => {
    const agent = (await t.member.agents.setStatus({ id: (await newAgent(t)).id, status: "active" })).id;
    const c = await t.member.conversations.create({ agentId: agent });
    const runs = await Promise.all(Array.from({ length: 20 }, () => insertRun(h, t, agent, c.id)));
    const loose = await insertRun(h, t, agent, null);
    const roles = ["user", "assistant", "system", "tool"] as const;
    const appends = Array.from({ length: 100 }, (_, i) => {
      const role = roles[i % 4] ?? "user";
      const usage = role === "assistant" ? { inputTokens: 10 + i, outputTokens: i, costUsd: 0.000001 * (i + 1) } : {};
      // Assistant messages: a third name a run of this conversation, a third the run of none, a third no run.
      const executionId = role === "assistant" ? [runs[i % 20], loose, undefined][i % 3] : undefined;
      const api = i % 2 ? t.member : t.service;
      return api.conversations.appendMessage({
        conversationId: c.id,
        role,
        content: `message ${i}`,
        ...usage,
        ...(executionId && { executionId }),
      });
    });
    const finishes = runs.map((run, i) => finishRun(h, run, 1000 + i, 100 + i, (0.01 * (i + 1)).toFixed(6)));
    const results = await Promise.allSettled([...appends, ...finishes]);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);

    const check = await queryRow<{
      messageCount: number;
      n: number;
      seqs: number[];
      executionCount: number;
      runs: number;
      inputTokens: string;
      recountInput: string;
      outputTokens: string;
      recountOutput: string;
      cost: string;
      recountCost: string;
    }>(
      h.database.db,
      sql`with m as (
            select m.* from conversation_messages m where m.conversation_id = ${c.id}::uuid),
          counted as (
            select m.* from m left join agent_executions e on e.id = m.execution_id
            where e.conversation_id is distinct from ${c.id}::uuid),
          r as (select * from agent_executions where conversation_id = ${c.id}::uuid and status <> 'running')
          select cv.message_count as "messageCount", (select count(*)::int from m) as n,
                 (select array_agg(seq order by seq) from m) as seqs,
                 cv.execution_count as "executionCount", (select count(*)::int from r) as runs,
                 cv.input_tokens::text as "inputTokens",
                 ((select coalesce(sum(input_tokens), 0) from counted) + (select coalesce(sum(input_tokens), 0) from r))::text as "recountInput",
                 cv.output_tokens::text as "outputTokens",
                 ((select coalesce(sum(output_tokens), 0) from counted) + (select coalesce(sum(output_tokens), 0) from r))::text as "recountOutput",
                 cv.cost_usd::text as cost,
                 ((select coalesce(sum(cost_usd), 0) from counted) + (select coalesce(sum(cost_usd), 0) from r))::text as "recountCost"
          from conversations cv where cv.id = ${c.id}::uuid`,
    );
    expect(check.n).toBe(100);
    expect(check.messageCount).toBe(100);
    expect(check.seqs.map(Number)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(check.executionCount).toBe(20);
    expect(check.runs).toBe(20);
    expect(check.inputTokens).toBe(check.recountInput);
    expect(check.outputTokens).toBe(check.recountOutput);
    expect(Number(check.cost)).toBe(Number(check.recountCost));
    // Known totals, independently: runs 1000..1019 / 100..119 / 0.01..0.20; assistant messages
    // without a run of this conversation: i ≡ 1 (mod 4) and i mod 3 ≠ 0.
    const counted = Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 4 === 1 && i % 3 !== 0);
    const expectedInput = 20 * 1000 + 190 + counted.reduce((s, i) => s + 10 + i, 0);
    expect(Number(check.inputTokens)).toBe(expectedInput);
    const read = await t.member.conversations.get({ id: c.id });
    expect(read).toMatchObject({ messageCount: 100, executionCount: 20, inputTokens: expectedInput });
    expect(read.totalTokens).toBe(read.inputTokens + read.outputTokens);
  }, 120_000);
});
