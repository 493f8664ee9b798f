import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { queryRows, sql, withTenant } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { credentialHint, openAgentCredential } from "../src/agents/credential";
import { createKeyring, type SecretKey, SecretsError } from "../src/secrets";
import { createHarness, type Harness, llmConfig, newAgent, rejectsWith, type TestTenant } from "./support";

const key = (kid: string, fill: number): SecretKey => ({ kid, key: new Uint8Array(32).fill(fill) });
const apiKey = "sk-live-PLAINTEXT-0123456789abcd";

describe("credential hints", () => {
  it("show the last four characters of a key of 12 or more, counted as Postgres counts them", () => {
    expect(credentialHint(apiKey)).toBe("…abcd");
    expect(credentialHint("short-key")).toBe("…");
    expect(credentialHint("123456789012")).toBe("…9012");
    expect(credentialHint("key-with-emoji-😀😀😀😀")).toBe("…😀😀😀😀");
  });
});

describe.each(testTargets())("the agent's provider credential on %s", (target) => {
  let h: Harness;
  let a: TestTenant;
  let b: TestTenant;
  const ring = createKeyring([key("k1", 1)]);

  beforeAll(async () => {
    h = await createHarness(target);
    h.deps.secrets = ring;
    a = await h.tenant("credential-a");
    b = await h.tenant("credential-b");
  });
  afterAll(() => h?.close());

  /** The agent's row as stored, every column, read as the owner (no API in between). */
  const storedRow = async (id: string) =>
    (await queryRows<{ row: string }>(h.database.db, sql`select to_jsonb(t)::text as row from agents t where id = ${id}::uuid`))[0]?.row ??
    "";
  const stored = async (id: string) =>
    (
      await queryRows<{ plaintext: string | null; sealed: { kid: string; iv: string; ciphertext: string; hint: string } | null }>(
        h.database.db,
        sql`select llm_api_key as plaintext, llm_credential as sealed from agents where id = ${id}::uuid`,
      )
    )[0];
  const open = (t: TestTenant, id: string) =>
    withTenant(h.database.db, t.tenantId, (tx) =>
      openAgentCredential(tx, { tenantId: t.tenantId, userId: t.memberId, role: "member" }, id, ring),
    );

  it("stores the key sealed, never as plaintext, and reads show only its hint", async () => {
    const agent = await newAgent(a, { llmConfig: { ...llmConfig, apiKey } });
    const row = await storedRow(agent.id);
    expect(row).not.toContain(apiKey);
    expect(row).not.toContain("PLAINTEXT");
    const { plaintext, sealed } = (await stored(agent.id)) ?? {};
    expect(plaintext).toBeNull();
    expect(sealed).toMatchObject({ kid: "k1", hint: "…abcd" });
    expect(Object.keys(sealed ?? {}).sort()).toEqual(["ciphertext", "hint", "iv", "kid"]);

    const staff = await h.as({ sub: crypto.randomUUID(), tid: "staff", role: "admin" });
    const reads: unknown[] = [
      agent,
      await a.member.agents.get({ id: agent.id }),
      ...(await a.member.agents.list({ limit: 100 })).items,
      await staff.admin.agent({ id: agent.id }),
      await staff.admin.agents({ tenantId: a.tenantId }),
    ];
    for (const read of reads) {
      expect(JSON.stringify(read)).not.toContain("PLAINTEXT");
      expect(JSON.stringify(read)).not.toContain(sealed?.ciphertext);
    }
    expect(agent.apiKeyHint).toBe("…abcd");
    expect(await open(a, agent.id)).toBe(apiKey);
  });

  it("keeps the sealed value when the key is left out, replaces it when sent, clears it with null", async () => {
    const agent = await newAgent(a, { llmConfig: { ...llmConfig, apiKey } });
    const first = (await stored(agent.id))?.sealed;

    const kept = await a.member.agents.update({ id: agent.id, expectedVersion: 1, llmConfig: { ...llmConfig, model: "o4-mini" } });
    expect(kept).toMatchObject({ apiKeyHint: "…abcd", llmConfig: { model: "o4-mini" }, version: 2 });
    const renamed = await a.member.agents.update({ id: agent.id, expectedVersion: 2, name: "Renamed" });
    expect(renamed.apiKeyHint).toBe("…abcd");
    expect((await stored(agent.id))?.sealed).toEqual(first);

    const replaced = await a.member.agents.update({
      id: agent.id,
      expectedVersion: 3,
      llmConfig: { ...llmConfig, apiKey: "sk-another-key-wxyz" },
    });
    expect(replaced.apiKeyHint).toBe("…wxyz");
    expect((await stored(agent.id))?.sealed?.ciphertext).not.toBe(first?.ciphertext);
    expect(await open(a, agent.id)).toBe("sk-another-key-wxyz");

    const cleared = await a.member.agents.update({ id: agent.id, expectedVersion: 4, llmConfig: { ...llmConfig, apiKey: null } });
    expect(cleared.apiKeyHint).toBeNull();
    expect(await stored(agent.id)).toEqual({ plaintext: null, sealed: null });
    expect(await open(a, agent.id)).toBeNull();
  });

  it("hides a short key entirely", async () => {
    const agent = await newAgent(a, { llmConfig: { ...llmConfig, apiKey: "abc" } });
    expect(agent.apiKeyHint).toBe("…");
    expect(await storedRow(agent.id)).not.toMatch(/"abc"/);
  });

  it("does not open a ciphertext copied to another agent or another tenant's agent", async () => {
    const source = await newAgent(a, { llmConfig: { ...llmConfig, apiKey } });
    const sameTenant = await newAgent(a, { name: "Copy target" });
    const otherTenant = await newAgent(b, { name: "Copy target" });
    for (const target of [sameTenant.id, otherTenant.id]) {
      await h.database.db.execute(
        sql`update agents set llm_credential = (select llm_credential from agents where id = ${source.id}::uuid) where id = ${target}::uuid`,
      );
    }
    await expect(open(a, sameTenant.id)).rejects.toBeInstanceOf(SecretsError);
    await expect(open(b, otherTenant.id)).rejects.toBeInstanceOf(SecretsError);
    expect(await open(a, source.id)).toBe(apiKey);
    // Another tenant's agent is not found, as everywhere else.
    await expect(open(b, source.id)).rejects.toThrow(/not found/);
  });

  it("reads a row that still holds the legacy plaintext, and seals it on the next write of a key", async () => {
    const agent = await newAgent(a);
    await h.database.db.execute(sql`update agents set llm_api_key = ${"sk-legacy-plain-7777"} where id = ${agent.id}::uuid`);
    const read = await a.member.agents.get({ id: agent.id });
    expect(read.apiKeyHint).toBe("…7777");
    expect(JSON.stringify(read)).not.toContain("sk-legacy");
    expect(await open(a, agent.id)).toBe("sk-legacy-plain-7777");

    const kept = await a.member.agents.update({ id: agent.id, expectedVersion: 1, name: "Still legacy" });
    expect(kept.apiKeyHint).toBe("…7777");
    const sealed = await a.member.agents.update({
      id: agent.id,
      expectedVersion: 2,
      llmConfig: { ...llmConfig, apiKey: "sk-legacy-new-8888" },
    });
    expect(sealed.apiKeyHint).toBe("…8888");
    expect(await stored(agent.id)).toMatchObject({ plaintext: null, sealed: { kid: "k1", hint: "…8888" } });
    expect(await storedRow(agent.id)).not.toContain("sk-legacy");
  });

  it("refuses to store a key without a keyring (PRECONDITION_FAILED), and still clears one", async () => {
    const agent = await newAgent(a, { llmConfig: { ...llmConfig, apiKey } });
    h.deps.secrets = undefined;
    try {
      await rejectsWith(newAgent(a, { llmConfig: { ...llmConfig, apiKey } }), "PRECONDITION_FAILED", /SECRETS_KEYS/);
      await rejectsWith(
        a.member.agents.update({ id: agent.id, expectedVersion: 1, llmConfig: { ...llmConfig, apiKey: "sk-new" } }),
        "PRECONDITION_FAILED",
        /SECRETS_KEYS/,
      );
      expect((await newAgent(a)).apiKeyHint).toBeNull();
      const read = await a.member.agents.get({ id: agent.id });
      expect(read.apiKeyHint).toBe("…abcd");
      const cleared = await a.member.agents.update({ id: agent.id, expectedVersion: 1, llmConfig: { ...llmConfig, apiKey: null } });
      expect(cleared.apiKeyHint).toBeNull();
    } finally {
      h.deps.secrets = ring;
    }
  });

  it("a database check keeps a row in one form: sealed or legacy plaintext, never both", async () => {
    const agent = await newAgent(a, { llmConfig: { ...llmConfig, apiKey } });
    await expect(
      h.database.db.execute(sql`update agents set llm_api_key = 'sk-both-forms-0000' where id = ${agent.id}::uuid`),
    ).rejects.toMatchObject({ cause: { code: "23514" } });
    await expect(
      h.database.db.execute(sql`update agents set llm_credential = '{"kid":"k1"}'::jsonb where id = ${agent.id}::uuid`),
    ).rejects.toMatchObject({ cause: { code: "23514" } });
  });
});
