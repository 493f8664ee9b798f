import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testTargets } from "@agent-builder/db/testing";

import { createHarness, type Harness, newAgent, rejectsWith, type TestTenant } from "./support";

/**
 * The agent hierarchy through the API (seed 002): `parentAgentId` on create and update, the
 * reports of an agent by `agents.list`, loops refused with a 400 that names both agents (the
 * database's trigger, whose concurrency is tested in packages/db/test/crew-triggers.test.ts),
 * and what a delete does: a parent's reports keep going without one; an agent a crew needs is
 * refused with the crews named.
 */
describe.each(testTargets())("agent hierarchy on %s", (target) => {
  let h: Harness;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    h = await createHarness(target);
    a = await h.tenant("hierarchy-a");
    b = await h.tenant("hierarchy-b");
  });
  afterAll(() => h?.close());

  it("creates and moves reports, lists them, and clears the parent with null", async () => {
    const lead = await newAgent(a, { name: "Lead" });
    expect(lead.parentAgentId).toBeNull();
    const writer = await newAgent(a, { name: "Writer", parentAgentId: lead.id });
    const editor = await newAgent(a, { name: "Editor" });
    expect(writer.parentAgentId).toBe(lead.id);
    const moved = await a.member.agents.update({ id: editor.id, expectedVersion: editor.version, parentAgentId: lead.id });
    expect(moved).toMatchObject({ parentAgentId: lead.id, version: editor.version + 1 });
    expect((await a.member.agents.get({ id: editor.id })).parentAgentId).toBe(lead.id);

    const reports = await a.member.agents.list({ parentAgentId: lead.id, limit: 10, sortBy: "name", sortDirection: "asc" });
    expect(reports.items.map((agent) => agent.name)).toEqual(["Editor", "Writer"]);

    const cleared = await a.member.agents.update({ id: writer.id, expectedVersion: writer.version, parentAgentId: null });
    expect(cleared.parentAgentId).toBeNull();
    expect((await a.member.agents.list({ parentAgentId: lead.id, limit: 10 })).items.map((agent) => agent.id)).toEqual([editor.id]);
  });

  it("refuses a loop of two and of three agents, and an agent reporting to itself, with a 400 naming them", async () => {
    const top = await newAgent(a, { name: "Top" });
    const middle = await newAgent(a, { name: "Middle", parentAgentId: top.id });
    const bottom = await newAgent(a, { name: "Bottom", parentAgentId: middle.id });
    await rejectsWith(
      a.member.agents.update({ id: top.id, expectedVersion: top.version, parentAgentId: bottom.id }),
      "BAD_REQUEST",
      new RegExp(`parentAgentId: agent ${bottom.id} already reports to agent ${top.id}.*cycle`),
    );
    await rejectsWith(
      a.member.agents.update({ id: middle.id, expectedVersion: middle.version, parentAgentId: bottom.id }),
      "BAD_REQUEST",
      /cycle/,
    );
    await rejectsWith(
      a.member.agents.update({ id: top.id, expectedVersion: top.version, parentAgentId: top.id }),
      "BAD_REQUEST",
      /cannot report to itself/,
    );
    // Nothing changed: the refused updates rolled back.
    expect((await a.member.agents.get({ id: top.id })).parentAgentId).toBeNull();
    expect((await a.member.agents.get({ id: middle.id })).version).toBe(middle.version);
  });

  it("does not let another tenant's agent be a parent, nor be found as one", async () => {
    const foreign = await newAgent(b, { name: "Foreign" });
    await rejectsWith(newAgent(a, { parentAgentId: foreign.id }), "NOT_FOUND", /parent agent not found/);
    const own = await newAgent(a);
    await rejectsWith(
      a.member.agents.update({ id: own.id, expectedVersion: own.version, parentAgentId: foreign.id }),
      "NOT_FOUND",
      /parent agent not found/,
    );
    expect((await a.member.agents.list({ parentAgentId: foreign.id, limit: 10 })).items).toEqual([]);
  });

  it("leaves a deleted parent's reports without a parent", async () => {
    const lead = await newAgent(a, { name: "Leaving lead" });
    const report = await newAgent(a, { name: "Report", parentAgentId: lead.id });
    await a.member.agents.delete({ id: lead.id });
    expect((await a.member.agents.get({ id: report.id })).parentAgentId).toBeNull();
  });

  it("refuses to delete an agent a crew needs, naming the crews, and deletes it once they let go", async () => {
    const member = await newAgent(a, { name: "Crew member" });
    const manager = await newAgent(a, { name: "Crew manager" });
    const crew = await a.member.crews.create({ name: "Delete policy crew", spaceId: a.space.id, memberAgentIds: [member.id] });
    const managed = await a.member.crews.create({
      name: "Managed crew",
      spaceId: a.space.id,
      memberAgentIds: [member.id],
      process: "hierarchical",
      managerAgentId: manager.id,
    });
    await rejectsWith(
      a.member.agents.delete({ id: member.id }),
      "CONFLICT",
      new RegExp(`agent ${member.id} is in crews "Delete policy crew" \\(${crew.id}\\), "Managed crew" \\(${managed.id}\\)`),
    );
    await rejectsWith(a.member.agents.delete({ id: manager.id }), "CONFLICT", /"Managed crew"/);
    await a.member.crews.delete({ id: managed.id });
    await a.member.agents.delete({ id: manager.id });
    await a.member.crews.delete({ id: crew.id });
    await expect(a.member.agents.delete({ id: member.id })).resolves.toEqual({ id: member.id });
  });
});
