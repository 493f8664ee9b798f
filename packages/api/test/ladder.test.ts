import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { UserRole } from "@agent-builder/contracts";
import { testTargets } from "@agent-builder/db/testing";

import { procedureTable } from "./procedures";
import { type Api, createHarness, type Harness, rejectsWith, type TestTenant } from "./support";

/**
 * The ladder (src/trpc.ts) checks the caller's role from the token BEFORE it opens a
 * transaction: a caller below a procedure's role is refused (FORBIDDEN) without one statement
 * reaching the database, so no mirror row is written for them either. Which role each procedure
 * needs comes from test/procedures.ts, so a new service-only or staff procedure is covered too.
 */

/** Which procedure roles (test/procedures.ts) a token's role may call. */
const mayCall: Record<UserRole, UserRole[]> = {
  member: ["member"],
  service: ["member", "service"],
  admin: ["member", "service", "admin"],
};

/** Calls a procedure of the caller by its dotted path (`directory.upsertUser`). */
function call(api: Api, path: string, input: unknown): Promise<unknown> {
  const procedure = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], api);
  return (procedure as (input: unknown) => Promise<unknown>)(input);
}

describe.each(testTargets())("the procedure ladder on %s", (target) => {
  let h: Harness;
  let t: TestTenant;
  beforeAll(async () => {
    h = await createHarness(target);
    t = await h.tenant("ladder-tenant");
  });
  afterAll(() => h?.close());

  it("sees the statements of a request it lets through (the count below is not vacuous)", async () => {
    h.statements.length = 0;
    await t.member.directory.listSpaces({ limit: 1 });
    expect(h.statements.length).toBeGreaterThan(0);
  });

  it.each(["member", "service"] as const)("refuses a %s every procedure above its role before any statement is sent", async (role) => {
    // A caller never seen before: refused after the transaction opened, it would also have had its mirror rows written.
    const api = await h.as({ sub: crypto.randomUUID(), tid: t.tenantId, role });
    const ids = {
      agent: crypto.randomUUID(),
      execution: crypto.randomUUID(),
      space: t.space.id,
      user: crypto.randomUUID(),
      tenant: t.tenantId,
      conversation: crypto.randomUUID(),
      message: crypto.randomUUID(),
      crew: crypto.randomUUID(),
      task: crypto.randomUUID(),
      crewMember: crypto.randomUUID(),
    };
    const refused = procedureTable().filter((p) => !mayCall[role].includes(p.role));
    expect(refused.some((p) => p.role === "admin")).toBe(true);
    if (role === "member") expect(refused.some((p) => p.role === "service")).toBe(true);
    for (const procedure of refused) {
      h.statements.length = 0;
      await rejectsWith(call(api, procedure.path, procedure.input(ids)), "FORBIDDEN", /needs? an? .*token/);
      expect(h.statements, `${procedure.path} as ${role}`).toEqual([]);
    }
  });
});
