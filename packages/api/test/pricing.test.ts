import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { CompleteExecutionInput, StepInput } from "@agent-builder/contracts";
import { queryRow, sql, withTenant } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { newCrew } from "./crew-fixtures";
import { createHarness, type Harness, newAgent, rejectsWith, type TestTenant } from "./support";

/**
 * Computed cost, end to end through the API: what executions.complete / fail / cancel / record
 * get priced at, against figures computed by hand from the shipped price rows
 * (packages/db/src/prices/shipped-prices.json, genai-prices; USD per million tokens), written
 * literally below with their working. Cached reads and cache writes are parts of the input
 * tokens, reasoning part of the output tokens; a part without its own price is billed at the
 * input (or output) price; above a tier's threshold the whole request is at the tier's prices.
 */

type Usage = NonNullable<CompleteExecutionInput["usage"]>;
type UsageInput = Omit<Usage, "cachedInputTokens" | "reasoningTokens" | "cacheWriteTokens"> & Partial<Usage>;
type StepIn = Omit<StepInput, "inputTokens" | "outputTokens" | "cachedInputTokens" | "reasoningTokens" | "cacheWriteTokens"> &
  Partial<StepInput>;

/** An agent of the tenant with this provider and model (drafts may run). */
async function agentWith(t: TestTenant, provider: string, model: string): Promise<string> {
  return (await newAgent(t, { name: `${provider} ${model}`, llmConfig: { provider, model } })).id;
}

/** Starts a run of the agent, optionally appends steps, completes it with `finish`, and reads it back. */
async function completed(t: TestTenant, agentId: string, finish: { usage?: UsageInput; costUsd?: number } = {}, steps?: StepIn[]) {
  const run = await t.member.executions.start({ agentId, input: "q" });
  if (steps) await t.member.executions.appendSteps({ executionId: run.id, steps: steps as StepInput[] });
  await t.member.executions.complete({ id: run.id, output: "a", ...finish } as CompleteExecutionInput);
  return t.member.executions.get({ id: run.id });
}

/** A tenant's own price row (an override), written as the tenant, as models.create would. */
async function tenantPrice(
  h: Harness,
  t: TestTenant,
  row: { provider?: string; model: string; patterns?: string[]; input: string; output: string; cachedInput?: string; validFrom?: string },
): Promise<string> {
  return withTenant(h.database.db, t.tenantId, async (tx) => {
    const inserted = await queryRow<{ id: string }>(
      tx,
      sql`insert into models (tenant_id, provider, model_name, match_patterns, input_price, output_price, cached_input_price, valid_from, source)
          values (${t.tenantId}, ${row.provider ?? "openai"}, ${row.model}, ${`{${(row.patterns ?? [row.model]).join(",")}}`}::text[],
                  ${row.input}::numeric, ${row.output}::numeric, ${row.cachedInput ?? null}::numeric,
                  coalesce(${row.validFrom ?? null}::timestamptz, now()), 'tenant')
          returning id`,
    );
    return inserted.id;
  });
}

/** The rollups' unpriced_executions (the column; usage.* reports it too): the agent's lifetime rows and the tenant's days. */
async function unpriced(h: Harness, t: TestTenant, agentId: string) {
  return withTenant(h.database.db, t.tenantId, (tx) =>
    queryRow<{ agent: number; tenant: number; agentCost: number }>(
      tx,
      sql`select (select coalesce(sum(unpriced_executions), 0)::float8 from agent_usage_stats where agent_id = ${agentId}::uuid) as agent,
                 (select coalesce(sum(unpriced_executions), 0)::float8 from tenant_usage_daily) as tenant,
                 (select coalesce(sum(total_cost_usd), 0)::float8 from agent_usage_stats where agent_id = ${agentId}::uuid) as "agentCost"`,
    ),
  );
}

