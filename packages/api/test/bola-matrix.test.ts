import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testTargets } from "@agent-builder/db/testing";

import { appRouter } from "../src/root";
import { newConversation, newCrew } from "./crew-fixtures";
import { type Api, createHarness, type Harness, newAgent, type TestTenant, tenantSnapshot } from "./support";

/**
 * OWASP API1 (BOLA): every procedure that takes an id, called by tenant B with each of tenant
 * A's ids, must answer NOT_FOUND or FORBIDDEN and leave A's rows as they were. The matrix walks
 * the router: a procedure missing from `matrix` fails the test, so a new endpoint cannot skip it.
 */

type IdKind = "agent" | "execution" | "space" | "user" | "tool" | "conversation" | "message" | "crew" | "task" | "budget";
const allKinds: IdKind[] = ["agent", "execution", "space", "user"];
const llmConfig = { provider: "openai", model: "m" } as const;
const usage = { inputTokens: 1, outputTokens: 1 };
const chatKinds: IdKind[] = [...allKinds, "conversation", "message"];

type Case =
  /** Called with each of A's ids of these kinds in the id slot. */
  | { ids: IdKind[]; input: (id: string) => unknown; caller?: "member" | "service" }
  /** Takes no id of A's (lists, tenant-wide reads, its own creates): checked by `isolation.test.ts`. */
  | { noId: string }
  /** Staff only, cross-tenant by design: a tenant token gets FORBIDDEN (see admin.test.ts). */
  | { staff: true };

