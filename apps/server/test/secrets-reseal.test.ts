import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createKeyring, openAgentCredential, type SecretKey } from "@agent-builder/api";
import { demoTenants, openPglite, queryRows, seedDemoData, sql, withTenant } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { openToolSecrets } from "../../../packages/api/src/tools/service";
import { createHarness, type Harness, llmConfig, newAgent, type TestTenant } from "../../../packages/api/test/support";
import { resealSecrets } from "../src/secrets-reseal";

const run = promisify(execFile);
const serverDir = fileURLToPath(new URL("..", import.meta.url));
const key = (kid: string, fill: number): SecretKey => ({ kid, key: new Uint8Array(32).fill(fill) });
const base64 = (fill: number) => btoa(String.fromCharCode(...new Uint8Array(32).fill(fill)));

describe.each(testTargets())("pnpm secrets:reseal on %s", (target) => {
  let h: Harness;
  let a: TestTenant;
  let b: TestTenant;
  const oldRing = createKeyring([key("old", 1)]);
  const newRing = createKeyring([key("new", 2), key("old", 1)]);
  const newOnly = createKeyring([key("new", 2)]);

  beforeAll(async () => {
    h = await createHarness(target);
    a = await h.tenant("reseal-a");
    b = await h.tenant("reseal-b");
  });
  afterAll(() => h?.close());

  const credentials = () =>
    queryRows<{ id: string; tenantId: string; plaintext: string | null; sealed: { kid: string; hint: string } | null }>(
      h.database.db,
      sql`select id, tenant_id as "tenantId", llm_api_key as plaintext, llm_credential as sealed from agents
          where tenant_id in (${a.tenantId}, ${b.tenantId}) order by id`,
    );
  const everyAgentRow = async () =>
    (
      await queryRows<{ rows: string }>(
        h.database.db,
        sql`select coalesce(string_agg(to_jsonb(t)::text, E'\n' order by id), '') as rows from agents t
            where tenant_id in (${a.tenantId}, ${b.tenantId})`,
      )
    )[0]?.rows ?? "";
  const hints = async (t: TestTenant) =>
    Object.fromEntries((await t.member.agents.list({ limit: 100 })).items.map((agent) => [agent.id, agent.apiKeyHint]));
  const openAs = (t: TestTenant, id: string, ring = newOnly) =>
    withTenant(h.database.db, t.tenantId, (tx) =>
      openAgentCredential(tx, { tenantId: t.tenantId, userId: t.memberId, role: "member" }, id, ring),
    );

  it("seals every plaintext credential, leaves none in the table, keeps the hints, and a second run changes nothing", async () => {
    // Agents as they were before migration 0013: the key in llm_api_key, in plaintext.
    const plaintexts = new Map<string, string>();
    for (const [t, n] of [
      [a, 5],
      [b, 3],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const agent = await newAgent(t, { name: `Legacy ${i}` });
        const plaintext = `sk-legacy-${t.tenantId}-${i}-secret-${1000 + i}`;
        await h.database.db.execute(sql`update agents set llm_api_key = ${plaintext} where id = ${agent.id}::uuid`);
        plaintexts.set(agent.id, plaintext);
      }
      await newAgent(t, { name: "No key" });
    }
    const hintsBefore = { ...(await hints(a)), ...(await hints(b)) };
    expect(Object.values(hintsBefore).filter(Boolean)).toHaveLength(8);
    const versionsBefore = await queryRows<{ id: string; version: number }>(
      h.database.db,
      sql`select id, version from agents where tenant_id in (${a.tenantId}, ${b.tenantId}) order by id`,
    );

    const batches: string[] = [];
    const result = await resealSecrets(h.database.db, newRing, { batchSize: 2, onBatch: (t) => batches.push(t.tenantId) });
    expect(result).toMatchObject({ kid: "new", agentsSealed: 8, agentsRotated: 0, agentsFailed: 0, toolsRotated: 0, toolsFailed: 0 });
    const byTenant = Object.fromEntries(result.tenants.map((t) => [t.tenantId, t]));
    expect(byTenant[a.tenantId]).toMatchObject({ agentsSealed: 5, batches: 3 });
    expect(byTenant[b.tenantId]).toMatchObject({ agentsSealed: 3, batches: 2 });

    // The table itself: no plaintext column value, no plaintext anywhere in the rows.
    const stored = await credentials();
    expect(stored.filter((r) => r.plaintext !== null)).toEqual([]);
    const rows = await everyAgentRow();
    for (const plaintext of plaintexts.values()) expect(rows).not.toContain(plaintext);
    expect(rows).not.toContain("sk-legacy");
    for (const row of stored.filter((r) => plaintexts.has(r.id))) expect(row.sealed?.kid).toBe("new");

    // What the API shows is unchanged, the versions did not move, and the runner's opener gives the same keys.
    expect({ ...(await hints(a)), ...(await hints(b)) }).toEqual(hintsBefore);
    expect(
      await queryRows(h.database.db, sql`select id, version from agents where tenant_id in (${a.tenantId}, ${b.tenantId}) order by id`),
    ).toEqual(versionsBefore);
    for (const [id, plaintext] of plaintexts) {
      const owner = stored.find((r) => r.id === id)?.tenantId === a.tenantId ? a : b;
      expect(await openAs(owner, id)).toBe(plaintext);
    }

    const again = await resealSecrets(h.database.db, newRing, { batchSize: 2 });
    expect(again).toMatchObject({ tenants: [], agentsSealed: 0, agentsRotated: 0, agentsFailed: 0, toolsRotated: 0 });
    expect(await everyAgentRow()).toBe(rows);
  });

  it("rotates: values sealed under kid old end up under kid new, the API reads them with the new key alone", async () => {
    h.deps.secrets = oldRing;
    const agent = await newAgent(a, { name: "Rotated", llmConfig: { ...llmConfig, apiKey: "sk-rotate-me-0000-9999" } });
    const tool = await a.member.tools.create({ name: "Rotated tool", type: "http", secrets: { token: "tok-rotate-me-1234", other: "x" } });
    const otherTool = await b.member.tools.create({ name: "Untouched", type: "builtin" });
    expect((await credentials()).find((r) => r.id === agent.id)?.sealed?.kid).toBe("old");

    const result = await resealSecrets(h.database.db, newRing, { batchSize: 2 });
    expect(result).toMatchObject({ agentsSealed: 0, agentsRotated: 1, agentsFailed: 0, toolsRotated: 1, toolsFailed: 0 });
    expect((await credentials()).find((r) => r.id === agent.id)?.sealed).toMatchObject({ kid: "new", hint: "…9999" });
    const [toolRow] = await queryRows<{ kids: string[] }>(
      h.database.db,
      sql`select array(select s.value->>'kid' from jsonb_each(secrets) s order by s.key) as kids from tools where id = ${tool.id}::uuid`,
    );
    expect(toolRow?.kids).toEqual(["new", "new"]);

    // The old key can go: the API and the openers work with the new key alone.
    h.deps.secrets = newOnly;
    expect((await a.member.agents.get({ id: agent.id })).apiKeyHint).toBe("…9999");
    expect((await a.member.tools.get({ id: tool.id })).secrets).toEqual({ token: "••••1234", other: "••••" });
    expect(await openAs(a, agent.id)).toBe("sk-rotate-me-0000-9999");
    expect(
      await withTenant(h.database.db, a.tenantId, (tx) =>
        openToolSecrets(tx, { tenantId: a.tenantId, userId: a.memberId, role: "member" }, tool.id, newOnly),
      ),
    ).toEqual({ token: "tok-rotate-me-1234", other: "x" });
    expect((await b.member.tools.get({ id: otherTool.id })).secrets).toEqual({});

    expect(await resealSecrets(h.database.db, newRing)).toMatchObject({ tenants: [], agentsRotated: 0, toolsRotated: 0 });
  });

  it("counts a value whose key is not in the keyring as failed, leaves it, and still finishes", async () => {
    h.deps.secrets = createKeyring([key("lost", 9)]);
    const agent = await newAgent(b, { name: "Lost key", llmConfig: { ...llmConfig, apiKey: "sk-sealed-under-lost-key" } });
    const before = (await credentials()).find((r) => r.id === agent.id)?.sealed;
    const result = await resealSecrets(h.database.db, newRing, { batchSize: 1 });
    expect(result).toMatchObject({ agentsFailed: 1, agentsRotated: 0, agentsSealed: 0 });
    expect((await credentials()).find((r) => r.id === agent.id)?.sealed).toEqual(before);
    await h.database.db.execute(sql`update agents set llm_credential = null where id = ${agent.id}::uuid`);
  });
});