describe.each(testTargets())("computed cost on %s", (target) => {
  let h: Harness;
  let t: TestTenant;
  /** The test fixtures' agent model: openai gpt-4.1-mini (input 0.4, cached 0.1, output 1.6). */
  let mini: string;
  beforeAll(async () => {
    h = await createHarness(target);
    t = await h.tenant("pricing-tenant");
    mini = (await newAgent(t)).id;
  });
  afterAll(() => h?.close());

  describe("an execution completed with only { id, output, usage } gets the shipped price of its model", () => {
    it("OpenAI gpt-4o (reported with the usage), cached input at its own rate", async () => {
      // gpt-4o: input 2.5, cached 1.25, output 10.
      // (12,345 - 2,345) × 2.5 + 2,345 × 1.25 + 678 × 10 = 25,000 + 2,931.25 + 6,780 = 34,711.25 / 1e6 = 0.03471125 → 0.034711
      const e = await completed(t, mini, {
        usage: { model: "gpt-4o-2024-08-06", inputTokens: 12_345, cachedInputTokens: 2_345, outputTokens: 678 },
      });
      expect(e.costUsd).toBe(0.034711);
      expect(e.model).toBe("gpt-4o-2024-08-06");
      expect(e.cost).toMatchObject({ providedUsd: null, computedUsd: 0.034711, pricing: { source: "usage" } });
      expect(e.cost.pricing?.lines).toEqual([
        {
          model: "gpt-4o-2024-08-06",
          price: {
            modelId: expect.any(String),
            provider: "openai",
            modelName: "gpt-4o",
            source: expect.stringMatching(/^genai-prices@/),
            validFrom: "1970-01-01T00:00:00.000Z",
            currency: "USD",
            input: 2.5,
            output: 10,
            cachedInput: 1.25,
            tiers: [],
            tenantOverride: false,
          },
          steps: 0,
          inputTokens: 12_345,
          outputTokens: 678,
          cachedInputTokens: 2_345,
          reasoningTokens: 0,
          cacheWriteTokens: 0,
          costUsd: 0.034711,
        },
      ]);
    });

    it("OpenAI o3-mini (the agent's model): reasoning tokens billed at the output rate", async () => {
      // o3-mini: input 1.1, output 4.4, no reasoning price (→ output's).
      // 1,000 × 1.1 + (5,000 - 4,000) × 4.4 + 4,000 × 4.4 = 1,100 + 4,400 + 17,600 = 23,100 / 1e6 = 0.0231
      const agent = await agentWith(t, "openai", "o3-mini");
      const e = await completed(t, agent, { usage: { inputTokens: 1_000, outputTokens: 5_000, reasoningTokens: 4_000 } });
      expect(e.costUsd).toBe(0.0231);
      expect(e.model).toBe("o3-mini");
      expect(e.usage).toMatchObject({ outputTokens: 5_000, reasoningTokens: 4_000 });
    });

    it("Anthropic claude-haiku-4-5: cache reads and cache writes each at their rate", async () => {
      // claude-haiku-4-5: input 1, cached 0.1, cache write 1.25, output 5.
      // (20,000 - 8,000 - 5,000) × 1 + 8,000 × 0.1 + 5,000 × 1.25 + 1,500 × 5 = 7,000 + 800 + 6,250 + 7,500 = 21,550 / 1e6 = 0.02155
      const agent = await agentWith(t, "anthropic", "claude-haiku-4-5-20251001");
      const e = await completed(t, agent, {
        usage: { inputTokens: 20_000, cachedInputTokens: 8_000, cacheWriteTokens: 5_000, outputTokens: 1_500 },
      });
      expect(e.costUsd).toBe(0.02155);
      expect(e.usage).toMatchObject({ inputTokens: 20_000, cachedInputTokens: 8_000, cacheWriteTokens: 5_000 });
      expect(e.cost.pricing?.lines[0]?.price).toMatchObject({ provider: "anthropic", modelName: "claude-haiku-4-5", cacheWrite: 1.25 });
    });

    it("Google gemini-2.0-flash", async () => {
      // gemini-2.0-flash: input 0.1, cached 0.025, output 0.4.
      // 80,000 × 0.1 + 20,000 × 0.025 + 3,000 × 0.4 = 8,000 + 500 + 1,200 = 9,700 / 1e6 = 0.0097
      const agent = await agentWith(t, "google", "gemini-2.0-flash");
      const e = await completed(t, agent, { usage: { inputTokens: 100_000, cachedInputTokens: 20_000, outputTokens: 3_000 } });
      expect(e.costUsd).toBe(0.0097);
    });

    it("Mistral mistral-large-latest: no cached price, so cached input is billed as input", async () => {
      // mistral-large: input 2, output 6, no cached price.
      // 2,000 × 2 + 1,000 × 2 (cached, at the input rate) + 1,000 × 6 = 12,000 / 1e6 = 0.012
      const agent = await agentWith(t, "mistral", "mistral-large-latest");
      const e = await completed(t, agent, { usage: { inputTokens: 3_000, cachedInputTokens: 1_000, outputTokens: 1_000 } });
      expect(e.costUsd).toBe(0.012);
    });

    it("Google gemini-2.5-pro above its 200k-token tier: the whole request at the tier's prices; at the threshold, the base prices", async () => {
      // Tier above 200,000 input tokens: input 2.5, cached 0.25, output 15 (base: 1.25, 0.125, 10).
      // (250,000 - 50,000) × 2.5 + 50,000 × 0.25 + 10,000 × 15 = 500,000 + 12,500 + 150,000 = 662,500 / 1e6 = 0.6625
      const agent = await agentWith(t, "google", "gemini-2.5-pro");
      const above = await completed(t, agent, { usage: { inputTokens: 250_000, cachedInputTokens: 50_000, outputTokens: 10_000 } });
      expect(above.costUsd).toBe(0.6625);
      expect(above.cost.pricing?.lines[0]?.price?.tiers).toEqual([
        { inputTokensAbove: 200_000, input: 2.5, cachedInput: 0.25, output: 15 },
      ]);
      // 200,000 × 1.25 + 10,000 × 10 = 250,000 + 100,000 = 350,000 / 1e6 = 0.35
      const at = await completed(t, agent, { usage: { inputTokens: 200_000, outputTokens: 10_000 } });
      expect(at.costUsd).toBe(0.35);
    });
  });

  it("completed with only { id, output }: succeeded, zero tokens, cost 0 (not unknown)", async () => {
    const e = await completed(t, mini);
    expect(e).toMatchObject({
      status: "succeeded",
      usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, cacheWriteTokens: 0, totalTokens: 0 },
      costUsd: 0,
      model: "gpt-4.1-mini",
      cost: { providedUsd: null, computedUsd: 0, pricing: { source: "none", lines: [] } },
    });
    // A running execution: cost 0 so far, nothing computed yet.
    const running = await t.member.executions.start({ agentId: mini, input: 1 });
    expect(running.costUsd).toBe(0);
    expect((await t.member.executions.get({ id: running.id })).cost).toEqual({ providedUsd: null, computedUsd: null, pricing: null });
  });

  it("a price change with a later validFrom changes no earlier execution's cost; later ones get the new price", async () => {
    const other = await h.tenant("pricing-history");
    const agent = await agentWith(other, "openai", "acme-mini");
    await tenantPrice(h, other, { model: "acme-mini", input: "1", output: "2", validFrom: "2020-01-01T00:00:00Z" });
    const usage = { inputTokens: 100_000, outputTokens: 50_000 };
    // 100,000 × 1 + 50,000 × 2 = 200,000 / 1e6 = 0.2
    const first = await completed(other, agent, { usage });
    expect(first.costUsd).toBe(0.2);
    // A run recorded afterwards that finished an hour ago is priced at its completion too.
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();

    await tenantPrice(h, other, { model: "acme-mini", input: "3", output: "4" }); // valid from now
    await tenantPrice(h, other, {
      model: "acme-mini",
      input: "100",
      output: "100",
      validFrom: new Date(Date.now() + 86_400_000).toISOString(),
    });
    // 100,000 × 3 + 50,000 × 4 = 500,000 / 1e6 = 0.5 (the row valid from tomorrow is not in force yet)
    const second = await completed(other, agent, { usage });
    expect(second.costUsd).toBe(0.5);
    expect(second.cost.pricing?.lines[0]?.price).toMatchObject({ input: 3, output: 4, tenantOverride: true, source: "tenant" });

    const again = await other.member.executions.get({ id: first.id });
    expect(again.costUsd).toBe(0.2);
    expect(again.cost).toEqual(first.cost);
    expect(again.cost.pricing?.lines[0]?.price).toMatchObject({ input: 1, output: 2, validFrom: "2020-01-01T00:00:00.000Z" });

    const { runs } = await other.member.executions.record({
      runs: [{ agentId: agent, input: 1, output: 1, status: "succeeded", startedAt: hourAgo, durationMs: 1_000, usage }],
    });
    expect((await other.member.executions.get({ id: runs[0]!.id })).costUsd).toBe(0.2);
  });

  it("steps with two models: the run costs their sum, and without usage of its own its tokens are theirs", async () => {
    const agent = await agentWith(t, "anthropic", "claude-haiku-4-5-20251001");
    const run = await t.member.executions.start({ agentId: agent, input: "q" });
    await t.member.executions.appendSteps({
      executionId: run.id,
      steps: [
        // The agent's model, claude-haiku-4-5: 1,000 × 1 + 1,000 × 1.25 (cache write) + 300 × 5 = 3,750 / 1e6 = 0.00375
        { type: "thought", data: 1, inputTokens: 2_000, cacheWriteTokens: 1_000, outputTokens: 300 } as StepInput,
        // gpt-4o: 600 × 2.5 + 400 × 1.25 (cached) + 100 × 10 = 1,500 + 500 + 1,000 = 3,000 / 1e6 = 0.003
        { type: "action", data: 2, model: "gpt-4o", inputTokens: 1_000, cachedInputTokens: 400, outputTokens: 100 } as StepInput,
        { type: "message", data: 3 } as StepInput,
      ],
    });
    // claude-haiku-4-5 again: 1,000 × 1 + 100 × 5 = 1,500 / 1e6 = 0.0015
    await t.member.executions.appendSteps({
      executionId: run.id,
      steps: [{ type: "thought", data: 4, inputTokens: 1_000, outputTokens: 100 } as StepInput],
    });
    await t.member.executions.complete({ id: run.id, output: "a" });
    const e = await t.member.executions.get({ id: run.id });
    // 0.00375 + 0.0015 + 0.003 = 0.00825
    expect(e.costUsd).toBe(0.00825);
    expect(e.usage).toEqual({
      inputTokens: 4_000,
      outputTokens: 500,
      cachedInputTokens: 400,
      reasoningTokens: 0,
      cacheWriteTokens: 1_000,
      totalTokens: 4_500,
    });
    expect(e.cost.pricing?.source).toBe("steps");
    expect(e.cost.pricing?.lines.map((l) => [l.model, l.price?.modelName, l.steps, l.inputTokens, l.costUsd])).toEqual([
      ["claude-haiku-4-5-20251001", "claude-haiku-4-5", 2, 3_000, 0.00525],
      ["gpt-4o", "gpt-4o", 1, 1_000, 0.003],
    ]);
    expect(e.steps.map((s) => [s.ordinal, s.model, s.costUsd])).toEqual([
      [1, "claude-haiku-4-5-20251001", 0.00375],
      [2, "gpt-4o", 0.003],
      [3, null, 0],
      [4, "claude-haiku-4-5-20251001", 0.0015],
    ]);
  });

  it("an unknown model: cost unknown (null, never 0), counted as unpriced in the rollups", async () => {
    const agent = (await newAgent(t, { name: "Unpriced" })).id;
    const before = await unpriced(h, t, agent);
    const e = await completed(t, agent, { usage: { model: "acme-unknown-9", inputTokens: 1_000, outputTokens: 10 } });
    expect(e.costUsd).toBeNull();
    expect(e.cost).toMatchObject({ providedUsd: null, computedUsd: null, pricing: { source: "usage" } });
    expect(e.cost.pricing?.lines).toEqual([expect.objectContaining({ model: "acme-unknown-9", price: null, costUsd: null })]);
    const listed = await t.member.executions.list({ agentId: agent });
    expect(listed.items.map((i) => i.costUsd)).toEqual([null]);
    expect(await unpriced(h, t, agent)).toEqual({ agent: 1, tenant: before.tenant + 1, agentCost: 0 });
    // A step of an unknown model makes its run's computed cost unknown too.
    const stepped = await completed(t, agent, {}, [
      { type: "thought", data: 1, model: "acme-unknown-9", inputTokens: 10, outputTokens: 1 },
      { type: "thought", data: 2, inputTokens: 1_000, outputTokens: 100 },
    ]);
    expect(stepped.costUsd).toBeNull();
    expect(stepped.steps.map((s) => s.costUsd)).toEqual([null, 0.00056]); // 1,000 × 0.4 + 100 × 1.6 = 560 / 1e6
    expect((await unpriced(h, t, agent)).agent).toBe(2);
  });

  it("a provided cost is kept and counted; the computed one is stored beside it", async () => {
    const agent = (await newAgent(t, { name: "Provided" })).id;
    // Computed: 10,000 × 0.4 + 1,000 × 1.6 = 4,000 + 1,600 = 5,600 / 1e6 = 0.0056
    const e = await completed(t, agent, { usage: { inputTokens: 10_000, outputTokens: 1_000 }, costUsd: 0.5 });
    expect(e.costUsd).toBe(0.5);
    expect(e.cost).toMatchObject({ providedUsd: 0.5, computedUsd: 0.0056 });
    // Provided for an unknown model: the run's cost is known (the caller's), so it is not unpriced.
    const unknown = await completed(t, agent, { usage: { model: "acme-unknown-9", inputTokens: 1, outputTokens: 1 }, costUsd: 0.25 });
    expect(unknown.cost).toMatchObject({ providedUsd: 0.25, computedUsd: null });
    expect(unknown.costUsd).toBe(0.25);
    expect(await unpriced(h, t, agent)).toMatchObject({ agent: 0, agentCost: 0.75 });
  });

  it("fail with usage is priced; cancel of a run whose steps reported usage is priced from them", async () => {
    const run = await t.member.executions.start({ agentId: mini, input: 1 });
    // 500 × 0.4 + 500 × 0.1 (cached) + 100 × 1.6 = 200 + 50 + 160 = 410 / 1e6 = 0.00041
    await t.member.executions.fail({
      id: run.id,
      error: { message: "boom" },
      usage: { inputTokens: 1_000, cachedInputTokens: 500, outputTokens: 100, reasoningTokens: 0, cacheWriteTokens: 0 },
    });
    expect((await t.member.executions.get({ id: run.id })).costUsd).toBe(0.00041);

    const cancelled = await t.member.executions.start({ agentId: mini, input: 2 });
    // 2,000 × 0.4 + 1,000 × 1.6 = 800 + 1,600 = 2,400 / 1e6 = 0.0024
    await t.member.executions.appendSteps({
      executionId: cancelled.id,
      steps: [{ type: "thought", data: 1, inputTokens: 2_000, outputTokens: 1_000 } as StepInput],
    });
    await t.member.executions.cancel({ id: cancelled.id, reason: "stop" });
    const e = await t.member.executions.get({ id: cancelled.id });
    expect(e).toMatchObject({ status: "cancelled", costUsd: 0.0024, usage: { inputTokens: 2_000, outputTokens: 1_000 } });
    expect(e.cost.pricing?.source).toBe("steps");
  });

  it("a crew run costs its child runs' sum: a cost given on its completion is not kept as provided", async () => {
    const crew = await newCrew(h, t, { members: 1 });
    const crewRun = await t.member.executions.start({ crewId: crew.id, input: "go" });
    const child = await t.member.executions.start({ agentId: crew.members[0]!, parentExecutionId: crewRun.id, input: 1 });
    // 10,000 × 0.4 + 1,000 × 1.6 = 5,600 / 1e6 = 0.0056
    await t.member.executions.complete({ id: child.id, output: 1, usage: { inputTokens: 10_000, outputTokens: 1_000 } as Usage });
    await t.member.executions.complete({ id: crewRun.id, output: "done", costUsd: 5 });
    const e = await t.member.executions.get({ id: crewRun.id });
    expect(e).toMatchObject({ costUsd: 0.0056, cost: { providedUsd: null, computedUsd: 0.0056, pricing: { source: "childRuns" } } });
  });

  describe("executions.record", () => {
    it("prices runs with and without usage, runs priced from their steps, and a crew run with an unpriced child, in a fixed number of statements", async () => {
      const crew = await newCrew(h, t, { members: 3 });
      const [m0, m1, m2] = crew.members as [string, string, string];
      const run = { input: 1, output: 1, status: "succeeded" as const, durationMs: 10 };
      const stepUsage = [
        { type: "thought" as const, data: 1, inputTokens: 2_000, outputTokens: 1_000 },
        { type: "message" as const, data: 2 },
      ] as StepInput[];
      h.statements.length = 0;
      const { runs } = await t.member.executions.record({
        runs: [
          { agentId: mini, ...run },
          { agentId: mini, ...run, usage: { inputTokens: 10_000, outputTokens: 1_000 } as Usage },
          { agentId: mini, ...run, steps: stepUsage },
          {
            crewId: crew.id,
            ...run,
            childRuns: [
              { agentId: m0, ...run, usage: { inputTokens: 10_000, outputTokens: 1_000 } as Usage },
              { agentId: m1, ...run, usage: { model: "acme-unknown-9", inputTokens: 5, outputTokens: 5 } as Usage },
              { agentId: m2, ...run, steps: stepUsage },
            ],
          },
        ],
      });
      const inside = h.statements.filter((s) => !/^(begin|commit|select set_config)/i.test(s));
      // subjects, advisory lock, top-level runs, child runs, steps, finish of the runs priced from steps, finish of the crew run
      expect(inside).toHaveLength(7);
      const [plain, withUsage, withSteps, crewRun] = await Promise.all(runs.map((r) => t.member.executions.get({ id: r.id })));
      expect(plain).toMatchObject({ costUsd: 0, usage: { totalTokens: 0 }, cost: { computedUsd: 0, pricing: { source: "none" } } });
      // 10,000 × 0.4 + 1,000 × 1.6 = 5,600 / 1e6 = 0.0056
      expect(withUsage).toMatchObject({ costUsd: 0.0056, model: "gpt-4.1-mini", cost: { pricing: { source: "usage" } } });
      // 2,000 × 0.4 + 1,000 × 1.6 = 2,400 / 1e6 = 0.0024; the run's tokens are its steps'
      expect(withSteps).toMatchObject({
        status: "succeeded",
        costUsd: 0.0024,
        usage: { inputTokens: 2_000, outputTokens: 1_000 },
        cost: { pricing: { source: "steps" } },
        durationMs: 10,
      });
      expect(withSteps!.steps.map((s) => s.costUsd)).toEqual([0.0024, 0]);
      // The crew run: the known part, 0.0056 + 0.0024 = 0.008, and one unpriced child.
      expect(crewRun!.childRuns.map((c) => c.costUsd)).toEqual([0.0056, null, 0.0024]);
      expect(crewRun).toMatchObject({ costUsd: 0.008, cost: { pricing: { source: "childRuns", unpricedChildRuns: 1, lines: [] } } });
      expect(crewRun!.usage.inputTokens).toBe(10_000 + 5 + 2_000);
    });

    it("hard budgets never refuse recorded runs (they already happened), though they refuse starts", async () => {
      const other = await h.tenant("pricing-budget");
      const agent = (await newAgent(other)).id;
      const crew = await newCrew(h, other, { members: 1 });
      await withTenant(h.database.db, other.tenantId, (tx) =>
        tx.execute(
          sql`insert into budgets (tenant_id, name, scope, period, limit_usd, enforcement)
              values (${other.tenantId}, 'Tight', 'tenant', 'monthly', 0.01, 'hard')`,
        ),
      );
      const run = { input: 1, output: 1, status: "succeeded" as const, durationMs: 10 };
      // Over the limit, recorded: a run inserted finished.
      await other.member.executions.record({ runs: [{ agentId: agent, ...run, costUsd: 1 }] });
      await rejectsWith(other.member.executions.start({ agentId: agent, input: 1 }), "PRECONDITION_FAILED", /budget "Tight"/);
      // Runs that record inserts running before it finishes them: a crew run, a run priced from its steps.
      const { runs } = await other.member.executions.record({
        runs: [
          { crewId: crew.id, ...run, childRuns: [{ agentId: crew.members[0]!, ...run }] },
          { agentId: agent, ...run, steps: [{ type: "thought", data: 1, inputTokens: 10, outputTokens: 10 } as StepInput] },
        ],
      });
      expect(runs).toHaveLength(2);
      // One run alone (no advisory lock statement): the insert still turns the check off.
      await other.member.executions.record({ runs: [{ crewId: crew.id, ...run, childRuns: [{ agentId: crew.members[0]!, ...run }] }] });
    });

    it("replays compare the provided cost and usage as given", async () => {
      const key = `price-${crypto.randomUUID()}`;
      const base = { agentId: mini, input: 1, output: 1, status: "succeeded" as const, durationMs: 10, idempotencyKey: key };
      const first = await t.member.executions.record({ runs: [{ ...base, usage: { inputTokens: 10, outputTokens: 1 } as Usage }] });
      expect(await t.member.executions.record({ runs: [{ ...base, usage: { inputTokens: 10, outputTokens: 1 } as Usage }] })).toEqual(
        first,
      );
      await rejectsWith(
        t.member.executions.record({ runs: [{ ...base, usage: { inputTokens: 10, outputTokens: 1 } as Usage, costUsd: 0.1 }] }),
        "CONFLICT",
      );
      await rejectsWith(t.member.executions.record({ runs: [base] }), "CONFLICT");
      const stepped = {
        ...base,
        idempotencyKey: `${key}-steps`,
        steps: [{ type: "thought", data: 1, inputTokens: 5, outputTokens: 5 } as StepInput],
      };
      const once = await t.member.executions.record({ runs: [stepped] });
      expect(await t.member.executions.record({ runs: [stepped] })).toEqual(once);
    });
  });

  it("a tenant's own price wins for that tenant only", async () => {
    const a = await h.tenant("pricing-override-a");
    const b = await h.tenant("pricing-override-b");
    await tenantPrice(h, a, {
      model: "gpt-4.1-mini",
      patterns: ["gpt-4.1-mini%"],
      input: "1",
      output: "1",
      validFrom: "1970-01-01T00:00:00Z",
    });
    const usage = { inputTokens: 10_000, outputTokens: 1_000 };
    // Override: 10,000 × 1 + 1,000 × 1 = 11,000 / 1e6 = 0.011
    const inA = await completed(a, (await newAgent(a)).id, { usage });
    expect(inA.costUsd).toBe(0.011);
    expect(inA.cost.pricing?.lines[0]?.price).toMatchObject({ tenantOverride: true, modelName: "gpt-4.1-mini" });
    // Shipped: 10,000 × 0.4 + 1,000 × 1.6 = 5,600 / 1e6 = 0.0056
    const inB = await completed(b, (await newAgent(b)).id, { usage });
    expect(inB.costUsd).toBe(0.0056);
    expect(inB.cost.pricing?.lines[0]?.price).toMatchObject({ tenantOverride: false });
    // And a's row is not in b's reads at all (row-level security), nor does a's step pricing leak to b.
    const inBSteps = await completed(b, (await newAgent(b)).id, {}, [{ type: "thought", data: 1, ...usage }]);
    expect(inBSteps.costUsd).toBe(0.0056);
  });
});