const matrix: Record<string, Case> = {
  health: { noId: "public, no tenant data" },
  "directory.upsertUser": { ids: ["user"], input: (id) => ({ id, email: "x@b.test" }), caller: "service" },
  "directory.upsertSpace": { ids: ["space"], input: (id) => ({ id, name: "taken" }), caller: "service" },
  "directory.listSpaces": { noId: "lists the caller's spaces" },
  "agents.create": { ids: ["space", "user"], input: (id) => ({ name: "x", spaceId: id, ownerId: id, llmConfig }) },
  "agents.get": { ids: allKinds, input: (id) => ({ id }) },
  "agents.list": { noId: "filters are scoped to the caller's tenant" },
  "agents.update": { ids: allKinds, input: (id) => ({ id, expectedVersion: 1, name: "pwned" }) },
  "agents.setStatus": { ids: allKinds, input: (id) => ({ id, status: "archived" }) },
  "agents.detachNotebook": { noId: "bulk within the caller's tenant; A's agents untouched (asserted by the snapshot)" },
  "agents.delete": { ids: allKinds, input: (id) => ({ id }) },
  // Both slots at once here; A's real attachment, and A's id next to B's own, in "attachments" below.
  "agents.attachTool": { ids: [...allKinds, "tool"], input: (id) => ({ agentId: id, toolId: id }) },
  "agents.updateTool": { ids: [...allKinds, "tool"], input: (id) => ({ agentId: id, toolId: id, enabled: false }) },
  "agents.detachTool": { ids: [...allKinds, "tool"], input: (id) => ({ agentId: id, toolId: id }) },
  "executions.start": { ids: allKinds, input: (id) => ({ agentId: id, input: 1 }) },
  "executions.appendSteps": { ids: allKinds, input: (id) => ({ executionId: id, steps: [{ type: "thought", data: 1 }] }) },
  "executions.complete": { ids: allKinds, input: (id) => ({ id, output: 1, usage, costUsd: 0 }) },
  "executions.fail": { ids: allKinds, input: (id) => ({ id, error: { message: "x" } }) },
  "executions.cancel": { ids: allKinds, input: (id) => ({ id }) },
  "executions.get": { ids: allKinds, input: (id) => ({ id }) },
  "executions.list": { noId: "filters are scoped to the caller's tenant" },
  // A's crew, crew run, conversation and task next to B's own in each slot: in "run slots" below.
  "executions.record": { ids: allKinds, input: (id) => ({ runs: [{ crewId: id, input: 1, status: "succeeded", durationMs: 1 }] }) },
  "tools.create": { noId: "creates in the caller's tenant; a name taken in A is free in B" },
  "tools.get": { ids: [...allKinds, "tool"], input: (id) => ({ id }) },
  "tools.list": { noId: "filters are scoped to the caller's tenant" },
  "tools.update": { ids: [...allKinds, "tool"], input: (id) => ({ id, expectedVersion: 1, name: "pwned", secrets: { token: null } }) },
  "tools.delete": { ids: [...allKinds, "tool"], input: (id) => ({ id }) },
  // A's own price rows (overrides) in these slots, and B's lists and resolve: in "model prices" below.
  "models.list": { noId: "the caller's tenant's rows and the global ones" },
  "models.get": { ids: allKinds, input: (id) => ({ id }) },
  "models.resolve": { noId: "a model name, resolved in the caller's tenant" },
  "models.create": { noId: "creates in the caller's tenant; a price taken in A is free in B" },
  "models.update": { ids: allKinds, input: (id) => ({ id, expectedVersion: 1, prices: { input: 0 } }), caller: "service" },
  "models.delete": { ids: allKinds, input: (id) => ({ id }), caller: "service" },
  "crews.create": { ids: allKinds, input: (id) => ({ name: "pwned", spaceId: id, memberAgentIds: [id] }) },
  "crews.get": { ids: [...allKinds, "crew", "task"], input: (id) => ({ id }) },
  "crews.list": { noId: "filters are scoped to the caller's tenant (memberAgentId of A's agent lists nothing: below)" },
  "crews.update": { ids: [...allKinds, "crew", "task"], input: (id) => ({ id, expectedVersion: 1, name: "pwned" }) },
  "crews.delete": { ids: [...allKinds, "crew", "task"], input: (id) => ({ id }) },
  // A's ids next to B's own in each slot: in the crew and task slots test below.
  "tasks.create": {
    ids: [...allKinds, "crew", "task"],
    input: (id) => ({ crewId: id, title: "t", description: "d", expectedOutput: "o", agentId: id, context: [id] }),
  },
  "tasks.get": { ids: [...allKinds, "crew", "task"], input: (id) => ({ id }) },
  "tasks.list": { ids: [...allKinds, "crew", "task"], input: (id) => ({ crewId: id }) },
  "tasks.update": { ids: [...allKinds, "crew", "task"], input: (id) => ({ id, expectedVersion: 1, title: "pwned", context: [] }) },
  "tasks.delete": { ids: [...allKinds, "crew", "task"], input: (id) => ({ id }) },
  "conversations.create": { ids: allKinds, input: (id) => ({ agentId: id }) },
  "conversations.get": { ids: chatKinds, input: (id) => ({ id }) },
  "conversations.list": { noId: "filters are scoped to the caller's tenant (and a member's own conversations)" },
  "conversations.rename": { ids: chatKinds, input: (id) => ({ id, title: "pwned" }) },
  "conversations.archive": { ids: chatKinds, input: (id) => ({ id }) },
  "conversations.messages": { ids: chatKinds, input: (id) => ({ conversationId: id }) },
  // A's message or run next to B's own conversation: in "message slots" below.
  "conversations.appendMessage": { ids: chatKinds, input: (id) => ({ conversationId: id, role: "user", content: "pwned" }) },
  "conversations.delete": { ids: chatKinds, input: (id) => ({ id }) },
  "usage.agent": { ids: allKinds, input: (id) => ({ agentId: id }) },
  "usage.space": { ids: allKinds, input: (id) => ({ spaceId: id }) },
  "usage.crew": { ids: allKinds, input: (id) => ({ crewId: id }) },
  "usage.tenant": { noId: "the caller's tenant" },
  "usage.timeseries": { ids: allKinds, input: (id) => ({ from: "2026-01-01", to: "2026-01-02", agentId: id }) },
  // A's ids in the target slot fail the composite foreign key; the space and crew slots: budgets.test.ts.
  "budgets.create": {
    ids: [...allKinds, "crew"],
    input: (id) => ({ name: "x", scope: "agent", agentId: id, period: "monthly", limitUsd: 1, enforcement: "hard" }),
    caller: "service",
  },
  "budgets.get": { ids: [...allKinds, "budget"], input: (id) => ({ id }) },
  "budgets.list": { noId: "filters are scoped to the caller's tenant" },
  "budgets.update": { ids: [...allKinds, "budget"], input: (id) => ({ id, expectedVersion: 1, limitUsd: 1_000_000 }), caller: "service" },
  "budgets.delete": { ids: [...allKinds, "budget"], input: (id) => ({ id }), caller: "service" },
  "budgets.crossings": { ids: [...allKinds, "budget"], input: (id) => ({ budgetId: id }) },
};

