import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { demoTenants, demoToolId, demoTools, seedDemoData, withTenant } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { checkParametersSchema } from "../src/json-schema";
import { createKeyring, devSecretKeys } from "../src/secrets";
import { openToolSecrets, sealToolSecret } from "../src/tools/service";
import { createHarness, type Harness, rejectsWith } from "./support";

/**
 * The demo tools as `pnpm dev` seeds them (apps/server/src/dev.ts: seedDemoData with
 * `sealToolSecret` and the server's keyring) are tools the API can read and use: their secrets
 * show as the hints the API would write and open with the keyring, their parameters pass the
 * API's JSON Schema check, and their attachments read back through agents.get.
 */
describe.each(testTargets())("demo tools on %s", (target) => {
  let h: Harness;
  const keyring = createKeyring(devSecretKeys());

  beforeAll(async () => {
    h = await createHarness(target);
    h.deps.secrets = keyring;
    await seedDemoData(h.database.db, new Date(), { sealToolSecret: (secret) => sealToolSecret(keyring, secret) });
  });
  afterAll(() => h?.close());

  const staffOf = (tenantIndex: number) => {
    const tenant = demoTenants[tenantIndex]!;
    const admin = tenant.users.find((u) => u.role === "admin")!;
    return { tenant, admin, api: h.as({ sub: admin.id, tid: tenant.id, role: "admin" }) };
  };

  it("reads every demo tool through admin.tools, secrets as their hints, and opens each secret with the keyring", async () => {
    for (const [index, tenant] of demoTenants.entries()) {
      const { admin, api } = staffOf(index);
      const page = await (await api).admin.tools({ tenantId: tenant.id, limit: 50, sortBy: "createdAt", sortDirection: "asc" });
      const defined = demoTools[tenant.id]!;
      expect(page.items.map((t) => t.name)).toEqual(defined.map((t) => t.name));
      expect(page.items.map((t) => t.id)).toEqual(defined.map((_, i) => demoToolId(index + 1, i + 1)));
      for (const [i, tool] of page.items.entries()) {
        const demo = defined[i]!;
        const secrets = Object.entries(demo.secrets ?? {});
        // The hint is the API's own (secretHint): the last four characters.
        expect(tool.secrets).toEqual(Object.fromEntries(secrets.map(([name, value]) => [name, `••••${value.slice(-4)}`])));
        expect(JSON.stringify(tool)).not.toContain("ciphertext");
        for (const [, value] of secrets) expect(JSON.stringify(page)).not.toContain(value);
        const caller = { tenantId: tenant.id, userId: admin.id, role: "admin" } as const;
        const opened = await withTenant(h.database.db, tenant.id, (tx) => openToolSecrets(tx, caller, tool.id, keyring));
        expect(opened).toEqual(Object.fromEntries(secrets));
        expect(tool).toMatchObject({ type: demo.type, code: demo.code?.source ?? null, language: demo.code?.language ?? null });
        expect(() => checkParametersSchema(tool.parameters)).not.toThrow();
      }
    }
    expect(
      Object.values(demoTools)
        .flat()
        .filter((t) => t.secrets).length,
    ).toBeGreaterThan(0);
  });

  it("lets the tenant update a demo tool's secrets: the seeded one stays readable beside the new one", async () => {
    const acme = demoTenants[0]!;
    const member = acme.users.find((u) => u.role === "member")!;
    const api = await h.as({ sub: member.id, tid: acme.id, role: "member" });
    const id = demoToolId(1, 1);
    const before = await api.tools.get({ id });
    const updated = await api.tools.update({ id, expectedVersion: before.version, secrets: { EXTRA_TOKEN: "extra-demo-token-0042" } });
    expect(updated.secrets).toEqual({ ZENDESK_API_TOKEN: "••••9c21", EXTRA_TOKEN: "••••0042" });
    const caller = { tenantId: acme.id, userId: member.id, role: "member" } as const;
    expect(await withTenant(h.database.db, acme.id, (tx) => openToolSecrets(tx, caller, id, keyring))).toEqual({
      ZENDESK_API_TOKEN: "zd-demo-acme-token-7f3a9c21",
      EXTRA_TOKEN: "extra-demo-token-0042",
    });
  });

  it("shows the attachments on agents.get, by position, with their own configuration and enabled flag", async () => {
    const acme = demoTenants[0]!;
    const member = acme.users.find((u) => u.role === "member")!;
    const api = await h.as({ sub: member.id, tid: acme.id, role: "member" });
    const literature = (await api.agents.list({ search: "Literature scout" })).items[0]!;
    const detail = await api.agents.get({ id: literature.id });
    expect(detail.tools.map((t) => [t.name, t.position, t.enabled])).toEqual([
      ["arxiv_papers", 0, true],
      ["web_search", 1, true],
    ]);
    const triage = (await api.agents.list({ search: "Support triage" })).items[0]!;
    expect((await api.agents.get({ id: triage.id })).tools).toEqual([
      expect.objectContaining({ name: "zendesk_search_tickets", enabled: true, configuration: { defaultQuery: "status:new" } }),
    ]);
  });

  it("gives staff any tenant's agent's tools through admin.agentTools, as agents.get has them; a member is refused", async () => {
    const globex = demoTenants[1]!;
    const member = globex.users.find((u) => u.role === "member")!;
    const tenantApi = await h.as({ sub: member.id, tid: globex.id, role: "member" });
    const responder = (await tenantApi.agents.list({ search: "Incident responder" })).items[0]!;
    const asTenant = (await tenantApi.agents.get({ id: responder.id })).tools;
    expect(asTenant.map((t) => [t.name, t.position])).toEqual([
      ["pagerduty_incidents", 0],
      ["post_status_update", 1],
    ]);
    // Acme's staff member reads globex's agent: cross-tenant by design, the same list.
    const staff = await staffOf(0).api;
    expect(await staff.admin.agentTools({ id: responder.id })).toEqual(asTenant);
    await rejectsWith(staff.admin.agentTools({ id: "00000000-0000-4000-8000-000000000000" }), "NOT_FOUND");
    await rejectsWith(tenantApi.admin.agentTools({ id: responder.id }), "FORBIDDEN");
  });
});
