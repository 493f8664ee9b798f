import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { limits } from "@agent-builder/contracts";
import { queryRows, sql, withTenant } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { BadRequest } from "../src/domain-errors";
import { checkParametersSchema } from "../src/json-schema";
import { createKeyring, type SecretKey, SecretsError } from "../src/secrets";
import { openToolSecrets } from "../src/tools/service";
import { createHarness, type Harness, rejectsWith, type TestTenant } from "./support";

const key = (kid: string, fill: number): SecretKey => ({ kid, key: new Uint8Array(32).fill(fill) });
const apiKey = "sk-live-PLAINTEXT-0123456789abcdef";
const search = {
  type: "object",
  properties: { query: { type: "string", minLength: 1 }, limit: { type: "integer", minimum: 1, maximum: 50 } },
  required: ["query"],
};

describe("tool parameters: a JSON Schema checked against the meta-schema", () => {
  const problem = (schema: Record<string, unknown>) => {
    try {
      checkParametersSchema(schema);
      return "valid";
    } catch (error) {
      expect(error).toBeInstanceOf(BadRequest);
      return (error as Error).message;
    }
  };

  it("accepts draft-07 and draft 2020-12 schemas of an arguments object", () => {
    expect(problem(search)).toBe("valid");
    expect(problem({ $schema: "http://json-schema.org/draft-07/schema#", ...search, definitions: { q: { type: "string" } } })).toBe(
      "valid",
    );
    expect(
      problem({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        type: "object",
        $defs: { tag: { type: "string" } },
        properties: { tags: { type: "array", prefixItems: [{ $ref: "#/$defs/tag" }] } },
      }),
    ).toBe("valid");
  });

  it("refuses what is not a JSON Schema, saying where", () => {
    expect(problem({ type: "object", properties: { q: { type: "strin" } } })).toMatch(
      /^parameters is not a valid JSON Schema: \/properties\/q\/type/,
    );
    expect(problem({ type: "object", required: "q" })).toMatch(/\/required: .*Expected "array"/);
    expect(problem({ type: "object", properties: { q: { minLength: -1 } } })).toMatch(/\/properties\/q\/minLength: -1 is less than 0/);
    expect(problem({ type: "object", properties: { q: { pattern: "([" } } })).toMatch(/\/properties\/q\/pattern: .*regex/);
    expect(problem({ type: "object", prefixItems: 3 })).toMatch(/\/prefixItems/);
    expect(problem({ type: "string" })).toMatch(/must describe the tool's arguments as an object/);
    expect(problem({ $schema: "http://json-schema.org/draft-04/schema#", type: "object" })).toMatch(/draft-04.*not supported/);
    expect(problem({ type: "object", properties: { q: { $ref: "#/$defs/missing" } } })).toMatch(
      /\$ref #\/\$defs\/missing does not resolve/,
    );
    expect(problem({ type: "object", properties: { q: { $ref: "https://example.test/s.json" } } })).toMatch(/does not resolve/);
  });
});

describe.each(testTargets())("tools on %s", (target) => {
  let h: Harness;
  let a: TestTenant;
  let b: TestTenant;
  const ring = createKeyring([key("k1", 1)]);

  beforeAll(async () => {
    h = await createHarness(target);
    h.deps.secrets = ring;
    a = await h.tenant("tools-a");
    b = await h.tenant("tools-b");
  });
  afterAll(() => h?.close());

  const storedRow = async (id: string) =>
    (await queryRows<{ row: string }>(h.database.db, sql`select to_jsonb(t)::text as row from tools t where id = ${id}::uuid`))[0]?.row ??
    "";
  const open = (t: TestTenant, id: string) =>
    withTenant(h.database.db, t.tenantId, (tx) =>
      openToolSecrets(tx, { tenantId: t.tenantId, userId: t.memberId, role: "member" }, id, ring),
    );

  it("creates, reads, patches with expectedVersion and deletes, in the caller's tenant", async () => {
    const created = await a.member.tools.create({
      name: "Web search",
      description: "Searches the web",
      type: "http",
      parameters: search,
      configuration: { url: "https://search.example/api", method: "GET" },
      usageExamples: ["find the weather in Paris"],
      tags: ["Search", "web"],
    });
    expect(created).toMatchObject({
      name: "Web search",
      type: "http",
      parameters: search,
      configuration: { url: "https://search.example/api", method: "GET" },
      secrets: {},
      code: null,
      language: null,
      tags: ["search", "web"],
      createdBy: a.memberId,
      version: 1,
    });
    expect(await a.member.tools.get({ id: created.id })).toEqual(created);
    const updated = await a.member.tools.update({ id: created.id, expectedVersion: 1, description: "Searches", tags: ["search"] });
    expect(updated).toMatchObject({ description: "Searches", tags: ["search"], version: 2, configuration: created.configuration });
    await rejectsWith(a.member.tools.update({ id: created.id, expectedVersion: 1, name: "Stale" }), "CONFLICT", /version 2, not 1/);
    await rejectsWith(b.member.tools.get({ id: created.id }), "NOT_FOUND");
    await rejectsWith(b.member.tools.update({ id: created.id, expectedVersion: 2, name: "pwned" }), "NOT_FOUND");
    await rejectsWith(b.member.tools.delete({ id: created.id }), "NOT_FOUND");
    expect(await a.member.tools.delete({ id: created.id })).toEqual({ id: created.id });
    await rejectsWith(a.member.tools.get({ id: created.id }), "NOT_FOUND");
  });

  it("keeps names unique per tenant, with a clear CONFLICT", async () => {
    await a.member.tools.create({ name: "Calculator", type: "builtin" });
    await rejectsWith(a.member.tools.create({ name: "Calculator", type: "function" }), "CONFLICT", /a tool with this name already exists/);
    const other = await a.member.tools.create({ name: "Calculator 2", type: "builtin" });
    await rejectsWith(a.member.tools.update({ id: other.id, expectedVersion: 1, name: "Calculator" }), "CONFLICT", /already exists/);
    await b.member.tools.create({ name: "Calculator", type: "builtin" }); // another tenant's name is free
  });

  it("refuses an invalid parameters schema with a 400 that says why, and bounds its size", async () => {
    await rejectsWith(
      a.member.tools.create({ name: "Bad", type: "function", parameters: { type: "object", properties: { q: { type: 5 } } } }),
      "BAD_REQUEST",
      /parameters is not a valid JSON Schema: \/properties\/q\/type/,
    );
    const tool = await a.member.tools.create({ name: "Patchable", type: "function", parameters: search });
    await rejectsWith(
      a.member.tools.update({ id: tool.id, expectedVersion: 1, parameters: { type: "array" } }),
      "BAD_REQUEST",
      /as an object/,
    );
    const huge = { type: "object", description: "x".repeat(70 * 1024) };
    await rejectsWith(a.member.tools.create({ name: "Huge", type: "function", parameters: huge }), "BAD_REQUEST");
    await rejectsWith(
      a.member.tools.create({ name: "Huge", type: "function", configuration: { blob: "x".repeat(70 * 1024) } }),
      "BAD_REQUEST",
    );
    await rejectsWith(
      a.member.tools.create({ name: "Tags", type: "function", tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }),
      "BAD_REQUEST",
      /tags: at most 20 tags/,
    );
  });

  it("keeps tags as the agents do: a normalised set, duplicates merged, any letters", async () => {
    // The shared tagSchema/tagsSchema (contracts' common.ts): trimmed, whitespace runs one space,
    // lower case, duplicates after normalising dropped (first kept), no character rule beyond text's.
    const tool = await a.member.tools.create({
      name: "Tagged",
      type: "function",
      tags: ["Search", "search", " SEARCH ", "Web  Search", "web search", "Čeština", "日本語", "café"],
    });
    expect(tool.tags).toEqual(["search", "web search", "čeština", "日本語", "café"]);
    expect((await a.member.tools.get({ id: tool.id })).tags).toEqual(tool.tags);
    const updated = await a.member.tools.update({ id: tool.id, expectedVersion: 1, tags: ["A", "a", "B"] });
    expect(updated.tags).toEqual(["a", "b"]);
    expect((await a.member.tools.list({ tag: "  B " })).items.map((i) => i.name)).toEqual(["Tagged"]);
    await rejectsWith(
      a.member.tools.create({ name: "Empty tag", type: "function", tags: ["  "] }),
      "BAD_REQUEST",
      /a tag must not be empty/,
    );
    await rejectsWith(
      a.member.tools.create({ name: "Long tag", type: "function", tags: ["x".repeat(limits.tagLengthMax + 1)] }),
      "BAD_REQUEST",
      /a tag must be at most 50 characters/,
    );
    await rejectsWith(a.member.tools.create({ name: "NUL tag", type: "function", tags: ["a\u0000b"] }), "BAD_REQUEST", /NUL/);
  });

  it("requires code and language for code tools and refuses them for others", async () => {
    await rejectsWith(a.member.tools.create({ name: "Code", type: "code" }), "BAD_REQUEST", /a code tool needs its code/);
    await rejectsWith(a.member.tools.create({ name: "Http", type: "http", code: "print(1)", language: "python" }), "BAD_REQUEST");
    const code = await a.member.tools.create({ name: "Code", type: "code", code: "def run(q): return q", language: "python" });
    expect(code).toMatchObject({ code: "def run(q): return q", language: "python" });
    await rejectsWith(a.member.tools.update({ id: code.id, expectedVersion: 1, code: null }), "BAD_REQUEST", /needs its code/);
    const http = await a.member.tools.update({ id: code.id, expectedVersion: 1, type: "http" });
    expect(http).toMatchObject({ type: "http", code: null, language: null });
    await rejectsWith(a.member.tools.update({ id: code.id, expectedVersion: 2, code: "x" }), "BAD_REQUEST", /only code tools carry code/);
  });

  it("lists by keyset, filtered by type, tag and name", async () => {
    const t = await h.tenant("tools-list");
    for (let i = 0; i < 5; i++) {
      await t.member.tools.create({ name: `Tool ${i}`, type: i % 2 ? "mcp" : "http", tags: i < 2 ? ["first"] : [] });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t.member.tools.list({ limit: 2, sortBy: "name", sortDirection: "asc", ...(cursor && { cursor }) });
      seen.push(...page.items.map((i) => i.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(["Tool 0", "Tool 1", "Tool 2", "Tool 3", "Tool 4"]);
    expect((await t.member.tools.list({ type: "mcp" })).items.map((i) => i.name).sort()).toEqual(["Tool 1", "Tool 3"]);
    expect((await t.member.tools.list({ tag: "FIRST" })).items.map((i) => i.name).sort()).toEqual(["Tool 0", "Tool 1"]);
    expect((await t.member.tools.list({ search: "ol 4" })).items.map((i) => i.name)).toEqual(["Tool 4"]);
    const staff = await h.as({ sub: crypto.randomUUID(), tid: "staff", role: "admin" });
    expect((await staff.admin.tools({ tenantId: t.tenantId, type: ["http"] })).items.map((i) => i.name).sort()).toEqual([
      "Tool 0",
      "Tool 2",
      "Tool 4",
    ]);
    await rejectsWith(t.member.admin.tools({ tenantId: t.tenantId }), "FORBIDDEN");
  });

  it("stores secrets encrypted, opens them with the key, and never returns them", async () => {
    const staff = await h.as({ sub: crypto.randomUUID(), tid: "staff", role: "admin" });
    const created = await a.member.tools.create({
      name: "Secret holder",
      type: "http",
      configuration: { url: "https://api.example" },
      secrets: { apiKey, pin: "1234" },
    });
    expect(created.secrets).toEqual({ apiKey: "••••cdef", pin: "••••" });
    const row = await storedRow(created.id);
    expect(row).not.toContain(apiKey);
    expect(row).not.toContain("PLAINTEXT");
    expect(row).toContain('"kid": "k1"');
    expect(await open(a, created.id)).toEqual({ apiKey, pin: "1234" });

    // A patch sets, removes or keeps each one.
    const updated = await a.member.tools.update({
      id: created.id,
      expectedVersion: 1,
      secrets: { pin: null, token: "tok-0000-1111-2222" },
    });
    expect(updated.secrets).toEqual({ apiKey: "••••cdef", token: "••••2222" });
    expect(await open(a, created.id)).toEqual({ apiKey, token: "tok-0000-1111-2222" });

    const outputs = JSON.stringify([
      created,
      updated,
      await a.member.tools.get({ id: created.id }),
      await a.member.tools.list({ limit: 100 }),
      await staff.admin.tools({ tenantId: a.tenantId, limit: 100 }),
    ]);
    for (const secret of [apiKey, "PLAINTEXT", "tok-0000-1111", "ciphertext", '"iv"']) expect(outputs).not.toContain(secret);
  });

  it("rotates keys: old values still open, new writes use the new kid; a wrong key fails cleanly", async () => {
    const tool = await a.member.tools.create({ name: "Rotated", type: "mcp", secrets: { old: "sealed-with-k1-000" } });
    const rotated = createKeyring([key("k2", 2), key("k1", 1)]);
    h.deps.secrets = rotated;
    try {
      await a.member.tools.update({ id: tool.id, expectedVersion: 1, secrets: { fresh: "sealed-with-k2-000" } });
      const stored = JSON.parse(await storedRow(tool.id)).secrets;
      expect(stored.old.kid).toBe("k1");
      expect(stored.fresh.kid).toBe("k2");
      const caller = { tenantId: a.tenantId, userId: a.memberId, role: "member" } as const;
      expect(await withTenant(h.database.db, a.tenantId, (tx) => openToolSecrets(tx, caller, tool.id, rotated))).toEqual({
        old: "sealed-with-k1-000",
        fresh: "sealed-with-k2-000",
      });
      const wrong = createKeyring([key("k2", 9), key("k1", 8)]);
      await expect(withTenant(h.database.db, a.tenantId, (tx) => openToolSecrets(tx, caller, tool.id, wrong))).rejects.toThrow(
        SecretsError,
      );
      // Another tenant's id does not open, even with the right key.
      await expect(
        withTenant(h.database.db, b.tenantId, (tx) => openToolSecrets(tx, { ...caller, tenantId: b.tenantId }, tool.id, rotated)),
      ).rejects.toMatchObject({ kind: "not_found" });
    } finally {
      h.deps.secrets = ring;
    }
  });

  it("refuses to store a secret when the server has no key, and stores the rest", async () => {
    h.deps.secrets = undefined;
    try {
      await rejectsWith(
        a.member.tools.create({ name: "Keyless", type: "http", secrets: { k: "v-000000000000" } }),
        "PRECONDITION_FAILED",
        /SECRETS_KEYS/,
      );
      const plain = await a.member.tools.create({ name: "Keyless", type: "http" });
      expect(plain.secrets).toEqual({});
    } finally {
      h.deps.secrets = ring;
    }
  });
});