describe.each(testTargets())("BOLA matrix on %s", (target) => {
  let h: Harness;
  let a: TestTenant;
  let b: TestTenant;
  const idsOfA = {} as Record<IdKind, string>;
  const idsOfB = {} as Record<"agent" | "tool" | "conversation", string>;

  const snapshotA = () => tenantSnapshot(h, a.tenantId);

  beforeAll(async () => {
    h = await createHarness(target);
    a = await h.tenant("bola-a");
    b = await h.tenant("bola-b");
    const agent = await a.member.agents.setStatus({ id: (await newAgent(a, { notebookIds: [crypto.randomUUID()] })).id, status: "active" });
    const running = await a.member.executions.start({ agentId: agent.id, input: "a" });
    await a.member.executions.appendSteps({ executionId: running.id, steps: [{ type: "thought", data: "a" }] });
    const done = await a.member.executions.start({ agentId: agent.id, input: "b" });
    await a.member.executions.complete({ id: done.id, output: 1, usage, costUsd: 0.1 });
    const tool = await a.member.tools.create({ name: "bola-a tool", type: "http", configuration: { url: "https://a.test" } });
    await a.member.agents.attachTool({ agentId: agent.id, toolId: tool.id, configuration: { a: 1 } });
    const chat = await a.member.conversations.create({ agentId: agent.id, title: "bola-a chat" });
    const message = await a.member.conversations.appendMessage({ conversationId: chat.id, role: "user", content: "bola-a says" });
    Object.assign(idsOfA, {
      agent: agent.id,
      execution: running.id,
      space: a.space.id,
      user: a.memberId,
      tool: tool.id,
      conversation: chat.id,
      message: message.id,
    });
    const helper = await newAgent(a, { name: "bola-a helper" });
    const crew = await a.member.crews.create({ name: "bola-a crew", spaceId: a.space.id, memberAgentIds: [agent.id, helper.id] });
    const first = await a.member.tasks.create({
      crewId: crew.id,
      title: "bola-a first",
      description: "d",
      expectedOutput: "o",
      agentId: agent.id,
    });
    const task = await a.member.tasks.create({
      crewId: crew.id,
      title: "bola-a task",
      description: "d",
      expectedOutput: "o",
      agentId: helper.id,
      context: [first.id],
    });
    Object.assign(idsOfA, { crew: crew.id, task: task.id });
    const budget = await a.service.budgets.create({
      name: "bola-a budget",
      scope: "agent",
      agentId: agent.id,
      period: "monthly",
      limitUsd: 1000,
      enforcement: "soft",
    });
    Object.assign(idsOfA, { budget: budget.id });
    // B has rows of its own, so "not found" cannot come from an empty tenant.
    const agentOfB = await b.member.agents.setStatus({ id: (await newAgent(b)).id, status: "active" });
    const toolOfB = await b.member.tools.create({ name: "bola-b tool", type: "http" });
    await b.member.agents.attachTool({ agentId: agentOfB.id, toolId: toolOfB.id });
    const chatOfB = await b.member.conversations.create({ agentId: agentOfB.id });
    Object.assign(idsOfB, { agent: agentOfB.id, tool: toolOfB.id, conversation: chatOfB.id });
  });
  afterAll(() => h?.close());

  it("classifies every procedure of the router", () => {
    const procedures = Object.keys(appRouter._def.procedures);
    const unclassified = procedures.filter((p) => !(p in matrix) && !p.startsWith("admin."));
    expect(unclassified, "add new procedures to the BOLA matrix").toEqual([]);
    expect(
      Object.keys(matrix).filter((p) => !procedures.includes(p)),
      "stale entries",
    ).toEqual([]);
  });

  it("answers NOT_FOUND or FORBIDDEN to every id of another tenant, and changes nothing", async () => {
    const before = await snapshotA();
    let calls = 0;
    for (const [path, entry] of Object.entries(matrix)) {
      if (!("ids" in entry)) continue;
      const api: Api = entry.caller === "service" ? b.service : b.member;
      const [namespace, name] = path.split(".") as [string, string];
      const procedure = (api as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>)[namespace]![name]!;
      for (const kind of entry.ids) {
        calls++;
        const outcome = await procedure(entry.input(idsOfA[kind])).then(
          () => "succeeded",
          (error: { code?: string; message?: string }) => error.code,
        );
        expect(`${path} with A's ${kind} id: ${outcome}`).toMatch(/: (NOT_FOUND|FORBIDDEN)$/);
      }
    }
    expect(calls).toBeGreaterThan(50); // 17 procedures × the id kinds that fit each
    // Also a staff-only namespace: tenant tokens are refused outright.
    await expect(b.member.admin.agent({ id: idsOfA.agent })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await b.member.agents.detachNotebook({ notebookId: (await a.member.agents.get({ id: idsOfA.agent })).notebookIds[0]! });
    expect(await snapshotA()).toBe(before);
  });

  it("refuses A's agent or tool in either slot of an attachment, next to B's own ids, and changes nothing", async () => {
    const before = await snapshotA();
    const pairs = [
      { agentId: idsOfA.agent, toolId: idsOfA.tool }, // A's real attachment
      { agentId: idsOfB.agent, toolId: idsOfA.tool },
      { agentId: idsOfA.agent, toolId: idsOfB.tool },
    ];
    for (const pair of pairs) {
      await expect(b.member.agents.attachTool(pair)).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(b.member.agents.updateTool({ ...pair, enabled: false })).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(b.member.agents.detachTool(pair)).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
    expect(await snapshotA()).toBe(before);
    expect((await a.member.agents.get({ id: idsOfA.agent })).tools).toMatchObject([{ id: idsOfA.tool, configuration: { a: 1 } }]);
  });

  it("refuses A's crew, crew run, conversation, task or agent in each slot of a run (run slots), next to B's own ids, and changes nothing", async () => {
    const crewOfA = await newCrew(h, a, { memberIds: [idsOfA.agent], tasks: 1 });
    const runOfA = await a.member.executions.start({ crewId: crewOfA.id, input: "a" });
    const chatOfA = await newConversation(h, a, { crewId: crewOfA.id });
    const crewOfB = await newCrew(h, b, { memberIds: [idsOfB.agent], tasks: 1 });
    const runOfB = await b.member.executions.start({ crewId: crewOfB.id, input: "b" });
    const before = await snapshotA();
    const done = { input: 1, status: "succeeded", durationMs: 1 } as const;
    const work = { ...done, usage, costUsd: 0 };
    const step = (taskId: string) => [{ type: "thought" as const, data: 1, taskId }];
    for (const call of [
      () => b.member.executions.start({ crewId: crewOfA.id, input: 1 }),
      () => b.member.executions.start({ agentId: idsOfB.agent, parentExecutionId: runOfA.id, input: 1 }),
      () => b.member.executions.start({ agentId: idsOfA.agent, parentExecutionId: runOfB.id, input: 1 }),
      () => b.member.executions.start({ crewId: crewOfB.id, conversationId: chatOfA, input: 1 }),
      () => b.member.executions.appendSteps({ executionId: runOfB.id, steps: step(crewOfA.tasks[0]!) }),
      () => b.member.executions.record({ runs: [{ ...done, crewId: crewOfA.id }] }),
      () => b.member.executions.record({ runs: [{ ...done, crewId: crewOfB.id, childRuns: [{ ...work, agentId: idsOfA.agent }] }] }),
      () => b.member.executions.record({ runs: [{ ...done, crewId: crewOfB.id, conversationId: chatOfA }] }),
      () => b.member.executions.record({ runs: [{ ...done, crewId: crewOfB.id, steps: step(crewOfA.tasks[0]!) }] }),
      () => b.member.usage.crew({ crewId: crewOfA.id }),
      () => b.member.usage.timeseries({ from: "2026-01-01", to: "2026-01-02", crewId: crewOfA.id }),
      () => b.member.executions.get({ id: runOfA.id }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
    expect((await b.member.executions.list({ crewId: crewOfA.id })).items).toEqual([]);
    expect((await b.member.executions.list({ parentExecutionId: runOfA.id })).items).toEqual([]);
    expect(await snapshotA()).toBe(before);
    await b.member.executions.cancel({ id: runOfB.id });
    await a.member.executions.cancel({ id: runOfA.id });
  });

  it("refuses A's message or run in a slot of B's own conversation (message slots), and changes nothing", async () => {
    const before = await snapshotA();
    const conversationId = idsOfB.conversation;
    const slots = [
      { parentMessageId: idsOfA.message },
      { executionId: idsOfA.execution },
      { parentMessageId: idsOfA.message, executionId: idsOfA.execution },
    ];
    for (const slot of slots) {
      await expect(
        b.member.conversations.appendMessage({ conversationId, role: "assistant", content: "x", ...slot }),
      ).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
    }
    await expect(b.member.conversations.messages({ conversationId, before: idsOfA.message })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await b.member.conversations.get({ id: conversationId })).messageCount).toBe(0);
    expect(await snapshotA()).toBe(before);
  });

  it("refuses A's crew, task or agent in each slot of a crew or task, next to B's own ids, and changes nothing", async () => {
    const before = await snapshotA();
    const crewOfB = await b.member.crews.create({ name: "bola-b crew", spaceId: b.space.id, memberAgentIds: [idsOfB.agent] });
    const taskOfB = await b.member.tasks.create({
      crewId: crewOfB.id,
      title: "b",
      description: "d",
      expectedOutput: "o",
      agentId: idsOfB.agent,
    });
    const newTask = { title: "t", description: "d", expectedOutput: "o" };
    for (const call of [
      () => b.member.crews.create({ name: "b2", spaceId: b.space.id, memberAgentIds: [idsOfB.agent, idsOfA.agent] }),
      () => b.member.crews.create({ name: "b3", spaceId: a.space.id, memberAgentIds: [idsOfB.agent] }),
      () =>
        b.member.crews.create({
          name: "b4",
          spaceId: b.space.id,
          memberAgentIds: [idsOfB.agent],
          process: "hierarchical",
          managerAgentId: idsOfA.agent,
        }),
      () => b.member.crews.update({ id: crewOfB.id, expectedVersion: 1, memberAgentIds: [idsOfA.agent] }),
      () => b.member.crews.update({ id: crewOfB.id, expectedVersion: 1, spaceId: a.space.id }),
      () => b.member.tasks.create({ ...newTask, crewId: idsOfA.crew, agentId: idsOfB.agent }),
      () => b.member.tasks.create({ ...newTask, crewId: crewOfB.id, agentId: idsOfB.agent, context: [idsOfA.task] }),
      () => b.member.tasks.update({ id: taskOfB.id, expectedVersion: 1, context: [idsOfA.task] }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
    // A's agent is no member of B's crew: the same 400 as any id that is not a member (no hint it exists).
    await expect(b.member.tasks.create({ ...newTask, crewId: crewOfB.id, agentId: idsOfA.agent })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/is not a member of crew/),
    });
    await expect(b.member.tasks.update({ id: taskOfB.id, expectedVersion: 1, agentId: idsOfA.agent })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await snapshotA()).toBe(before);
    await b.member.crews.delete({ id: crewOfB.id });
  });

  it("refuses A's price overrides to B (model prices): NOT_FOUND to get, update and delete, never in B's list or resolve, and changes nothing", async () => {
    const override = await a.service.models.create({
      provider: "openai",
      modelName: "bola-a-model",
      matchPatterns: ["bola-a-%"],
      prices: { input: 1, output: 2 },
    });
    const before = await snapshotA();
    await expect(b.member.models.get({ id: override.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.service.models.update({ id: override.id, expectedVersion: 1, prices: { input: 0 } })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(b.service.models.delete({ id: override.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const seen = JSON.stringify([
      await b.member.models.list({ limit: 100, q: "bola" }),
      await b.member.models.resolve({ model: "bola-a-model", provider: "openai" }),
    ]);
    expect(seen).not.toContain(override.id);
    expect(seen).not.toContain("bola-a-%");
    expect((await b.member.models.resolve({ model: "bola-a-model" })).price).toBeNull();
    expect(await snapshotA()).toBe(before);
    await a.service.models.delete({ id: override.id });
  });

  it("ignores tenant A's existence in every listing B can make", async () => {
    const leaks = JSON.stringify([
      await b.member.agents.list({ limit: 100 }),
      await b.member.executions.list({ limit: 100 }),
      await b.member.directory.listSpaces({ limit: 100 }),
      await b.member.usage.tenant(),
      await b.member.tools.list({ limit: 100 }),
      await b.member.crews.list({ limit: 100 }),
      await b.member.crews.list({ memberAgentId: idsOfA.agent }),
      await b.member.conversations.list({ limit: 100 }),
      await b.service.conversations.list({ limit: 100 }),
      await b.member.conversations.messages({ conversationId: idsOfB.conversation }),
      await b.member.agents.get({ id: idsOfB.agent }),
    ]);
    for (const id of Object.values(idsOfA)) expect(leaks).not.toContain(id);
    expect(leaks).not.toContain("bola-a");
  });
});
