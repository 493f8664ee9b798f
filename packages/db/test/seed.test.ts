import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { demoId, queryRows, type SeedResult, seedDemoData, sql, withStaff } from "../src";
import { createTestDatabase, type TestDatabase, testTargets } from "../src/testing";

/**
 * The demo data reads as a coherent history: a tenant, its users and its spaces exist before any
 * agent is created in it, executions start after their agent exists, and every agent sits in the
 * space of the team whose work it does. `pnpm dev`, the admin panel's browser test and the
 * benchmarks' smoke runs use this data, so its counts and the ids they rely on are pinned too.
 */

/** Which space each demo agent belongs in, by what the agent does (reviewed by hand, not derived from the seed). */
const expectedSpaces: Record<string, Record<string, string[]>> = {
  acme: {
    Support: ["Support triage", "Refund assistant", "Onboarding guide", "Invoice checker"],
    Research: ["Literature scout", "Paper summariser", "Meeting notes", "Data cleaner"],
    Marketing: ["Campaign copywriter", "SEO reviewer", "Release notes writer", "Lead qualifier"],
  },
  globex: {
    Operations: ["Policy Q&A", "Incident responder", "Translation helper", "Interview scheduler", "Code reviewer"],
    Sales: ["Churn analyst", "Forecast explainer", "Inbox sorter"],
  },
};

describe.each(testTargets())("demo data on %s", (target) => {
  let database: TestDatabase;
  let seeded: SeedResult;
  const now = new Date();

  beforeAll(async () => {
    database = await createTestDatabase(target);
    seeded = await seedDemoData(database.db, now);
  });
  afterAll(() => database?.close());

  const rows = <T>(query: ReturnType<typeof sql>) => withStaff(database.db, (tx) => queryRows<T>(tx, query));

  it("creates each tenant, its users and its spaces before any of its agents, and every agent before its executions", async () => {
    const late = await rows<{ kind: string; id: string; createdAt: string; agent: string; agentCreatedAt: string }>(
      sql`select 'tenant' as kind, t.id, t.created_at as "createdAt", a.name as agent, a.created_at as "agentCreatedAt"
            from agents a join tenants t on t.id = a.tenant_id where t.created_at > a.created_at
          union all
          select 'user', u.id::text, u.created_at, a.name, a.created_at
            from agents a join users u on u.tenant_id = a.tenant_id where u.created_at > a.created_at
          union all
          select 'space', s.id::text, s.created_at, a.name, a.created_at
            from agents a join spaces s on s.tenant_id = a.tenant_id where s.created_at > a.created_at
          union all
          select 'execution', e.id::text, e.started_at, a.name, a.created_at
            from agent_executions e join agents a on a.id = e.agent_id where e.started_at < a.created_at`,
    );
    expect(late).toEqual([]);
    // Not vacuous: there are agents, executions and directory rows, and the tenant predates the first agent.
    const [span] = await rows<{
      tenants: number;
      users: number;
      spaces: number;
      executions: number;
      tenantSince: string;
      firstAgent: string;
    }>(
      sql`select (select count(*)::int from tenants) as tenants, (select count(*)::int from users) as users,
                 (select count(*)::int from spaces) as spaces, (select count(*)::int from agent_executions) as executions,
                 (select min(created_at) from tenants) as "tenantSince", (select min(created_at) from agents) as "firstAgent"`,
    );
    expect(span).toMatchObject({ tenants: 2, users: 8, spaces: 5, executions: seeded.executions });
    expect(new Date(span!.tenantSince).getTime()).toBeLessThanOrEqual(new Date(span!.firstAgent).getTime());
    expect(new Date(span!.tenantSince).getTime()).toBeLessThan(now.getTime() - 60 * 86_400_000);
  });

  it("puts every agent in the space that does its kind of work", async () => {
    const placed = await rows<{ tenantId: string; space: string; agents: string[] }>(
      sql`select a.tenant_id as "tenantId", s.name as space, array_agg(a.name order by a.name) as agents
          from agents a join spaces s on s.tenant_id = a.tenant_id and s.id = a.space_id
          group by a.tenant_id, s.name order by a.tenant_id, s.name`,
    );
    const actual: Record<string, Record<string, string[]>> = {};
    for (const row of placed) (actual[row.tenantId] ??= {})[row.space] = row.agents;
    const expected = Object.fromEntries(
      Object.entries(expectedSpaces).map(([tenant, spaces]) => [
        tenant,
        Object.fromEntries(Object.entries(spaces).map(([space, agents]) => [space, agents.toSorted()])),
      ]),
    );
    expect(actual).toEqual(expected);
    // Each description names the agent's own space.
    const mismatched = await rows<{ name: string }>(
      sql`select a.name from agents a join spaces s on s.id = a.space_id where a.description not like '%for ' || s.name || '.'`,
    );
    expect(mismatched).toEqual([]);
  });

  it("keeps the counts and ids that dev tokens, the admin panel's test and the docs rely on", async () => {
    // The same PRNG draws in the same order as before agents moved spaces: same executions, same steps.
    expect(seeded).toEqual({ seeded: true, tenants: 2, agents: 20, executions: 498, steps: 1251 });
    const perTenant = await rows<{ tenantId: string; agents: number }>(
      sql`select tenant_id as "tenantId", count(*)::int as agents from agents group by tenant_id order by tenant_id`,
    );
    expect(perTenant).toEqual([
      { tenantId: "acme", agents: 12 },
      { tenantId: "globex", agents: 8 },
    ]);
    const [first] = await rows<{ name: string; owner: string; space: string }>(
      sql`select a.name, u.display_name as owner, s.name as space from agents a join users u on u.id = a.owner_id join spaces s on s.id = a.space_id
          where a.id = ${demoId(1, 3, 1)}::uuid`,
    );
    expect(first).toEqual({ name: "Support triage", owner: "Mia Member", space: "Support" });
    const [admin] = await rows<{ displayName: string; role: string }>(
      sql`select display_name as "displayName", role from users where id = ${demoId(1, 1, 1)}::uuid`,
    );
    expect(admin).toEqual({ displayName: "Ada Admin", role: "admin" });
    // Seeding again leaves the data as it is.
    expect((await seedDemoData(database.db, now)).seeded).toBe(false);
  });
});
