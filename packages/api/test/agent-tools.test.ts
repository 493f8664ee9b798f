import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { limits } from "@agent-builder/contracts";
import { queryRows, sql } from "@agent-builder/db";
import { testTargets } from "@agent-builder/db/testing";

import { createKeyring } from "../src/secrets";
import { createHarness, type Harness, newAgent, rejectsWith, type TestTenant } from "./support";

const secretValue = "sk-tool-PLAINTEXT-0123456789abcdef";

/** Tools attached to agents (`agent_resources`, kind 'tool'): attach, order, update, detach, cascades. */
describe.each(testTargets())("agent tools on %s", (target) => {
  let h: Harness;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    h = await createHarness(target);
    h.deps.secrets = createKeyring([{ kid: "k1", key: new Uint8Array(32).fill(7) }]);
    a = await h.tenant("agent-tools-a");
    b = await h.tenant("agent-tools-b");
  });
  afterAll(() => h?.close());

  const tool = (t: TestTenant, name: string) =>
    t.member.tools.create({ name, description: `${name} tool`, type: "http", secrets: { token: secretValue } });
  const attachments = async (agentId: string) =>
    (
      await queryRows<{ n: number }>(h.database.db, sql`select count(*)::int as n from agent_resources where agent_id = ${agentId}::uuid`)
    )[0]?.n;

  it("attaches tools, and get returns them by position with their own settings and no secrets", async () => {
    const agent = await newAgent(a);
    const search = await tool(a, "Search");
    const calc = await tool(a, "Calculator");
    const mail = await tool(a, "Mail");
    expect((await a.member.agents.get({ id: agent.id })).tools).toEqual([]);

    const attached = await a.member.agents.attachTool({ agentId: agent.id, toolId: search.id, position: 2, configuration: { max: 5 } });
    expect(attached.tools).toEqual([
      { id: search.id, name: "Search", type: "http", description: "Search tool", enabled: true, position: 2, configuration: { max: 5 } },
    ]);
    await a.member.agents.attachTool({ agentId: agent.id, toolId: calc.id, position: 1, enabled: false });
    await a.member.agents.attachTool({ agentId: agent.id, toolId: mail.id }); // position 0, enabled, {}

    const got = await a.member.agents.get({ id: agent.id });
    expect(got.tools.map((t) => [t.name, t.position, t.enabled])).toEqual([
      ["Mail", 0, true],
      ["Calculator", 1, false],
      ["Search", 2, true],
    ]);
    expect(got.tools[0]?.configuration).toEqual({});
    expect(got).toMatchObject({ id: agent.id, name: agent.name, version: agent.version });
    const text = JSON.stringify(got);
    expect(text).not.toContain(secretValue);
    expect(text).not.toContain("secrets");
    expect(text).not.toContain("ciphertext");
    // Lists stay as they were: agents without their tools.
    const listed = (await a.member.agents.list({ limit: 100 })).items.find((x) => x.id === agent.id);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty("tools");
  });

  it("refuses a second attachment of the same tool with a clear CONFLICT", async () => {
    const agent = await newAgent(a);
    const t = await tool(a, "Twice");
    await a.member.agents.attachTool({ agentId: agent.id, toolId: t.id });
    await rejectsWith(a.member.agents.attachTool({ agentId: agent.id, toolId: t.id }), "CONFLICT", /already attached to this agent/);
    expect(await attachments(agent.id)).toBe(1);
  });

  it("updates an attachment's settings and detaches it; a missing attachment is NOT_FOUND", async () => {
    const agent = await newAgent(a);
    const t = await tool(a, "Adjustable");
    await a.member.agents.attachTool({ agentId: agent.id, toolId: t.id, configuration: { a: 1 } });
    const updated = await a.member.agents.updateTool({ agentId: agent.id, toolId: t.id, enabled: false, position: 7 });
    expect(updated.tools).toMatchObject([{ id: t.id, enabled: false, position: 7, configuration: { a: 1 } }]);
    const reconfigured = await a.member.agents.updateTool({ agentId: agent.id, toolId: t.id, configuration: { b: [1, 2] } });
    expect(reconfigured.tools).toMatchObject([{ enabled: false, position: 7, configuration: { b: [1, 2] } }]);

    const detached = await a.member.agents.detachTool({ agentId: agent.id, toolId: t.id });
    expect(detached.tools).toEqual([]);
    expect((await a.member.tools.get({ id: t.id })).id).toBe(t.id); // the tool itself stays
    await rejectsWith(a.member.agents.detachTool({ agentId: agent.id, toolId: t.id }), "NOT_FOUND", /is not attached to agent/);
    await rejectsWith(a.member.agents.updateTool({ agentId: agent.id, toolId: t.id, enabled: true }), "NOT_FOUND", /is not attached/);
  });

  it("deleting a tool detaches it from every agent", async () => {
    const first = await newAgent(a);
    const second = await newAgent(a);
    const gone = await tool(a, "Doomed");
    const kept = await tool(a, "Kept");
    for (const agent of [first, second]) {
      await a.member.agents.attachTool({ agentId: agent.id, toolId: gone.id });
      await a.member.agents.attachTool({ agentId: agent.id, toolId: kept.id, position: 1 });
    }
    await a.member.tools.delete({ id: gone.id });
    for (const agent of [first, second]) {
      expect((await a.member.agents.get({ id: agent.id })).tools.map((t) => t.id)).toEqual([kept.id]);
    }
  });

  it("deleting an agent removes its attachments and leaves the tools", async () => {
    const agent = await newAgent(a);
    const t = await tool(a, "Survivor");
    await a.member.agents.attachTool({ agentId: agent.id, toolId: t.id });
    expect(await attachments(agent.id)).toBe(1);
    await a.member.agents.delete({ id: agent.id });
    expect(await attachments(agent.id)).toBe(0);
    expect((await a.member.tools.get({ id: t.id })).name).toBe("Survivor");
  });

  it("answers NOT_FOUND for another tenant's agent or tool, or an unknown id", async () => {
    const agentOfA = await newAgent(a);
    const toolOfA = await tool(a, "Private");
    const agentOfB = await newAgent(b);
    const toolOfB = await tool(b, "Own");
    await rejectsWith(b.member.agents.attachTool({ agentId: agentOfB.id, toolId: toolOfA.id }), "NOT_FOUND", /tool not found/);
    await rejectsWith(b.member.agents.attachTool({ agentId: agentOfA.id, toolId: toolOfB.id }), "NOT_FOUND", /agent not found/);
    await rejectsWith(b.member.agents.attachTool({ agentId: crypto.randomUUID(), toolId: toolOfB.id }), "NOT_FOUND");
    await a.member.agents.attachTool({ agentId: agentOfA.id, toolId: toolOfA.id });
    await rejectsWith(b.member.agents.detachTool({ agentId: agentOfA.id, toolId: toolOfA.id }), "NOT_FOUND");
    await rejectsWith(b.member.agents.updateTool({ agentId: agentOfA.id, toolId: toolOfA.id, enabled: false }), "NOT_FOUND");
    expect((await a.member.agents.get({ id: agentOfA.id })).tools).toMatchObject([{ id: toolOfA.id, enabled: true }]);
    expect(await attachments(agentOfB.id)).toBe(0);
  });

  it("refuses bad input with a 400 before any write", async () => {
    const agent = await newAgent(a);
    const t = await tool(a, "Bounded");
    const ids = { agentId: agent.id, toolId: t.id };
    for (const position of [-1, limits.agentToolPositionMax + 1, 1.5]) {
      await rejectsWith(a.member.agents.attachTool({ ...ids, position }), "BAD_REQUEST", /position/);
    }
    const oversized = { blob: "x".repeat(limits.agentToolConfigurationBytesMax) };
    await rejectsWith(a.member.agents.attachTool({ ...ids, configuration: oversized }), "BAD_REQUEST", /bytes; the limit is/);
    await rejectsWith(a.member.agents.attachTool({ ...ids, configuration: [1] as never }), "BAD_REQUEST", /must be a JSON object/);
    await rejectsWith(a.member.agents.attachTool({ ...ids, kind: "model" } as never), "BAD_REQUEST");
    await rejectsWith(a.member.agents.attachTool({ agentId: "not-a-uuid", toolId: t.id }), "BAD_REQUEST");
    expect(await attachments(agent.id)).toBe(0);
    // The bounds themselves are accepted.
    const atMax = await a.member.agents.attachTool({ ...ids, position: limits.agentToolPositionMax });
    expect(atMax.tools[0]?.position).toBe(limits.agentToolPositionMax);
  });
});
