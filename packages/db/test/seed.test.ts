import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { demoAgents, demoId, demoToolId, demoTools, queryRows, type SeedResult, seedDemoData, sql, withStaff } from "../src";
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
    // Tools are seeded after the agents with no draws of their own: adding them changed no count above.
    expect(seeded).toEqual({
      seeded: true,
      tenants: 2,
      agents: 20,
      executions: 498,
      steps: 1251,
      tools: 12,
      toolAttachments: 18,
      toolSecrets: 0,
    });
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

  it("gives each tenant its demo tools, every type among them, attached to its own agents", async () => {
    const perTenant = await rows<{ tenantId: string; names: string[]; types: string[] }>(
      sql`select tenant_id as "tenantId", array_agg(name order by created_at) as names, array_agg(distinct type::text) as types
          from tools group by tenant_id order by tenant_id`,
    );
    expect(perTenant).toEqual([
      {
        tenantId: "acme",
        names: [
          "zendesk_search_tickets",
          "issue_refund",
          "web_search",
          "arxiv_papers",
          "readability_score",
          "utm_link_builder",
          "hubspot_contact_lookup",
        ],
        types: ["builtin", "code", "function", "http", "mcp"],
      },
      {
        tenantId: "globex",
        names: ["pagerduty_incidents", "post_status_update", "policy_handbook", "translate_text", "forecast_variance"],
        types: ["builtin", "code", "function", "http", "mcp"],
      },
    ]);
    // Fixed ids, and the fields as demo-tools.ts has them; code tools carry code and language.
    const [zendesk] = await rows<{ id: string; tags: string[]; examples: number; creator: string }>(
      sql`select t.id, t.tags, cardinality(t.usage_examples) as examples, u.display_name as creator
          from tools t join users u on u.tenant_id = t.tenant_id and u.id = t.created_by where t.id = ${demoToolId(1, 1)}::uuid`,
    );
    expect(zendesk).toEqual({ id: demoToolId(1, 1), tags: ["support", "zendesk"], examples: 2, creator: "Ada Admin" });
    const code = await rows<{ name: string; language: string }>(
      sql`select name, language from tools where code is not null order by tenant_id, created_at`,
    );
    expect(code).toEqual([
      { name: "readability_score", language: "python" },
      { name: "utm_link_builder", language: "javascript" },
      { name: "forecast_variance", language: "python" },
    ]);
    // Without a sealer (this call), no secret is stored: the db package holds no keyring.
    expect(await rows(sql`select id from tools where secrets <> '{}'::jsonb`)).toEqual([]);

    // Attachments: per tenant, on that tenant's agents, with their own configuration, enabled flag and position.
    const attachments = await rows<{
      tenantId: string;
      agent: string;
      tool: string;
      position: number;
      enabled: boolean;
      configuration: Record<string, unknown>;
      attachedBeforeAgent: boolean;
    }>(
      sql`select r.tenant_id as "tenantId", a.name as agent, t.name as tool, r.position, r.enabled, r.configuration,
                 r.created_at < a.created_at or r.created_at < t.created_at as "attachedBeforeAgent"
          from agent_resources r join agents a on a.id = r.agent_id join tools t on t.id = r.tool_id
          where r.kind = 'tool' order by r.tenant_id, a.name, r.position`,
    );
    const expected = Object.entries(demoTools).flatMap(([tenantId, list]) =>
      list.flatMap((tool) =>
        tool.attachedTo.map((a) => ({
          tenantId,
          agent: a.agent,
          tool: tool.name,
          position: a.position,
          enabled: a.enabled ?? true,
          configuration: a.configuration ?? {},
          attachedBeforeAgent: false,
        })),
      ),
    );
    const order = (x: { tenantId: string; agent: string; position: number }) => `${x.tenantId}/${x.agent}/${x.position}`;
    expect(attachments).toEqual(expected.toSorted((x, y) => (order(x) < order(y) ? -1 : 1)));
    expect(attachments.filter((a) => !a.enabled).length).toBeGreaterThan(0);
    expect(attachments.filter((a) => Object.keys(a.configuration).length > 0).length).toBeGreaterThan(0);
    // Every attached agent is a demo agent of the tool's own tenant (the composite keys hold it; the names say it).
    const acmeAgents = new Set(demoAgents.slice(0, 12).map((a) => a.name));
    for (const a of attachments) expect(acmeAgents.has(a.agent), `${a.agent} in ${a.tenantId}`).toBe(a.tenantId === "acme");
  });

  it("seals the demo secrets through the sealer it is given, bound to tenant, tool and name", async () => {
    const other = await createTestDatabase(target);
    try {
      const asked: string[] = [];
      const result = await seedDemoData(other.db, now, {
        sealToolSecret: async ({ tenantId, toolId, name, value }) => {
          asked.push(`${tenantId}:${toolId}:${name}`);
          return { kid: "test", iv: "aXY=", ciphertext: btoa(value), hint: `••••${value.slice(-4)}` };
        },
      });
      expect(result).toMatchObject({ tools: 12, toolSecrets: 3, executions: 498 });
      expect(asked).toEqual([
        `acme:${demoToolId(1, 1)}:ZENDESK_API_TOKEN`,
        `acme:${demoToolId(1, 7)}:HUBSPOT_PRIVATE_APP_TOKEN`,
        `globex:${demoToolId(2, 1)}:PAGERDUTY_API_KEY`,
      ]);
      const [stored] = await withStaff(other.db, (tx) =>
        queryRows<{ secrets: Record<string, unknown> }>(tx, sql`select secrets from tools where id = ${demoToolId(1, 1)}::uuid`),
      );
      expect(stored!.secrets).toEqual({
        ZENDESK_API_TOKEN: { kid: "test", iv: "aXY=", ciphertext: btoa("zd-demo-acme-token-7f3a9c21"), hint: "••••9c21" },
      });
    } finally {
      await other.close();
    }
  });
});
