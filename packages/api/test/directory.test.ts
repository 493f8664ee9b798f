import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { testTargets } from "@agent-builder/db/testing";

import { createHarness, type Harness, rejectsWith } from "./support";

describe.each(testTargets())("directory on %s", (target) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(target);
  });
  afterAll(() => h?.close());

  it("upserts users: creates, then updates details without losing the rest", async () => {
    const service = await h.as({ sub: crypto.randomUUID(), tid: "dir", role: "service" });
    const id = crypto.randomUUID();
    const created = await service.directory.upsertUser({ id, email: "ann@dir.test", displayName: "Ann", role: "admin" });
    expect(created).toMatchObject({ id, email: "ann@dir.test", displayName: "Ann", role: "admin" });
    const updated = await service.directory.upsertUser({ id, email: "ann@new.test" });
    expect(updated).toMatchObject({ email: "ann@new.test", displayName: "Ann", role: "admin" });
    await rejectsWith(service.directory.upsertUser({ id, email: "not-an-email" }), "BAD_REQUEST", /email/);
  });

  it("upserts spaces and lists them by name with keyset pagination", async () => {
    const service = await h.as({ sub: crypto.randomUUID(), tid: "dir-spaces", role: "service" });
    const names = ["delta", "alpha", "charlie", "bravo", "echo"];
    for (const name of names) await service.directory.upsertSpace({ id: crypto.randomUUID(), name });
    const renamed = await service.directory.upsertSpace({ id: crypto.randomUUID(), name: "zulu" });
    await service.directory.upsertSpace({ id: renamed.id, name: "foxtrot" });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.directory.listSpaces({ limit: 2, cursor });
      seen.push(...page.items.map((s) => s.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]);
  });
});
