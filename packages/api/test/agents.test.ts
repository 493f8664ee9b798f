import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { type Agent, agentSortFields, createAgentInput, limits } from "@agent-builder/contracts";
import { appliedMigrations, demoAgents, queryRows, rollbackLast, sql, withStaff, withTenant } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { createKeyring } from "../src/secrets";
import { createHarness, type Harness, llmConfig, newAgent, rejectsWith, type TestTenant } from "./support";

describe.each(testTargets())("agents on %s", (target) => {
  let h: Harness;
  let t: TestTenant;
  beforeAll(async () => {
    h = await createHarness(target);
    // Provider credentials are sealed with the keyring (agent-credential.test.ts has the details).
    h.deps.secrets = createKeyring([{ kid: "k1", key: new Uint8Array(32).fill(3) }]);
    t = await h.tenant("agents-tenant");
  });
  afterAll(() => h?.close());

  it("creates a draft agent owned by the caller, with zeroed stats", async () => {
    const agent = await newAgent(t, { description: "helps", notebookIds: [crypto.randomUUID()], enableMemory: true });
    expect(agent).toMatchObject({
      name: "Helper",
      description: "helps",
      status: "draft",
      ownerId: t.memberId,
      spaceId: t.space.id,
      llmConfig,
      enableKnowledge: false,
      enableMemory: true,
      version: 1,
      apiKeyHint: null,
      stats: { totalExecutions: 0, totalCostUsd: 0, avgResponseTimeMs: null, lastExecutedAt: null },
    });
    expect(await t.member.agents.get({ id: agent.id })).toEqual({ ...agent, tools: [] });
  });

  it("gives an agent created without a persona none: flags off, CrewAI's 25 iterations, no category, no tags", async () => {
    const agent = await newAgent(t);
    expect(agent).toMatchObject({
      role: null,
      goal: null,
      backstory: null,
      verbose: false,
      allowDelegation: false,
      reasoning: false,
      maxIterations: 25,
      category: null,
      tags: [],
    });
    expect(limits.agentMaxIterationsDefault).toBe(25);
  });

  it("creates, reads and patches the persona and behaviour; tags and category are normalised, tags a set", async () => {
    const persona = {
      role: "Senior support engineer",
      goal: "Resolve every ticket on first contact",
      backstory: "Ten years on the help desk.\nKnows the product inside out.",
      verbose: true,
      allowDelegation: true,
      reasoning: true,
      maxIterations: 40,
    };
    const agent = await newAgent(t, {
      ...persona,
      category: "  Customer   Support ",
      tags: [" Support", "TRIAGE", "support", "first  line"],
    });
    expect(agent).toMatchObject({ ...persona, category: "customer support", tags: ["support", "triage", "first line"], version: 1 });
    expect(await t.member.agents.get({ id: agent.id })).toEqual({ ...agent, tools: [] });
    expect((await t.member.agents.list({ limit: 100 })).items.find((a) => a.id === agent.id)).toEqual(agent);

    // A patch: only what is sent changes; null clears a text field; tags replace the set.
    const patched = await t.member.agents.update({
      id: agent.id,
      expectedVersion: 1,
      backstory: "Rewritten.",
      goal: null,
      tags: ["Escalations"],
    });
    expect(patched).toMatchObject({
      ...persona,
      goal: null,
      backstory: "Rewritten.",
      category: "customer support",
      tags: ["escalations"],
      version: 2,
    });
    const flags = await t.member.agents.update({
      id: agent.id,
      expectedVersion: 2,
      verbose: false,
      reasoning: false,
      maxIterations: 1,
      category: null,
      tags: [],
    });
    expect(flags).toMatchObject({
      verbose: false,
      allowDelegation: true,
      reasoning: false,
      maxIterations: 1,
      category: null,
      tags: [],
      version: 3,
    });
    expect(await t.member.agents.get({ id: agent.id })).toEqual({ ...flags, tools: [] });
    await rejectsWith(t.member.agents.update({ id: agent.id, expectedVersion: 2, role: "Lost" }), "CONFLICT", /version 3/);
  });

  it("stores every bound the contract allows (the database checks agree), astral characters included", async () => {
    const tags = Array.from({ length: limits.tagsMax }, (_, i) => `${String(i).padStart(2, "0")}${"t".repeat(limits.tagLengthMax - 2)}`);
    const agent = await newAgent(t, {
      role: "r".repeat(limits.agentRoleMax),
      goal: "😀".repeat(limits.agentGoalMax / 2),
      backstory: "b".repeat(limits.agentBackstoryMax),
      maxIterations: limits.agentMaxIterationsMax,
      category: "c".repeat(limits.agentCategoryMax),
      tags,
    });
    expect(agent.tags).toEqual(tags);
    expect(agent.backstory).toHaveLength(limits.agentBackstoryMax);
    expect(agent.goal).toBe("😀".repeat(limits.agentGoalMax / 2));
    expect(
      (await t.member.agents.update({ id: agent.id, expectedVersion: 1, maxIterations: limits.agentMaxIterationsMin })).maxIterations,
    ).toBe(1);
  });

  it("holds the bounds in the database too, for SQL that bypasses the API", async () => {
    const agent = await newAgent(t);
    const violations: Array<[string, ReturnType<typeof sql>]> = [
      ["agents_role_length", sql`role = ''`],
      ["agents_goal_length", sql`goal = repeat('g', ${limits.agentGoalMax + 1})`],
      ["agents_backstory_length", sql`backstory = repeat('b', ${limits.agentBackstoryMax + 1})`],
      ["agents_category_length", sql`category = ''`],
      ["agents_max_iterations_range", sql`max_iterations = 0`],
      ["agents_max_iterations_range", sql`max_iterations = ${limits.agentMaxIterationsMax + 1}`],
      ["agents_tags_count", sql`tags = array(select 't' || g from generate_series(1, ${limits.tagsMax + 1}) g)`],
      ["agents_tags_length", sql`tags = array['ok', repeat('x', ${limits.tagLengthMax + 1})]`],
      ["agents_tags_length", sql`tags = array['ok', '']`],
      ["agents_tags_length", sql`tags = array['ok', null]`],
    ];
    for (const [constraint, assignment] of violations) {
      const outcome = await withTenant(h.database.db, t.tenantId, (tx) =>
        tx.execute(sql`update agents set ${assignment} where id = ${agent.id}`),
      ).then(
        () => "accepted",
        (e: { message: string; cause?: { message?: string } }) => e.cause?.message ?? e.message,
      );
      expect(outcome).toContain(`violates check constraint "${constraint}"`);
    }
    const fits = sql`tags = array[repeat('x', ${limits.tagLengthMax}), 'two words'], max_iterations = ${limits.agentMaxIterationsMax}`;
    await withTenant(h.database.db, t.tenantId, (tx) => tx.execute(sql`update agents set ${fits} where id = ${agent.id}`));
    expect((await t.member.agents.get({ id: agent.id })).tags).toEqual(["x".repeat(limits.tagLengthMax), "two words"]);
  });

  it("rejects a persona out of bounds with 400 and a message naming the field, on create, update and list", async () => {
    const agent = await newAgent(t);
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ backstory: "b".repeat(limits.agentBackstoryMax + 1) }, /backstory: Too big: expected string to have <=20000 characters/],
      [{ role: "r".repeat(limits.agentRoleMax + 1) }, /role: Too big/],
      [{ goal: "" }, /goal: Too small/],
      [{ role: "evil\u0000" }, /role: text must not contain NUL/],
      [{ tags: Array.from({ length: limits.tagsMax + 1 }, (_, i) => `t${i}`) }, /tags: at most 20 tags/],
      [{ tags: ["x".repeat(limits.tagLengthMax + 1)] }, /tags\.0: a tag must be at most 50 characters/],
      [{ tags: ["ok", "   "] }, /tags\.1: a tag must not be empty/],
      [{ tags: "support" }, /tags: Invalid input: expected array/],
      [{ category: " " }, /category: a category must not be empty/],
      [{ maxIterations: 0 }, /maxIterations: maxIterations must be at least 1/],
      [{ maxIterations: 101 }, /maxIterations: maxIterations must be at most 100/],
      [{ maxIterations: 2.5 }, /maxIterations: maxIterations must be a whole number/],
      [{ maxIterations: "25" }, /maxIterations: Invalid input: expected number/],
      [{ verbose: "yes" }, /verbose: Invalid input: expected boolean/],
    ];
    for (const [fields, message] of bad) {
      await rejectsWith(newAgent(t, fields), "BAD_REQUEST", message);
      await rejectsWith(t.member.agents.update({ id: agent.id, expectedVersion: 1, ...fields }), "BAD_REQUEST", message);
    }
    await rejectsWith(t.member.agents.list({ tag: "x".repeat(limits.tagLengthMax + 1) }), "BAD_REQUEST", /tag: a tag must be at most/);
    await rejectsWith(t.member.agents.list({ category: "" }), "BAD_REQUEST", /category: a category must not be empty/);
    expect(await t.member.agents.get({ id: agent.id })).toEqual({ ...agent, tools: [] });
  });

  it("seeds demo personas the contract accepts as they are (labels already normalised)", () => {
    for (const { name, space: _space, ...persona } of demoAgents) {
      const parsed = createAgentInput.parse({ name, spaceId: crypto.randomUUID(), llmConfig, ...persona });
      expect({ category: parsed.category, tags: parsed.tags }, name).toEqual({ category: persona.category, tags: persona.tags });
    }
  });

  describe("list by tag and category", () => {
    let p: TestTenant;
    const made: Agent[] = [];
    beforeAll(async () => {
      p = await h.tenant("persona-list-tenant");
      const shapes = [
        { category: "support", tags: ["triage", "email"] },
        { category: "support", tags: ["refunds"] },
        { category: "research", tags: ["triage", "papers"] },
        { category: null, tags: [] },
        { category: "Research", tags: ["Papers", "summaries"] },
      ];
      for (const [i, shape] of shapes.entries()) made.push(await newAgent(p, { name: `Persona ${i}`, ...shape }));
      // Another tenant's agent with the same tag and category stays out of every list.
      await newAgent(await h.tenant("persona-foreign-tenant"), { category: "support", tags: ["triage"] });
    });

    const ids = (agents: Agent[]) => agents.map((a) => a.id).sort();
    const list = async (filters: Record<string, unknown>) => ids((await p.member.agents.list({ limit: 100, ...filters })).items);

    it("filters by tag (agents having it), by category, and both, normalising the filter like the stored labels", async () => {
      expect(await list({ tag: "triage" })).toEqual(ids([made[0]!, made[2]!]));
      expect(await list({ tag: "  PAPERS " })).toEqual(ids([made[2]!, made[4]!]));
      expect(await list({ tag: "nobody has this" })).toEqual([]);
      expect(await list({ category: "support" })).toEqual(ids([made[0]!, made[1]!]));
      expect(await list({ category: "RESEARCH" })).toEqual(ids([made[2]!, made[4]!]));
      expect(await list({ category: "research", tag: "triage" })).toEqual(ids([made[2]!]));
      expect(await list({ category: "support", tag: "papers" })).toEqual([]);
      expect(await list({})).toHaveLength(made.length);
      // Pages of a filtered list hold together like any other.
      const first = await p.member.agents.list({ limit: 1, tag: "triage", sortBy: "name", sortDirection: "asc" });
      const second = await p.member.agents.list({
        limit: 1,
        tag: "triage",
        sortBy: "name",
        sortDirection: "asc",
        cursor: first.nextCursor!,
      });
      expect([...first.items, ...second.items].map((a) => a.name)).toEqual(["Persona 0", "Persona 2"]);
      expect(second.nextCursor).toBeNull();
    });

    it("the tag filter is one the GIN index can serve (tags @> array[…])", async () => {
      // Across tenants (the staff role reads them all), so the planner has no tenant index to
      // prefer; in a tenant's scope it weighs this index against the tenant's rows.
      const plan = await withStaff(h.database.db, async (tx) => {
        await tx.execute(sql`set local enable_seqscan = off`);
        return queryRows<{ "QUERY PLAN": string }>(tx, sql`explain select id from agents where tags @> array['triage']::text[]`);
      });
      expect(plan.map((row) => row["QUERY PLAN"]).join("\n")).toMatch(
        /Bitmap Index Scan on agents_tags_gin_idx[\s\S]*Index Cond: \(tags @> '\{triage\}'::text\[\]\)/,
      );
    });
  });

  it("never returns the provider credential, only a hint; null clears it, omission keeps it", async () => {
    const agent = await newAgent(t, { llmConfig: { ...llmConfig, apiKey: "sk-secret-value-1234" } });
    const reads = [agent, await t.member.agents.get({ id: agent.id }), ...(await t.member.agents.list({ limit: 100 })).items];
    for (const read of reads) expect(JSON.stringify(read)).not.toContain("sk-secret-value");
    expect(agent.apiKeyHint).toBe("…1234");
    expect(agent.llmConfig).not.toHaveProperty("apiKey");

    const kept = await t.member.agents.update({ id: agent.id, expectedVersion: 1, llmConfig: { ...llmConfig, model: "o4-mini" } });
    expect(kept).toMatchObject({ apiKeyHint: "…1234", llmConfig: { model: "o4-mini" }, version: 2 });
    const cleared = await t.member.agents.update({ id: agent.id, expectedVersion: 2, llmConfig: { ...llmConfig, apiKey: null } });
    expect(cleared.apiKeyHint).toBeNull();
  });

  it("validates the model configuration with field errors", async () => {
    const error = await rejectsWith(
      newAgent(t, { llmConfig: { provider: "openai", model: "m", temperature: 3 } }),
      "BAD_REQUEST",
      /llmConfig\.temperature/,
    );
    expect(error.message).toMatch(/invalid input/);
    await rejectsWith(newAgent(t, { name: "" }), "BAD_REQUEST", /name/);
    await rejectsWith(newAgent(t, { name: "x".repeat(256) }), "BAD_REQUEST", /name/);
    await rejectsWith(newAgent(t, { llmConfig: { provider: "skynet", model: "m" } }), "BAD_REQUEST", /provider/);
  });

  it("rejects fields the caller may not set (tenant, status, version, counters)", async () => {
    for (const extra of [{ tenantId: "other" }, { status: "active" }, { version: 9 }, { stats: { totalExecutions: 5 } }]) {
      await rejectsWith(newAgent(t, extra), "BAD_REQUEST", /Unrecognized key/);
    }
  });

  it("returns NOT_FOUND for a space or owner that is not in the tenant", async () => {
    await rejectsWith(newAgent(t, { spaceId: crypto.randomUUID() }), "NOT_FOUND", /space not found/);
    await rejectsWith(newAgent(t, { ownerId: crypto.randomUUID() }), "NOT_FOUND", /owner not found/);
  });

  it("updates with optimistic concurrency: a stale version is a CONFLICT and changes nothing", async () => {
    const agent = await newAgent(t);
    const updated = await t.member.agents.update({ id: agent.id, expectedVersion: 1, name: "Renamed", description: null });
    expect(updated).toMatchObject({ name: "Renamed", description: null, version: 2 });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(agent.updatedAt));
    await rejectsWith(t.member.agents.update({ id: agent.id, expectedVersion: 1, name: "Lost" }), "CONFLICT", /version 2/);
    expect((await t.member.agents.get({ id: agent.id })).name).toBe("Renamed");
    await rejectsWith(t.member.agents.update({ id: agent.id, expectedVersion: 2 }), "BAD_REQUEST", /nothing to update/);
    await rejectsWith(t.member.agents.update({ id: crypto.randomUUID(), expectedVersion: 1, name: "x" }), "NOT_FOUND");
  });

  it("lets exactly one of two concurrent updates with the same version win", async () => {
    const agent = await newAgent(t);
    const results = await Promise.allSettled([
      t.member.agents.update({ id: agent.id, expectedVersion: 1, name: "A" }),
      t.otherMember.agents.update({ id: agent.id, expectedVersion: 1, name: "B" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const loser = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(loser.reason.code).toBe("CONFLICT");
    expect((await t.member.agents.get({ id: agent.id })).version).toBe(2);
  });

  it("moves status only along allowed transitions", async () => {
    const agent = await newAgent(t);
    const active = await t.member.agents.setStatus({ id: agent.id, status: "active" });
    expect(active).toMatchObject({ status: "active", version: 2 });
    expect(await t.member.agents.setStatus({ id: agent.id, status: "active" })).toMatchObject({ version: 2 }); // no-op
    await rejectsWith(t.member.agents.setStatus({ id: agent.id, status: "draft" }), "PRECONDITION_FAILED", /paused or archived/);
    await t.member.agents.setStatus({ id: agent.id, status: "paused" });
    await t.member.agents.setStatus({ id: agent.id, status: "active" });
    await rejectsWith(t.member.agents.setStatus({ id: agent.id, status: "archived", expectedVersion: 1 }), "CONFLICT");
    await t.member.agents.setStatus({ id: agent.id, status: "archived" });
    await rejectsWith(t.member.agents.setStatus({ id: agent.id, status: "active" }), "PRECONDITION_FAILED", /no other status/);
  });

  it("deletes an agent with its executions, steps and usage rows", async () => {
    const agent = await newAgent(t);
    const execution = await t.member.executions.start({ agentId: agent.id, input: { q: 1 } });
    await t.member.executions.appendSteps({ executionId: execution.id, steps: [{ type: "thought", data: "hm" }] });
    await t.member.executions.complete({ id: execution.id, output: "ok", usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0.01 });
    await expect(t.member.agents.delete({ id: agent.id })).resolves.toEqual({ id: agent.id });
    await rejectsWith(t.member.agents.get({ id: agent.id }), "NOT_FOUND");
    await rejectsWith(t.member.executions.get({ id: execution.id }), "NOT_FOUND");
    await rejectsWith(t.member.agents.delete({ id: agent.id }), "NOT_FOUND");
    const [left] = await withTenant(h.database.db, t.tenantId, (tx) =>
      queryRows<{ n: number }>(
        tx,
        sql`select (select count(*) from agent_executions where agent_id = ${agent.id})
                 + (select count(*) from agent_execution_steps where execution_id = ${execution.id})
                 + (select count(*) from agent_usage_stats where agent_id = ${agent.id})
                 + (select count(*) from agent_usage_daily where agent_id = ${agent.id}) as n`,
      ),
    );
    expect(Number(left!.n)).toBe(0);
  });

  it("detaches a deleted notebook from every agent of the tenant that uses it, and only those", async () => {
    const notebook = crypto.randomUUID();
    const keep = crypto.randomUUID();
    const using = [await newAgent(t, { notebookIds: [notebook, keep] }), await newAgent(t, { notebookIds: [notebook] })];
    const other = await newAgent(t, { notebookIds: [keep] });
    const foreign = await h.tenant("agents-foreign");
    const foreignAgent = await newAgent(foreign, { notebookIds: [notebook] });

    await expect(t.member.agents.detachNotebook({ notebookId: notebook })).resolves.toEqual({ notebookId: notebook, agentsUpdated: 2 });
    expect(await t.member.agents.get({ id: using[0]!.id })).toMatchObject({ notebookIds: [keep], version: 2 });
    expect(await t.member.agents.get({ id: using[1]!.id })).toMatchObject({ notebookIds: [], version: 2 });
    expect(await t.member.agents.get({ id: other.id })).toMatchObject({ notebookIds: [keep], version: 1 });
    expect((await foreign.member.agents.get({ id: foreignAgent.id })).notebookIds).toEqual([notebook]);
    expect((await t.member.agents.list({ notebookId: notebook })).items).toEqual([]);
    await expect(t.member.agents.detachNotebook({ notebookId: notebook })).resolves.toMatchObject({ agentsUpdated: 0 });
  });

  describe("list", () => {
    let l: TestTenant;
    const made: Agent[] = [];
    beforeAll(async () => {
      l = await h.tenant("list-tenant");
      const notebook = "7a1c0c53-3f4e-4b4c-9d1e-0a2b3c4d5e6f";
      for (let i = 0; i < 13; i++) {
        const agent = await l.member.agents.create({
          name: `${["Alpha", "beta", "Gamma_50%"][i % 3]} ${String(i).padStart(2, "0")}`,
          spaceId: i % 2 ? l.space.id : l.otherSpace.id,
          ownerId: i % 4 === 0 ? l.otherMemberId : undefined,
          llmConfig,
          notebookIds: i % 5 === 0 ? [notebook] : [],
        });
        made.push(i % 3 === 0 ? await l.member.agents.setStatus({ id: agent.id, status: "active" }) : agent);
      }
      // Give a few agents executions so lastExecutedAt differs.
      for (const agent of made.filter((a) => a.status === "active").slice(0, 3)) {
        const e = await l.member.executions.start({ agentId: agent.id, input: null });
        await l.member.executions.cancel({ id: e.id });
      }
    });

    async function walk(input: Record<string, unknown>) {
      const seen: Agent[] = [];
      let cursor: string | undefined;
      do {
        const page = await l.member.agents.list({ ...input, limit: 4, cursor });
        expect(page.items.length).toBeLessThanOrEqual(4);
        seen.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return seen;
    }

    it.each(
      agentSortFields.flatMap(
        (sortBy) =>
          [
            [sortBy, "asc"],
            [sortBy, "desc"],
          ] as const,
      ),
    )("pages through every agent exactly once sorted by %s %s", async (sortBy, sortDirection) => {
      const seen = await walk({ sortBy, sortDirection });
      expect(seen.map((a) => a.id).sort()).toEqual(made.map((a) => a.id).sort());
      const key = (a: Agent) => (sortBy === "name" ? a.name : sortBy === "lastExecutedAt" ? (a.stats.lastExecutedAt ?? "") : a[sortBy]);
      const keys = seen.map(key);
      const sorted = [...keys].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      if (sortBy !== "name") expect(keys).toEqual(sortDirection === "asc" ? sorted : sorted.reverse());
    });

    it("filters by status, space, owner, notebook and name search", async () => {
      const ids = (agents: Agent[]) => agents.map((a) => a.id).sort();
      expect(ids(await walk({ status: "active" }))).toEqual(ids(made.filter((a) => a.status === "active")));
      expect(ids(await walk({ status: ["draft", "active"] }))).toEqual(ids(made));
      expect(ids(await walk({ spaceId: l.space.id }))).toEqual(ids(made.filter((a) => a.spaceId === l.space.id)));
      expect(ids(await walk({ ownerId: l.otherMemberId }))).toEqual(ids(made.filter((a) => a.ownerId === l.otherMemberId)));
      expect(ids(await walk({ notebookId: "7a1c0c53-3f4e-4b4c-9d1e-0a2b3c4d5e6f" }))).toEqual(
        ids(made.filter((a) => a.notebookIds.length > 0)),
      );
      expect(ids(await walk({ search: "BETA" }))).toEqual(ids(made.filter((a) => a.name.startsWith("beta"))));
      // LIKE wildcards are literal: "50%" matches only names containing "50%".
      expect(ids(await walk({ search: "a_50%" }))).toEqual(ids(made.filter((a) => a.name.includes("a_50%"))));
      expect(await walk({ search: "%" })).toHaveLength(made.filter((a) => a.name.includes("%")).length);
      expect(await walk({ spaceId: l.space.id, status: "paused" })).toEqual([]);
    });

    it("returns each agent's lifetime stats in the list", async () => {
      const page = await l.member.agents.list({ limit: 100, sortBy: "lastExecutedAt", sortDirection: "desc" });
      expect(page.items.slice(0, 3).map((a) => a.stats.cancelledExecutions)).toEqual([1, 1, 1]);
      expect(page.items.slice(3).every((a) => a.stats.totalExecutions === 0)).toBe(true);
    });

    it("rejects a forged cursor, a cursor of another sort, and page sizes out of range", async () => {
      await rejectsWith(l.member.agents.list({ cursor: "garbage" }), "BAD_REQUEST", /invalid cursor/);
      const page = await l.member.agents.list({ limit: 2, sortBy: "name" });
      await rejectsWith(l.member.agents.list({ cursor: page.nextCursor!, sortBy: "createdAt" }), "BAD_REQUEST", /different sort/);
      await rejectsWith(l.member.agents.list({ limit: 101 }), "BAD_REQUEST", /limit/);
      await rejectsWith(l.member.agents.list({ limit: 0 }), "BAD_REQUEST", /limit/);
    });
  });
});

describe.each(testTargets())("agents made before migration 0009 on %s", (target) => {
  let h: Harness;
  afterAll(() => h?.close());

  it("read with no persona, flags off, 25 iterations, no category and no tags once it is applied", async () => {
    h = await createHarness(target);
    const t = await h.tenant("pre-0009-tenant");
    const tag = "0009_agent_persona";
    while ((await appliedMigrations(h.database.db)).includes(tag)) await rollbackLast(h.database.db);
    const [old] = await withTenant(h.database.db, t.tenantId, (tx) =>
      queryRows<{ id: string }>(
        tx,
        sql`insert into agents (tenant_id, name, owner_id, space_id, llm_config)
            values (${t.tenantId}, 'Old agent', ${t.memberId}, ${t.space.id}, ${JSON.stringify(llmConfig)}::jsonb) returning id`,
      ),
    );
    await h.database.migrate();
    expect(await t.member.agents.get({ id: old!.id })).toMatchObject({
      name: "Old agent",
      role: null,
      goal: null,
      backstory: null,
      verbose: false,
      allowDelegation: false,
      reasoning: false,
      maxIterations: 25,
      category: null,
      tags: [],
      version: 1,
    });
    expect((await t.member.agents.list({ tag: "anything" })).items).toEqual([]);
  });
});
