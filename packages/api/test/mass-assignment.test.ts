import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testTargets } from "@agent-builder/db/testing";

import { type OwnIds, procedureTable } from "./procedures";
import { type Api, createHarness, databaseSnapshot, type Harness, newAgent } from "./support";

/**
 * OWASP API3/API6 (mass assignment): fields a caller must not set (tenant, counters, status by
 * update, version, timestamps, owner of an execution) are rejected by every mutation's strict
 * contract, never written. Walks the router, so new mutations are covered too.
 */
const forbidden: Record<string, unknown> = {
  tenantId: "someone-else",
  tenant_id: "someone-else",
  createdAt: "2000-01-01T00:00:00Z",
  updatedAt: "2000-01-01T00:00:00Z",
  completedAt: "2000-01-01T00:00:00Z",
  version: 999,
  stats: { totalExecutions: 1_000_000 },
  totalExecutions: 1_000_000,
  totalCostUsd: -5,
  stepCount: 99,
  userId: "00000000-0000-4000-8000-000000000000",
  llmApiKey: "sk-direct",
  llmCredential: { kid: "k1", iv: "AAAA", ciphertext: "AAAA", hint: "…evil" },
  llm_credential: { kid: "k1", iv: "AAAA", ciphertext: "AAAA", hint: "…evil" },
  apiKeyHint: "…evil",
  role: "admin",
};

describe.each(testTargets().filter((t) => t !== "neon"))("mass assignment on %s", (target) => {
  let h: Harness;
  let ids: OwnIds;
  let callers: Record<string, Api>;

  beforeAll(async () => {
    h = await createHarness(target);
    const t = await h.tenant("mass-tenant");
    const agent = await t.member.agents.setStatus({ id: (await newAgent(t)).id, status: "active" });
    const execution = await t.member.executions.start({ agentId: agent.id, input: 1 });
    const chat = await t.member.conversations.create({ agentId: (await newAgent(t, { name: "Chat" })).id });
    const message = await t.member.conversations.appendMessage({ conversationId: chat.id, role: "user", content: "Hi" });
    // A crew of its own agent (agents.delete may remove \`agent\`) with a task: what crews.* and tasks.* refer to.
    const crewMember = await newAgent(t, { name: "Crew member" });
    const crew = await t.member.crews.create({ name: "Fixture crew", spaceId: t.space.id, memberAgentIds: [crewMember.id] });
    const task = await t.member.tasks.create({
      crewId: crew.id,
      title: "Fixture task",
      description: "d",
      expectedOutput: "o",
      agentId: crewMember.id,
    });
    ids = {
      agent: agent.id,
      execution: execution.id,
      space: t.space.id,
      user: t.memberId,
      tenant: t.tenantId,
      conversation: chat.id,
      message: message.id,
      crew: crew.id,
      task: task.id,
      crewMember: crewMember.id,
    };
    callers = { member: t.member, service: t.service, admin: await h.as({ sub: crypto.randomUUID(), tid: "staff", role: "admin" }) };
  });
  afterAll(() => h?.close());

  const everything = () => databaseSnapshot(h);

  it("rejects every forbidden field on every mutation, and writes nothing", async () => {
    const before = await everything();
    const mutations = procedureTable().filter((p) => p.type === "mutation");
    expect(mutations.length).toBeGreaterThanOrEqual(13);
    let tried = 0;
    for (const mutation of mutations) {
      const valid = mutation.input(ids) as Record<string, unknown>;
      const [namespace, name] = mutation.path.split(".") as [string, string];
      const call = (callers[mutation.role] as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>)[namespace]![
        name
      ]!;
      for (const [field, value] of Object.entries(forbidden)) {
        if (field in valid) continue; // a legitimate input field of this procedure (e.g. role on upsertUser)
        tried++;
        const outcome = await call({ ...valid, [field]: value }).then(
          () => "accepted",
          (e: { code?: string; message?: string }) => `${e.code}: ${e.message}`,
        );
        expect(`${mutation.path} + ${field} → ${outcome}`).toMatch(new RegExp(`BAD_REQUEST: .*Unrecognized key.*${field}`));
      }
    }
    expect(tried).toBeGreaterThan(150);
    expect(await everything()).toBe(before);
  });
});