describe("the command, on an embedded database folder", () => {
  const root = mkdtempSync(join(tmpdir(), "agent-builder-reseal-"));
  const dataDir = join(root, "pglite");
  const acme = demoTenants[0];
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const command = (env: Record<string, string>) =>
    run(process.execPath, ["--import", "tsx", "scripts/reseal-secrets.ts", "--batch", "4"], {
      cwd: serverDir,
      env: { ...process.env, PGLITE_DIR: dataDir, DATABASE_URL: "", NODE_ENV: "", SECRETS_KEY: "", ...env },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  const read = async () => {
    const handle = await openPglite({ dataDir });
    try {
      return await queryRows<{ plaintexts: number; kids: string[] }>(
        handle.db,
        sql`select count(*) filter (where llm_api_key is not null)::int as plaintexts,
                   array_agg(distinct llm_credential->>'kid') filter (where llm_credential is not null) as kids
            from agents`,
      );
    } finally {
      await handle.close();
    }
  };

  it("seals the demo data's plaintext keys, is a no-op the second time, and refuses while the folder is in use", async () => {
    const handle = await openPglite({ dataDir });
    let agents: number;
    try {
      await handle.migrate();
      agents = (await seedDemoData(handle.db)).agents;
      // The same command, while another process holds the folder: refused at once, exit 3.
      const locked = await command({ SECRETS_KEYS: `k2:${base64(2)}` });
      expect(locked.code).toBe(3);
      expect(locked.stderr).toMatch(/in use by process/);
    } finally {
      await handle.close();
    }
    const [before] = await read();
    expect(before?.plaintexts).toBe(agents);

    const first = await command({ SECRETS_KEYS: `k2:${base64(2)}` });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(
      new RegExp(`under kid k2: ${agents} plaintext credentials sealed, 0 credentials and 0 tools re-sealed, 0 failed`),
    );
    expect(first.stdout).toContain(`${acme?.id}: agents`);
    expect(await read()).toEqual([{ plaintexts: 0, kids: ["k2"] }]);

    const second = await command({ SECRETS_KEYS: `k2:${base64(2)}` });
    expect(second.stdout).toMatch(/0 plaintext credentials sealed, 0 credentials and 0 tools re-sealed, 0 failed/);

    // Rotation through the command: k3 in front, k2 still there to open.
    const rotated = await command({ SECRETS_KEYS: `k3:${base64(3)},k2:${base64(2)}` });
    expect(rotated.stdout).toMatch(new RegExp(`under kid k3: 0 plaintext credentials sealed, ${agents} credentials and 0 tools re-sealed`));
    expect(await read()).toEqual([{ plaintexts: 0, kids: ["k3"] }]);

    // Without k3 nothing opens: the command says so and exits 1.
    const missing = await command({ SECRETS_KEYS: `k4:${base64(4)}` });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/did not open/);

    const production = await command({ NODE_ENV: "production", SECRETS_KEYS: "" });
    expect(production.code).toBe(2);
    expect(production.stderr).toMatch(/set SECRETS_KEYS/);
  }, 240_000);
});
