import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { pricingLimits } from "@agent-builder/contracts";
import { testTargets } from "@agent-builder/db/testing";

import { type Api, createHarness, type Harness, rejectsWith, type TestTenant, tenantSnapshot } from "./support";

/** Names no shipped price row has, so these tests own every row they read. */
const unique = (name: string) => `zz-test-${name}`;
const prices = { input: 2.5, output: 10, cachedInput: 1.25 };

describe.each(testTargets())("model prices on %s", (target) => {
  let h: Harness;
  let a: TestTenant;
  let b: TestTenant;
  let staff: Api;

  beforeAll(async () => {
    h = await createHarness(target);
    a = await h.tenant("models-a");
    b = await h.tenant("models-b");
    staff = await h.as({ sub: crypto.randomUUID(), tid: "models-staff", role: "admin" });
  });
  afterAll(() => h?.close());

  /** An active agent of `t` on `model`, and a run of it completed with only usage (the service prices it). */
  async function runOf(t: TestTenant, model: string, usage: Record<string, number> = { inputTokens: 1000, outputTokens: 500 }) {
    const agent = await t.member.agents.create({ name: `on ${model}`, spaceId: t.space.id, llmConfig: { provider: "openai", model } });
    await t.member.agents.setStatus({ id: agent.id, status: "active" });
    const run = await t.member.executions.start({ agentId: agent.id, input: "q" });
    await t.member.executions.complete({ id: run.id, output: "a", usage: usage as { inputTokens: number; outputTokens: number } });
    return t.member.executions.get({ id: run.id });
  }

  it("an override wins for its tenant only: list marks the global row, resolve and the computed cost follow it; another tenant never sees it", async () => {
    const model = unique("wins");
    const global = await staff.admin.createModel({
      provider: "openai",
      modelName: model,
      matchPatterns: [model, `${model}-%`],
      prices,
      validFrom: "2020-01-01T00:00:00Z",
    });
    expect(global).toMatchObject({ scope: "global", source: "staff", version: 1, currency: "USD" });
    expect(global.prices).toEqual({ input: 2.5, output: 10, cachedInput: 1.25, cacheWrite: null, reasoning: null });
    const override = await a.service.models.create({
      provider: "openai",
      modelName: model,
      matchPatterns: [`${model}%`],
      prices: { input: 1, output: 4 },
      validFrom: "2020-01-01T00:00:00Z",
    });
    expect(override).toMatchObject({ scope: "tenant", source: "tenant", provider: "openai", modelName: model, version: 1 });

    const listed = (await a.member.models.list({ q: model })).items;
    expect(listed.map((m) => [m.id, m.scope, m.overriddenBy])).toEqual([
      [override.id, "tenant", null],
      [global.id, "global", override.id],
    ]);
    expect((await b.member.models.list({ q: model })).items.map((m) => [m.id, m.overriddenBy])).toEqual([[global.id, null]]);
    expect((await a.member.models.list({ q: model, scope: "global" })).items.map((m) => m.id)).toEqual([global.id]);

    const dated = `${model}-2024-08-06`;
    expect(await a.member.models.resolve({ model: dated, provider: "openai" })).toMatchObject({
      price: { id: override.id },
      matchedPattern: `${model}%`,
    });
    expect(await b.member.models.resolve({ model: dated.toUpperCase() })).toMatchObject({
      price: { id: global.id },
      matchedPattern: `${model}-%`,
    });

    // 1000 input and 500 output tokens: a's override (1 / 4 per million), b's global price (2.5 / 10).
    const runA = await runOf(a, model);
    const runB = await runOf(b, model);
    expect(runA.costUsd).toBe(0.003);
    expect(runB.costUsd).toBe(0.0075);

    const before = await tenantSnapshot(h, a.tenantId);
    await rejectsWith(b.service.models.get({ id: override.id }), "NOT_FOUND");
    await rejectsWith(b.service.models.update({ id: override.id, expectedVersion: 1, prices: { input: 0 } }), "NOT_FOUND");
    await rejectsWith(b.service.models.delete({ id: override.id }), "NOT_FOUND");
    expect(await tenantSnapshot(h, a.tenantId)).toBe(before);
    expect((await a.member.models.resolve({ model })).price?.prices.input).toBe(1);
  });

  it("keeps history: a later validFrom applies from then on; list and resolve answer for any time; get lists the history oldest first", async () => {
    const model = unique("history");
    const first = await a.service.models.create({ provider: "openai", modelName: model, prices, validFrom: "2024-01-01T00:00:00Z" });
    const second = await a.service.models.create({
      provider: "openai",
      modelName: model,
      prices: { ...prices, input: 3 },
      validFrom: "2025-01-01T00:00:00Z",
    });
    const future = await a.service.models.create({
      provider: "openai",
      modelName: model,
      prices: { ...prices, input: 4 },
      validFrom: "2999-01-01T00:00:00Z",
    });
    expect(first.matchPatterns).toEqual([model]);
    const listedAt = async (at?: string) => (await a.member.models.list({ q: model, ...(at && { at }) })).items.map((m) => m.id);
    expect(await listedAt("2023-12-31T23:59:59Z")).toEqual([]);
    expect(await listedAt("2024-06-01T00:00:00Z")).toEqual([first.id]);
    expect(await listedAt("2025-01-01T00:00:00Z")).toEqual([second.id]);
    expect(await listedAt()).toEqual([second.id]);
    expect((await a.member.models.resolve({ model, at: "2024-06-01T00:00:00Z" })).price?.id).toBe(first.id);
    expect((await a.member.models.resolve({ model })).price?.id).toBe(second.id);
    const detail = await a.member.models.get({ id: second.id });
    expect(detail).toMatchObject({ id: second.id, prices: { input: 3 } });
    expect(detail.history.map((m) => m.id)).toEqual([first.id, second.id, future.id]);
    // Without validFrom a new price starts now: it is in effect at once, and the earlier ones stay in the history.
    const now = await a.service.models.create({ provider: "openai", modelName: unique("history-now"), prices });
    expect(Date.now() - Date.parse(now.validFrom)).toBeLessThan(60_000);
    expect((await a.member.models.resolve({ model: unique("history-now") })).price?.id).toBe(now.id);
  });

  it("resolves by precedence: the tenant's rows, then the run's provider, then an exact name before a pattern, the longer pattern first", async () => {
    const name = unique("prec-model-1");
    const broad = await staff.admin.createModel({
      provider: "mistral",
      modelName: unique("prec"),
      matchPatterns: [unique("prec%")],
      prices,
    });
    const longer = await staff.admin.createModel({
      provider: "mistral",
      modelName: unique("prec-model"),
      matchPatterns: [unique("prec-model%")],
      prices,
    });
    expect((await b.member.models.resolve({ model: name })).price?.id).toBe(longer.id);
    const exact = await staff.admin.createModel({ provider: "mistral", modelName: name, prices });
    expect(await b.member.models.resolve({ model: name })).toMatchObject({ price: { id: exact.id }, matchedPattern: name });
    expect((await b.member.models.resolve({ model: unique("prec-other") })).price?.id).toBe(broad.id);
    // The run's provider before a more specific row of another provider.
    const ofGoogle = await staff.admin.createModel({
      provider: "google",
      modelName: unique("prec-g"),
      matchPatterns: [unique("prec%")],
      prices,
    });
    expect((await b.member.models.resolve({ model: name, provider: "google" })).price?.id).toBe(ofGoogle.id);
    expect((await b.member.models.resolve({ model: name, provider: "mistral" })).price?.id).toBe(exact.id);
    // A tenant's pattern row before a global exact one; unknown names are null, not an error.
    const mine = await b.service.models.create({
      provider: "custom",
      modelName: unique("prec-b"),
      matchPatterns: [unique("prec%")],
      prices,
    });
    expect((await b.member.models.resolve({ model: name, provider: "mistral" })).price?.id).toBe(mine.id);
    expect((await a.member.models.resolve({ model: name, provider: "mistral" })).price?.id).toBe(exact.id);
    expect(await a.member.models.resolve({ model: "no-such-model-anywhere-42" })).toMatchObject({ price: null, matchedPattern: null });
    // Wildcards in a name are literal in its default pattern.
    const underscored = await b.service.models.create({ provider: "custom", modelName: unique("a_b"), prices });
    expect(underscored.matchPatterns).toEqual([unique("a\\_b")]);
    expect((await b.member.models.resolve({ model: unique("a_b") })).price?.id).toBe(underscored.id);
    expect((await b.member.models.resolve({ model: unique("axb") })).price?.id).not.toBe(underscored.id);
  });

  it("refuses bad prices, patterns, tiers and currencies with a 400 that says why", async () => {
    const base = { provider: "openai", modelName: unique("bad"), prices };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ matchPatterns: ["GPT-4o"] }, /lower case/],
      [{ matchPatterns: ["gpt\\"] }, /must not end with an unescaped/],
      [{ matchPatterns: [] }, /at least one match pattern/],
      [{ matchPatterns: Array.from({ length: pricingLimits.matchPatternsMax + 1 }, (_, i) => `p${i}`) }, /at most 50 match patterns/],
      [{ matchPatterns: ["x".repeat(pricingLimits.matchPatternMax + 1)] }, /matchPatterns/],
      [{ prices: { input: 1.1234567, output: 1 } }, /at most 6 decimals/],
      [{ prices: { input: -1, output: 1 } }, /must not be negative/],
      [{ prices: { input: pricingLimits.pricePerMillionMax + 1, output: 1 } }, /at most 100000/],
      [{ prices: { input: 1 } }, /prices.output/],
      [{ currency: "EUR" }, /only USD is supported/],
      [
        {
          tiers: [
            { inputTokensAbove: 200_000, input: 5 },
            { inputTokensAbove: 100_000, input: 4 },
          ],
        },
        /ascending inputTokensAbove/,
      ],
      [{ tiers: [{ inputTokensAbove: 200_000 }] }, /at least one price/],
      [{ provider: "OpenAI" }, /provider: lower-case/],
      [{ validFrom: "yesterday" }, /validFrom/],
    ];
    for (const [change, message] of cases) {
      await rejectsWith(a.service.models.create({ ...base, ...change } as never), "BAD_REQUEST", message);
    }
    const row = await a.service.models.create({ ...base, tiers: [{ inputTokensAbove: 200_000, input: 5, output: 15 }] });
    expect(row.tiers).toEqual([{ inputTokensAbove: 200_000, input: 5, output: 15 }]);
    await rejectsWith(a.service.models.update({ id: row.id, expectedVersion: 1 }), "BAD_REQUEST", /nothing to update/);
    await rejectsWith(a.service.models.update({ id: row.id, expectedVersion: 1, currency: "GBP" } as never), "BAD_REQUEST", /only USD/);
    await rejectsWith(a.member.models.list({ cursor: "not-a-cursor" }), "BAD_REQUEST", /invalid cursor/);
  });

  it("answers CONFLICT to a stale version and to a second price for the same model and validFrom; corrects in place", async () => {
    const model = unique("conflict");
    const row = await a.service.models.create({ provider: "openai", modelName: model, prices, validFrom: "2026-01-01T00:00:00Z" });
    const fixed = await a.service.models.update({ id: row.id, expectedVersion: 1, prices: { output: 12, reasoning: 20 } });
    expect(fixed).toMatchObject({ version: 2, prices: { input: 2.5, output: 12, cachedInput: 1.25, reasoning: 20 } });
    await rejectsWith(a.service.models.update({ id: row.id, expectedVersion: 1, prices: { input: 9 } }), "CONFLICT", /version 2, not 1/);
    const duplicate = { provider: "openai", modelName: model, prices, validFrom: "2026-01-01T00:00:00Z" };
    await rejectsWith(a.service.models.create(duplicate), "CONFLICT", /already exists in this scope: give the new price a later validFrom/);
    const later = await a.service.models.create({ ...duplicate, validFrom: "2026-02-01T00:00:00Z" });
    await rejectsWith(
      a.service.models.update({ id: later.id, expectedVersion: 1, validFrom: "2026-01-01T00:00:00Z" }),
      "CONFLICT",
      /already exists/,
    );
    // Another tenant, and the global scope, have their own.
    await b.service.models.create(duplicate);
    await staff.admin.createModel(duplicate);
    await rejectsWith(staff.admin.createModel(duplicate), "CONFLICT", /already exists/);
    expect(await a.service.models.delete({ id: later.id })).toEqual({ id: later.id });
    await rejectsWith(a.service.models.get({ id: later.id }), "NOT_FOUND");
  });

  it("lets members read but not write; tenants cannot write global rows, nor staff tenant rows", async () => {
    const model = unique("roles");
    const global = await staff.admin.createModel({ provider: "openai", modelName: model, prices });
    await rejectsWith(a.member.models.create({ provider: "openai", modelName: model, prices }), "FORBIDDEN", /service or admin token/);
    await rejectsWith(a.member.models.update({ id: global.id, expectedVersion: 1, prices: { input: 0 } }), "FORBIDDEN");
    await rejectsWith(a.member.models.delete({ id: global.id }), "FORBIDDEN");
    expect((await a.member.models.get({ id: global.id })).history.map((m) => m.id)).toEqual([global.id]);
    const admin = await a.caller("admin");
    await rejectsWith(admin.models.update({ id: global.id, expectedVersion: 1, prices: { input: 0 } }), "FORBIDDEN", /maintained by staff/);
    await rejectsWith(a.service.models.delete({ id: global.id }), "FORBIDDEN", /maintained by staff/);
    const override = await admin.models.create({ provider: "openai", modelName: model, prices: { input: 1, output: 1 } });
    await rejectsWith(
      staff.admin.updateModel({ id: override.id, expectedVersion: 1, prices: { input: 0 } }),
      "FORBIDDEN",
      /tenant's override/,
    );
    await rejectsWith(staff.admin.deleteModel({ id: override.id }), "FORBIDDEN", /tenant's override/);
    expect((await a.member.models.get({ id: override.id })).version).toBe(1);
    expect((await a.member.models.get({ id: global.id })).version).toBe(1);
  });

  it("audits staff edits of global rows; admin.models shows every scope and counts a global row's overrides", async () => {
    const model = unique("staff");
    const created = await staff.admin.createModel({ provider: "anthropic", modelName: model, prices, validFrom: "2021-01-01T00:00:00Z" });
    const updated = await staff.admin.updateModel({ id: created.id, expectedVersion: 1, prices: { cacheWrite: 3.75 } });
    expect(updated).toMatchObject({ source: "staff", version: 2, prices: { cacheWrite: 3.75 } });
    await a.service.models.create({ provider: "anthropic", modelName: model, prices, validFrom: "2021-01-01T00:00:00Z" });
    await b.service.models.create({ provider: "anthropic", modelName: model, prices, validFrom: "2021-01-01T00:00:00Z" });
    const all = (await staff.admin.models({ q: model })).items;
    expect(all.map((m) => [m.scope, m.tenantId, m.tenantOverrides])).toEqual([
      ["global", null, 2],
      ["tenant", a.tenantId, 0],
      ["tenant", b.tenantId, 0],
    ]);
    expect((await staff.admin.models({ q: model, tenantId: b.tenantId })).items.map((m) => m.tenantId)).toEqual([null, b.tenantId]);
    expect((await staff.admin.models({ q: model, scope: "global" })).items.map((m) => m.id)).toEqual([created.id]);
    // Keyset pages: one row a page walks the same rows in the same order.
    const walked: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await staff.admin.models({ q: model, limit: 1, ...(cursor && { cursor }) });
      walked.push(...page.items.map((m) => m.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(walked).toEqual(all.map((m) => m.id));
    await rejectsWith(staff.admin.models({ tenantId: "no-such-tenant" }), "NOT_FOUND");

    expect(await staff.admin.deleteModel({ id: created.id })).toEqual({ id: created.id });
    const log = (await staff.admin.auditLog({ targetType: "model", targetId: created.id })).items;
    expect(log.map((e) => e.action)).toEqual(["model.delete", "model.update", "model.create"]);
    expect(log.find((e) => e.action === "model.update")?.details).toMatchObject({
      before: { source: "staff", prices: { cacheWrite: null } },
      after: { prices: { cacheWrite: 3.75 } },
    });
    expect(log.every((e) => e.targetTenantId === null)).toBe(true);
    // A shipped row (synced at migrate) corrected by staff says so: the price sync leaves staff rows alone.
    const shipped = (await staff.admin.models({ scope: "global", limit: 100 })).items.find((m) => m.source.startsWith("genai-prices@"));
    expect(shipped, "shipped price rows are synced at migrate").toBeDefined();
    const corrected = await staff.admin.updateModel({ id: shipped!.id, expectedVersion: shipped!.version, prices: { input: 0.5 } });
    expect(corrected).toMatchObject({ source: "staff", version: shipped!.version + 1, prices: { input: 0.5 } });
    const [entry] = (await staff.admin.auditLog({ targetType: "model", targetId: shipped!.id })).items;
    expect(entry?.details).toMatchObject({
      before: { source: shipped!.source, prices: { input: shipped!.prices.input } },
      after: { prices: { input: 0.5 } },
    });

    // A refused staff write leaves no audit entry (one transaction).
    await rejectsWith(staff.admin.updateModel({ id: created.id, expectedVersion: 2, prices: { input: 1 } }), "NOT_FOUND");
    expect((await staff.admin.auditLog({ targetType: "model", targetId: created.id })).items).toHaveLength(3);
  });

  it("lists the models runs reported without a price in the last 30 days, with runs, tenants and last seen, newest first", async () => {
    const mystery = unique("mystery-1");
    const older = unique("mystery-0");
    await runOf(a, older);
    await runOf(a, mystery);
    await runOf(a, mystery);
    const last = await runOf(b, mystery);
    expect(last.costUsd).toBeNull();
    // Not unpriced: a run with the caller's own cost, and a run without tokens.
    const agent = await a.member.agents.create({
      name: "provided",
      spaceId: a.space.id,
      llmConfig: { provider: "openai", model: mystery },
    });
    await a.member.agents.setStatus({ id: agent.id, status: "active" });
    const provided = await a.member.executions.start({ agentId: agent.id, input: 1 });
    await a.member.executions.complete({ id: provided.id, output: 1, usage: { inputTokens: 5, outputTokens: 5 }, costUsd: 0.01 });
    const empty = await a.member.executions.start({ agentId: agent.id, input: 1 });
    await a.member.executions.complete({ id: empty.id, output: 1 });

    // A run whose steps used two models, one priced: only the unpriced one is what staff must add.
    const stepPriced = unique("mystery-step-priced");
    await staff.admin.createModel({ provider: "openai", modelName: stepPriced, prices });
    const stepped = await a.member.executions.start({ agentId: agent.id, input: 1 });
    await a.member.executions.appendSteps({
      executionId: stepped.id,
      steps: [
        { type: "message", data: 1, model: stepPriced, inputTokens: 10, outputTokens: 5 },
        { type: "message", data: 2, model: unique("mystery-step"), inputTokens: 10, outputTokens: 5 },
      ],
    });
    await a.member.executions.complete({ id: stepped.id, output: 1 });
    expect((await a.member.executions.get({ id: stepped.id })).costUsd).toBeNull();

    const seen = async () => (await staff.admin.unpricedModels()).items.filter((m) => m.model.startsWith(unique("mystery")));
    const found = await seen();
    expect(found.map((m) => [m.model, m.executions, m.tenants, m.providers, m.pricedNowBy])).toEqual([
      [unique("mystery-step"), 1, 1, ["openai"], null],
      [mystery, 3, 2, ["openai"], null],
      [older, 1, 1, ["openai"], null],
    ]);
    expect(Date.parse(found[1]!.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(found[2]!.lastSeenAt));
    expect(found[1]!.lastSeenAt).toBe(last.completedAt);
    // Priced since: the runs stay unpriced (their cost was decided at their finish), the list says a row prices it now.
    const added = await staff.admin.createModel({ provider: "openai", modelName: mystery, prices });
    expect((await seen()).find((m) => m.model === mystery)?.pricedNowBy).toBe(added.id);
    expect((await b.member.executions.get({ id: last.id })).costUsd).toBeNull();
    await rejectsWith(a.member.admin.unpricedModels(), "FORBIDDEN");
  });
});
