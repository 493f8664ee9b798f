import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  demoAgents,
  demoConversationId,
  demoConversations,
  demoCrewId,
  demoCrewRunId,
  demoCrews,
  demoId,
  demoMessageId,
  demoToolId,
  demoTools,
  queryRows,
  type SeedResult,
  seedDemoData,
  sql,
  withStaff,
} from "../src";
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
    // The same PRNG draws in the same order as before agents moved spaces: the agents' own 498 runs
    // and their 1251 steps. Tools, crews and conversations are seeded after the agents with no draws
    // of their own: they changed none of those. Executions and steps count everything: the 498 agent
    // runs, 12 crew runs with their 38 child runs (138 steps), 2 runs made in conversations.
    expect(seeded).toEqual({
      seeded: true,
      tenants: 2,
      agents: 20,
      executions: 498 + 12 + 38 + 2,
      steps: 1251 + 138,
      tools: 12,
      toolAttachments: 18,
      toolSecrets: 0,
      crews: 5,
      crewMembers: 11,
      tasks: 17,
      taskContext: 14,
      crewRuns: 12,
      childRuns: 38,
      conversations: 5,
      messages: 21,
    });
    const [agentRuns] = await rows<{ runs: number; steps: number }>(
      sql`select (select count(*)::int from agent_executions where crew_id is null and conversation_id is null) as runs,
                 (select count(*)::int from agent_execution_steps s join agent_executions e on e.id = s.execution_id
                   where e.crew_id is null and e.conversation_id is null) as steps`,
    );
    expect(agentRuns).toEqual({ runs: 498, steps: 1251 });
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

  it("seals the demo secrets and agents' keys through the sealers it is given, bound to tenant, tool and name", async () => {
    const other = await createTestDatabase(target);
    try {
      const asked: string[] = [];
      const credentials: string[] = [];
      const result = await seedDemoData(other.db, now, {
        sealToolSecret: async ({ tenantId, toolId, name, value }) => {
          asked.push(`${tenantId}:${toolId}:${name}`);
          return { kid: "test", iv: "aXY=", ciphertext: btoa(value), hint: `••••${value.slice(-4)}` };
        },
        sealAgentCredential: async ({ tenantId, agentId, apiKey }) => {
          credentials.push(`${tenantId}:${agentId}`);
          return { kid: "test", iv: "aXY=", ciphertext: btoa(apiKey), hint: `…${apiKey.slice(-4)}` };
        },
      });
      // Every demo agent's key went through the sealer, and no plaintext was stored.
      expect(credentials).toHaveLength(result.agents);
      const [keys] = await withStaff(other.db, (tx) =>
        queryRows<{ plaintext: number; sealed: number }>(
          tx,
          sql`select count(llm_api_key)::int as plaintext, count(llm_credential)::int as sealed from agents`,
        ),
      );
      expect(keys).toEqual({ plaintext: 0, sealed: result.agents });
      expect(result).toMatchObject({ tools: 12, toolSecrets: 3, executions: seeded.executions });
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

  it("gives each tenant crews of its own agents: members in order, tasks in order with context on earlier tasks", async () => {
    const crews = await rows<{
      tenantId: string;
      id: string;
      name: string;
      process: string;
      manager: string | null;
      managerIsMember: boolean;
      members: string[];
      membersWithoutTools: string[];
    }>(
      sql`select c.tenant_id as "tenantId", c.id, c.name, c.process, m.name as manager,
                 exists (select 1 from crew_members cm where cm.crew_id = c.id and cm.agent_id = c.manager_agent_id) as "managerIsMember",
                 (select array_agg(a.name order by cm.position) from crew_members cm join agents a on a.id = cm.agent_id
                   where cm.crew_id = c.id) as members,
                 (select coalesce(array_agg(a.name), '{}') from crew_members cm join agents a on a.id = cm.agent_id
                   where cm.crew_id = c.id and not exists (select 1 from agent_resources r where r.agent_id = a.id and r.kind = 'tool')) as "membersWithoutTools"
          from crews c left join agents m on m.id = c.manager_agent_id order by c.tenant_id, c.created_at`,
    );
    const expected = Object.entries(demoCrews).flatMap(([tenantId, list]) =>
      list.map((crew, c) => ({
        tenantId,
        id: demoCrewId(tenantId === "acme" ? 1 : 2, c + 1),
        name: crew.name,
        process: crew.process,
        manager: crew.manager ?? null,
        managerIsMember: false,
        members: crew.members,
        membersWithoutTools: [],
      })),
    );
    expect(crews).toEqual(expected);
    // Both processes in each tenant, the hierarchical ones with their manager.
    for (const tenantId of ["acme", "globex"]) {
      const mine = crews.filter((c) => c.tenantId === tenantId);
      expect(new Set(mine.map((c) => c.process))).toEqual(new Set(["sequential", "hierarchical"]));
      expect(mine.filter((c) => c.process === "hierarchical").every((c) => c.manager !== null)).toBe(true);
    }

    const taskRows = await rows<{
      crew: string;
      title: string;
      position: number;
      assignee: string;
      context: string[];
      contextLater: number;
      outputFormat: Record<string, unknown> | null;
    }>(
      sql`select c.name as crew, t.title, t.position, a.name as assignee,
                 (select coalesce(array_agg(ct.title order by ct.position), '{}') from task_context x join tasks ct on ct.id = x.context_task_id
                   where x.task_id = t.id) as context,
                 (select count(*)::int from task_context x join tasks ct on ct.id = x.context_task_id
                   where x.task_id = t.id and ct.position >= t.position) as "contextLater",
                 t.output_format as "outputFormat"
          from tasks t join crews c on c.id = t.crew_id join agents a on a.id = t.agent_id order by c.tenant_id, c.created_at, t.position`,
    );
    const expectedTasks = Object.values(demoCrews).flatMap((list) =>
      list.flatMap((crew) =>
        crew.tasks.map((task, position) => ({
          crew: crew.name,
          title: task.title,
          position,
          assignee: task.assignee,
          context: task.context ?? [],
          contextLater: 0,
          outputFormat: task.outputFormat ?? null,
        })),
      ),
    );
    expect(taskRows).toEqual(expectedTasks);
    for (const crew of crews) {
      const own = taskRows.filter((t) => t.crew === crew.name);
      expect(own.length, crew.name).toBeGreaterThanOrEqual(3);
      expect(own.length, crew.name).toBeLessThanOrEqual(5);
      // Every assignee is a member (the key to crew_members holds it), every member has a task.
      expect(new Set(own.map((t) => t.assignee)), crew.name).toEqual(new Set(crew.members));
    }
    // Each tenant has a task with an output format (a JSON Schema object) and tasks that read context.
    for (const tenantId of ["acme", "globex"]) {
      const names = new Set(crews.filter((c) => c.tenantId === tenantId).map((c) => c.name));
      const own = taskRows.filter((t) => names.has(t.crew));
      expect(own.some((t) => t.outputFormat?.type === "object")).toBe(true);
      expect(own.some((t) => t.context.length >= 2)).toBe(true);
    }
  });

  it("runs crews as the API does: crew runs with a child run per task, the task on each step, one failed", async () => {
    const runs = await rows<{
      id: string;
      crewId: string;
      tasks: number;
      status: string;
      children: number;
      childStatuses: string[];
      childAgentsOfCrew: boolean;
      childTasksInOrder: boolean;
      stepsWithoutTask: number;
      inputTokens: number;
      childInputTokens: number;
      outputTokens: number;
      childOutputTokens: number;
      cost: string;
      childCost: string;
      inWindow: boolean;
      daysAgo: number;
    }>(
      sql`select e.id, e.crew_id as "crewId", (select count(*)::int from tasks t where t.crew_id = e.crew_id) as tasks, e.status,
                 (select count(*)::int from agent_executions k where k.parent_execution_id = e.id) as children,
                 (select array_agg(k.status::text order by k.started_at) from agent_executions k where k.parent_execution_id = e.id) as "childStatuses",
                 (select bool_and(k.crew_id = e.crew_id and exists (select 1 from crew_members cm where cm.crew_id = e.crew_id and cm.agent_id = k.agent_id))
                    from agent_executions k where k.parent_execution_id = e.id) as "childAgentsOfCrew",
                 (select bool_and(t.agent_id = k.agent_id and t.position = o.n - 1) from (
                    select k.id, k.agent_id, row_number() over (order by k.started_at) as n from agent_executions k where k.parent_execution_id = e.id) o
                    join agent_executions k on k.id = o.id
                    join agent_execution_steps s on s.execution_id = k.id join tasks t on t.id = s.task_id) as "childTasksInOrder",
                 (select count(*)::int from agent_execution_steps s join agent_executions k on k.id = s.execution_id
                   where k.parent_execution_id = e.id and s.task_id is null) as "stepsWithoutTask",
                 e.input_tokens as "inputTokens", e.output_tokens as "outputTokens", e.cost_usd::text as cost,
                 (select sum(input_tokens)::int from agent_executions k where k.parent_execution_id = e.id) as "childInputTokens",
                 (select sum(output_tokens)::int from agent_executions k where k.parent_execution_id = e.id) as "childOutputTokens",
                 (select sum(cost_usd)::text from agent_executions k where k.parent_execution_id = e.id) as "childCost",
                 (select bool_and(k.started_at >= e.started_at and k.completed_at <= e.completed_at) from agent_executions k
                   where k.parent_execution_id = e.id) as "inWindow",
                 extract(epoch from (${now.toISOString()}::timestamptz - e.started_at)) / 86400 as "daysAgo"
          from agent_executions e where e.agent_id is null order by e.tenant_id, e.crew_id, e.started_at`,
    );
    expect(runs.length).toBe(seeded.crewRuns);
    expect(runs.reduce((n, r) => n + r.children, 0)).toBe(seeded.childRuns);
    for (const run of runs) {
      expect(run, run.id).toMatchObject({ childAgentsOfCrew: true, childTasksInOrder: true, stepsWithoutTask: 0, inWindow: true });
      // The trigger summed the children into the crew run when it finished.
      expect(run.inputTokens, run.id).toBe(run.childInputTokens);
      expect(run.outputTokens, run.id).toBe(run.childOutputTokens);
      expect(Number(run.cost), run.id).toBeCloseTo(Number(run.childCost), 6);
      expect(run.inputTokens).toBeGreaterThan(0);
      expect(Number(run.daysAgo)).toBeLessThan(10);
      if (run.status === "succeeded") {
        expect(run.children, run.id).toBe(run.tasks);
        expect(run.childStatuses.every((s) => s === "succeeded")).toBe(true);
      } else {
        // A failed run stops at its failed task: the ones after it never started.
        expect(run.status).toBe("failed");
        expect(run.childStatuses.at(-1)).toBe("failed");
        expect(run.children).toBeLessThan(run.tasks);
      }
    }
    expect(new Set(runs.map((r) => r.crewId)).size).toBe(seeded.crews);
    expect(runs.filter((r) => r.status === "failed").length).toBeGreaterThanOrEqual(1);
    const [first] = runs.filter((r) => r.crewId === demoCrewId(1, 1));
    expect(first?.id).toBe(demoCrewRunId(1, 1, 1));
  });

  it("keeps every usage counter equal to a recount of the runs", async () => {
    // The tenant's days: top-level runs (agent and crew runs) as executions, the work (agent and child runs) as tokens.
    const tenantDays = await rows<{ mismatch: number }>(
      sql`with counted as (
            select tenant_id, day, sum(total_executions)::int as executions, sum(failed_executions)::int as failed,
                   sum(input_tokens)::bigint as input, sum(output_tokens)::bigint as output, sum(total_cost_usd) as cost
            from tenant_usage_daily group by tenant_id, day),
          recount as (
            select tenant_id, (started_at at time zone 'UTC')::date as day,
                   count(*) filter (where parent_execution_id is null)::int as executions,
                   count(*) filter (where parent_execution_id is null and status = 'failed')::int as failed,
                   coalesce(sum(input_tokens) filter (where agent_id is not null), 0)::bigint as input,
                   coalesce(sum(output_tokens) filter (where agent_id is not null), 0)::bigint as output,
                   coalesce(sum(cost_usd) filter (where agent_id is not null), 0) as cost
            from agent_executions where status <> 'running' group by 1, 2)
          select count(*)::int as mismatch from counted c full join recount r using (tenant_id, day)
          where c is null or r is null or (c.executions, c.failed, c.input, c.output, c.cost) is distinct from (r.executions, r.failed, r.input, r.output, r.cost)`,
    );
    expect(tenantDays).toEqual([{ mismatch: 0 }]);
    // Agents: their runs, child runs included. Crews: their crew runs, with their children's totals.
    const subjects = await rows<{ kind: string; id: string; counted: unknown; recount: unknown }>(
      sql`select 'agent' as kind, a.id::text as id,
                 (select json_build_array(coalesce(sum(total_executions), 0), coalesce(sum(input_tokens), 0), coalesce(sum(total_cost_usd), 0)) from agent_usage_stats s where s.agent_id = a.id)::text as counted,
                 (select json_build_array(count(*), coalesce(sum(input_tokens), 0), coalesce(sum(cost_usd), 0)) from agent_executions e where e.agent_id = a.id and e.status <> 'running')::text as recount
          from agents a
          union all
          select 'crew', c.id::text,
                 (select json_build_array(coalesce(sum(total_executions), 0), coalesce(sum(input_tokens), 0), coalesce(sum(total_cost_usd), 0)) from crew_usage_stats s where s.crew_id = c.id)::text,
                 (select json_build_array(count(*), coalesce(sum(input_tokens), 0), coalesce(sum(cost_usd), 0)) from agent_executions e where e.crew_id = c.id and e.agent_id is null and e.status <> 'running')::text
          from crews c`,
    );
    expect(subjects.length).toBe(seeded.agents + seeded.crews);
    for (const s of subjects) expect(JSON.parse(s.counted as string), `${s.kind} ${s.id}`).toEqual(JSON.parse(s.recount as string));
    const [crewDays] = await rows<{ daily: number; runs: number }>(
      sql`select (select sum(total_executions)::int from crew_usage_daily) as daily, (select count(*)::int from agent_executions where agent_id is null) as runs`,
    );
    expect(crewDays).toEqual({ daily: seeded.crewRuns, runs: seeded.crewRuns });
  });

  it("gives each tenant conversations with their agents and crews: messages in order, a branch, a run, exact counters", async () => {
    const list = await rows<{
      tenantId: string;
      id: string;
      title: string;
      owner: string;
      agent: string | null;
      crew: string | null;
      archived: boolean;
      messageCount: number;
      seqs: number[];
      lastMessageAt: string;
      lastSentAt: string;
      executionCount: number;
      runs: number;
      inputTokens: number;
      outputTokens: number;
      cost: string;
      recountInput: number;
      recountOutput: number;
      recountCost: string;
    }>(
      sql`select c.tenant_id as "tenantId", c.id, c.title, u.role::text as owner, a.name as agent, cr.name as crew,
                 c.archived_at is not null as archived, c.message_count as "messageCount",
                 (select array_agg(m.seq order by m.seq) from conversation_messages m where m.conversation_id = c.id) as seqs,
                 c.last_message_at as "lastMessageAt", (select max(m.created_at) from conversation_messages m where m.conversation_id = c.id) as "lastSentAt",
                 c.execution_count as "executionCount",
                 (select count(*)::int from agent_executions e where e.conversation_id = c.id and e.status <> 'running') as runs,
                 c.input_tokens::int as "inputTokens", c.output_tokens::int as "outputTokens", c.cost_usd::text as cost,
                 ((select coalesce(sum(input_tokens), 0) from conversation_messages m where m.conversation_id = c.id and m.execution_id is null)
                   + (select coalesce(sum(input_tokens), 0) from agent_executions e where e.conversation_id = c.id and e.status <> 'running'))::int as "recountInput",
                 ((select coalesce(sum(output_tokens), 0) from conversation_messages m where m.conversation_id = c.id and m.execution_id is null)
                   + (select coalesce(sum(output_tokens), 0) from agent_executions e where e.conversation_id = c.id and e.status <> 'running'))::int as "recountOutput",
                 ((select coalesce(sum(cost_usd), 0) from conversation_messages m where m.conversation_id = c.id and m.execution_id is null)
                   + (select coalesce(sum(cost_usd), 0) from agent_executions e where e.conversation_id = c.id and e.status <> 'running'))::text as "recountCost"
          from conversations c join users u on u.id = c.user_id left join agents a on a.id = c.agent_id left join crews cr on cr.id = c.crew_id
          order by c.tenant_id, c.id`,
    );
    expect(list.map((c) => [c.tenantId, c.title])).toEqual(
      Object.entries(demoConversations).flatMap(([tenantId, convs]) => convs.map((c) => [tenantId, c.title])),
    );
    expect(list.length).toBe(seeded.conversations);
    for (const c of list) {
      expect(c.seqs, c.title).toEqual(Array.from({ length: c.messageCount }, (_, i) => i + 1));
      expect(new Date(c.lastMessageAt).getTime(), c.title).toBe(new Date(c.lastSentAt).getTime());
      expect(c.executionCount, c.title).toBe(c.runs);
      expect([c.inputTokens, c.outputTokens], c.title).toEqual([c.recountInput, c.recountOutput]);
      expect(Number(c.cost), c.title).toBeCloseTo(Number(c.recountCost), 6);
      expect(c.agent === null, c.title).not.toBe(c.crew === null);
    }
    for (const tenantId of ["acme", "globex"]) {
      const mine = list.filter((c) => c.tenantId === tenantId);
      expect(mine.some((c) => c.agent) && mine.some((c) => c.crew), tenantId).toBe(true);
      expect(mine.some((c) => c.archived) && mine.some((c) => !c.archived), tenantId).toBe(true);
      expect(
        mine.some((c) => c.runs === 1 && c.inputTokens > 0),
        tenantId,
      ).toBe(true);
      expect(new Set(mine.map((c) => c.owner)).size, tenantId).toBeGreaterThan(1);
    }

    const messages = await rows<{
      conversationId: string;
      id: string;
      seq: number;
      parentSeq: number | null;
      role: string;
      content: string | null;
      parts: unknown;
      inputTokens: number;
      executionId: string | null;
      runConversation: string | null;
    }>(
      sql`select m.conversation_id as "conversationId", m.id, m.seq, p.seq as "parentSeq", m.role, m.content, m.parts,
                 m.input_tokens as "inputTokens", m.execution_id as "executionId", e.conversation_id as "runConversation"
          from conversation_messages m left join conversation_messages p on p.id = m.parent_message_id
          left join agent_executions e on e.id = m.execution_id order by m.conversation_id, m.seq`,
    );
    expect(messages.length).toBe(seeded.messages);
    expect(new Set(messages.map((m) => m.role))).toEqual(new Set(["user", "assistant", "system", "tool"]));
    expect(messages.filter((m) => m.parts !== null).length).toBeGreaterThan(0);
    // Usage only on assistant messages; a parent is always an earlier message.
    expect(messages.filter((m) => m.role !== "assistant" && m.inputTokens > 0)).toEqual([]);
    expect(messages.filter((m) => m.parentSeq !== null && m.parentSeq >= m.seq)).toEqual([]);
    // Branches: two assistant answers to the same message, in each tenant.
    const answers = new Map<string, number>();
    for (const m of messages.filter((m) => m.role === "assistant" && m.parentSeq !== null)) {
      const key = `${m.conversationId}/${m.parentSeq}`;
      answers.set(key, (answers.get(key) ?? 0) + 1);
    }
    const branches = [...answers].filter(([, n]) => n >= 2).map(([key]) => key);
    expect(branches).toEqual([`${demoConversationId(1, 1)}/2`, `${demoConversationId(2, 1)}/3`]);
    // A message produced by a run names it, and the run was made in the message's conversation.
    const linked = messages.filter((m) => m.executionId !== null);
    expect(linked.length).toBe(2);
    for (const m of linked) expect(m.runConversation).toBe(m.conversationId);
    expect(messages.find((m) => m.id === demoMessageId(1, 1, 7))?.executionId).not.toBeNull();
  });
});
