import type { AgentStatus, ExecutionStatus, LlmConfig, StepType } from "@agent-builder/contracts";

import type { Database } from "./database";
import { demoTools } from "./demo-tools";
import {
  agentExecutionSteps,
  agentExecutions,
  agentResources,
  agents,
  type StoredToolSecret,
  spaces,
  tenants,
  tools,
  users,
} from "./schema";
import { type Tx, withTenant } from "./tenant-scope";

export { type DemoTool, demoTools } from "./demo-tools";

/**
 * Demo data for `pnpm dev` and `pnpm db:seed`: two tenants, a few users and spaces each, 20
 * agents in every status and a few hundred executions with steps over the last 60 days, so
 * usage charts have shape, and a dozen tools (demo-tools.ts) attached to some of the agents. Deterministic (seeded PRNG, fixed ids), so tokens printed by
 * `pnpm dev` keep working across restarts.
 */

function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable uuid-shaped id for a demo row, e.g. demoId(1, 2, 3) = 00000001-0000-4000-8002-000000000003. */
export function demoId(tenant: number, kind: number, n: number) {
  const hex = (v: number, width: number) => v.toString(16).padStart(width, "0");
  return `${hex(tenant, 8)}-0000-4000-8${hex(kind, 3)}-${hex(n, 12)}`;
}

const kinds = { user: 1, space: 2, agent: 3, execution: 4, tool: 5, agentTool: 6 } as const;

interface DemoTenant {
  id: string;
  name: string;
  users: Array<{ id: string; email: string; displayName: string; role: "member" | "service" | "admin" }>;
  spaces: Array<{ id: string; name: string }>;
}

function demoTenant(index: number, id: string, name: string, domain: string, spaceNames: string[]): DemoTenant {
  const people = [
    { name: "Ada Admin", role: "admin" as const },
    { name: "Max Member", role: "member" as const },
    { name: "Mia Member", role: "member" as const },
    { name: "Runner Service", role: "service" as const },
  ];
  return {
    id,
    name,
    users: people.map((p, i) => ({
      id: demoId(index, kinds.user, i + 1),
      email: `${p.name.split(" ", 1)[0]?.toLowerCase()}@${domain}`,
      displayName: p.name,
      role: p.role,
    })),
    spaces: spaceNames.map((spaceName, i) => ({ id: demoId(index, kinds.space, i + 1), name: spaceName })),
  };
}

export const demoTenants: DemoTenant[] = [
  demoTenant(1, "acme", "Acme Corp", "acme.test", ["Support", "Research", "Marketing"]),
  demoTenant(2, "globex", "Globex", "globex.test", ["Operations", "Sales"]),
];

/**
 * The demo agents in seeding order (acme's 12, then globex's 8), each in the space of its
 * tenant whose work it does, so a demo space's agents read as that team's, with a persona
 * (CrewAI's role, goal and backstory), a category and tags that fit its name. Tags and
 * categories are written as the API stores them: lower case, trimmed.
 */
export const demoAgents: ReadonlyArray<{
  name: string;
  space: string;
  role: string;
  goal: string;
  backstory: string;
  category: string;
  tags: string[];
  /** Triage-like agents hand work on; analysts plan before they answer. Everything else is off. */
  allowDelegation?: boolean;
  reasoning?: boolean;
}> = [
  {
    name: "Support triage",
    space: "Support",
    role: "Support triage specialist",
    goal: "Route every incoming ticket to the right queue with the right priority",
    backstory: "You have worked the front line of a busy help desk and can tell an outage from a how-to question in one line.",
    category: "support",
    tags: ["triage", "tickets"],
    allowDelegation: true,
  },
  {
    name: "Refund assistant",
    space: "Support",
    role: "Refunds agent",
    goal: "Settle refund requests fairly and within policy",
    backstory: "You know the refund policy by heart and explain a no as kindly as a yes.",
    category: "support",
    tags: ["refunds", "billing"],
  },
  {
    name: "Literature scout",
    space: "Research",
    role: "Research librarian",
    goal: "Find the papers that matter for a research question",
    backstory: "You have spent years in university libraries and know which sources are worth a researcher's time.",
    category: "research",
    tags: ["papers", "search"],
  },
  {
    name: "Paper summariser",
    space: "Research",
    role: "Scientific editor",
    goal: "Turn a paper into a one-page summary a newcomer can follow",
    backstory: "You edited a science journal and can say what a paper shows, and what it does not, in plain words.",
    category: "research",
    tags: ["papers", "summaries"],
  },
  {
    name: "Campaign copywriter",
    space: "Marketing",
    role: "Campaign copywriter",
    goal: "Write campaign copy that sounds like the brand and makes people click",
    backstory: "You have written launch campaigns for a dozen products and never miss a deadline or a brand guideline.",
    category: "marketing",
    tags: ["copywriting", "campaigns"],
  },
  {
    name: "SEO reviewer",
    space: "Marketing",
    role: "SEO specialist",
    goal: "Make every page findable without making it worse to read",
    backstory: "You have watched search rankings for years and know which advice is folklore.",
    category: "marketing",
    tags: ["seo", "review"],
  },
  {
    name: "Meeting notes",
    space: "Research",
    role: "Note taker",
    goal: "Record decisions, owners and deadlines from every meeting",
    backstory: "You sat in on a thousand project meetings and learned to hear the decision behind the discussion.",
    category: "productivity",
    tags: ["meetings", "notes"],
  },
  {
    name: "Onboarding guide",
    space: "Support",
    role: "Customer onboarding guide",
    goal: "Get every new customer to their first success in their first week",
    backstory: "You have onboarded hundreds of customers and know where each of them gets stuck.",
    category: "support",
    tags: ["onboarding", "customers"],
  },
  {
    name: "Data cleaner",
    space: "Research",
    role: "Data engineer",
    goal: "Deliver datasets that are complete, consistent and documented",
    backstory: "You have cleaned messy spreadsheets and databases for analysts who needed to trust the numbers.",
    category: "data",
    tags: ["data quality", "datasets"],
  },
  {
    name: "Release notes writer",
    space: "Marketing",
    role: "Technical writer",
    goal: "Explain each release in words users care about",
    backstory: "You have written release notes for developer tools and know users want what changed for them, not the commit log.",
    category: "marketing",
    tags: ["release notes", "writing"],
  },
  {
    name: "Invoice checker",
    space: "Support",
    role: "Accounts payable clerk",
    goal: "Catch wrong, duplicate and late invoices before they are paid",
    backstory: "You have reconciled invoices against purchase orders for years and spot a duplicate at a glance.",
    category: "finance",
    tags: ["invoices", "billing"],
  },
  {
    name: "Lead qualifier",
    space: "Marketing",
    role: "Sales development representative",
    goal: "Tell the leads worth a call from the ones that are not",
    backstory: "You have qualified thousands of inbound leads and know the questions that reveal real intent.",
    category: "sales",
    tags: ["leads", "qualification"],
  },
  {
    name: "Churn analyst",
    space: "Sales",
    role: "Customer success analyst",
    goal: "Spot the accounts at risk of leaving early enough to keep them",
    backstory: "You have studied why customers leave and which early signals predict it.",
    category: "sales",
    tags: ["churn", "analytics"],
    reasoning: true,
  },
  {
    name: "Policy Q&A",
    space: "Operations",
    role: "Policy advisor",
    goal: "Answer questions about company policy accurately, citing the policy",
    backstory: "You have kept the employee handbook for years and know where every rule is written.",
    category: "operations",
    tags: ["policies", "q&a"],
  },
  {
    name: "Incident responder",
    space: "Operations",
    role: "Site reliability engineer",
    goal: "Restore service quickly and keep everyone informed during an incident",
    backstory: "You have been on call for production systems and stay calm when the pager goes off.",
    category: "operations",
    tags: ["incidents", "on-call"],
    allowDelegation: true,
  },
  {
    name: "Translation helper",
    space: "Operations",
    role: "Translator",
    goal: "Translate documents faithfully, keeping tone and terminology",
    backstory: "You have translated business documents between many languages and keep a glossary for every client.",
    category: "operations",
    tags: ["translation", "languages"],
  },
  {
    name: "Interview scheduler",
    space: "Operations",
    role: "Recruiting coordinator",
    goal: "Book interviews that suit candidates and interviewers alike",
    backstory: "You have coordinated hiring loops across time zones and never double-book a room.",
    category: "operations",
    tags: ["recruiting", "scheduling"],
  },
  {
    name: "Code reviewer",
    space: "Operations",
    role: "Senior software engineer",
    goal: "Review changes for correctness, clarity and security",
    backstory: "You have reviewed code in large teams for years and explain every comment you leave.",
    category: "engineering",
    tags: ["code review", "security"],
    reasoning: true,
  },
  {
    name: "Forecast explainer",
    space: "Sales",
    role: "Sales analyst",
    goal: "Explain what drives the sales forecast and how sure it is",
    backstory: "You built forecasting models for sales teams and know how to talk about uncertainty.",
    category: "sales",
    tags: ["forecasting", "analytics"],
    reasoning: true,
  },
  {
    name: "Inbox sorter",
    space: "Sales",
    role: "Sales assistant",
    goal: "Sort the shared sales inbox so nothing important waits",
    backstory: "You have run a shared sales inbox and know which emails need an answer today.",
    category: "sales",
    tags: ["email", "triage"],
    allowDelegation: true,
  },
];
const agentCounts = [12, 8];

/**
 * The demo's history starts this many days before `now`: tenants, users and spaces exist from
 * then, agents are created over the following days, executions run in the last 60.
 */
const historyDays = 75;
const day = 86_400_000;

const statusCycle: AgentStatus[] = ["active", "active", "active", "draft", "paused", "active", "archived"];
const models: Array<Pick<LlmConfig, "provider" | "model">> = [
  { provider: "openai", model: "gpt-4.1-mini" },
  { provider: "anthropic", model: "claude-sonnet-4" },
  { provider: "google", model: "gemini-2.5-flash" },
  { provider: "openai", model: "o4-mini" },
];

export interface SeedResult {
  seeded: boolean;
  tenants: number;
  agents: number;
  executions: number;
  steps: number;
  tools: number;
  /** agent_resources rows: tools attached to agents. */
  toolAttachments: number;
  /** Demo tool secrets sealed (none without `sealToolSecret`). */
  toolSecrets: number;
}

/** One demo secret to seal, and where it will be stored. */
export interface DemoSecret {
  tenantId: string;
  toolId: string;
  name: string;
  value: string;
}

export interface SeedOptions {
  /**
   * Seals a demo tool's secret exactly as the API stores it (`sealToolSecret` of
   * @agent-builder/api with the server's keyring, which this package cannot import). Without it
   * the demo tools are seeded without their secrets (`pnpm db:seed`, which holds no keyring).
   */
  sealToolSecret?: (secret: DemoSecret) => Promise<StoredToolSecret>;
}

/** Loads the demo data unless the first demo tenant already exists. */
export async function seedDemoData(db: Database, now = new Date(), options: SeedOptions = {}): Promise<SeedResult> {
  const result: SeedResult = {
    seeded: false,
    tenants: 0,
    agents: 0,
    executions: 0,
    steps: 0,
    tools: 0,
    toolAttachments: 0,
    toolSecrets: 0,
  };
  const existing = await withTenant(db, item(demoTenants, 0).id, (tx) => tx.select({ id: tenants.id }).from(tenants));
  if (existing.length > 0) return result;

  const random = prng(42);
  // Before the first agent: a tenant's directory exists before anything is created in it.
  const since = new Date(now.getTime() - historyDays * day);
  const founded = { createdAt: since, updatedAt: since };
  let agentNumber = 0;
  for (const [tenantIndex, tenant] of demoTenants.entries()) {
    const agentCount = item(agentCounts, tenantIndex);
    await withTenant(db, tenant.id, async (tx) => {
      await tx.insert(tenants).values({ id: tenant.id, name: tenant.name, ...founded });
      await tx.insert(users).values(tenant.users.map((u) => ({ ...u, tenantId: tenant.id, ...founded })));
      await tx.insert(spaces).values(tenant.spaces.map((s) => ({ ...s, tenantId: tenant.id, ...founded })));
      for (let i = 0; i < agentCount; i++, agentNumber++) {
        const counts = await seedAgent(tx, tenant, tenantIndex + 1, i + 1, agentNumber, random, now);
        result.executions += counts.executions;
        result.steps += counts.steps;
        result.agents++;
      }
      // After the agents, and with no PRNG draws: the agents' and executions' draws stay as they were.
      const counts = await seedTools(tx, tenant, tenantIndex + 1, since, now, options);
      result.tools += counts.tools;
      result.toolAttachments += counts.attachments;
      result.toolSecrets += counts.secrets;
    });
    result.tenants++;
  }
  result.seeded = true;
  return result;
}

async function seedAgent(tx: Tx, tenant: DemoTenant, tenantIndex: number, n: number, agentNumber: number, random: () => number, now: Date) {
  const pick = <T>(items: readonly T[]) => item(items, Math.floor(random() * items.length));
  const status = item(statusCycle, agentNumber % statusCycle.length);
  const owner = item(tenant.users, 1 + (n % 2));
  const demo = item(demoAgents, agentNumber);
  const space = tenant.spaces.find((s) => s.name === demo.space);
  if (!space) throw new Error(`demo agent ${demo.name}: ${tenant.id} has no space ${demo.space}`);
  const agentId = demoId(tenantIndex, kinds.agent, n);
  const createdAt = new Date(now.getTime() - (historyDays - n) * day);
  await tx.insert(agents).values({
    id: agentId,
    tenantId: tenant.id,
    name: demo.name,
    description: `Demo agent #${agentNumber + 1} for ${space.name}.`,
    status,
    ownerId: owner.id,
    spaceId: space.id,
    llmConfig: {
      ...pick(models),
      temperature: Math.round(random() * 10) / 10,
      maxOutputTokens: 2048,
      systemPrompt: "You are a helpful assistant.",
    },
    llmApiKey: `sk-demo-${agentNumber.toString().padStart(4, "0")}`,
    notebookIds: random() < 0.5 ? [demoId(tenantIndex, 9, 1 + (n % 3))] : [],
    enableKnowledge: random() < 0.5,
    enableMemory: random() < 0.3,
    // No draws: the random sequence (and so every count and id the tests pin) stays as it was.
    role: demo.role,
    goal: demo.goal,
    backstory: demo.backstory,
    category: demo.category,
    tags: demo.tags,
    allowDelegation: demo.allowDelegation ?? false,
    reasoning: demo.reasoning ?? false,
    createdAt,
    updatedAt: createdAt,
  });
  if (status === "draft") return { executions: 0, steps: 0 };

  // Busier agents first; executions spread over the last 60 days with a weekday rhythm.
  const executionCount = Math.max(6, Math.round(40 - agentNumber * 1.6 + random() * 8));
  const executionRows: Array<typeof agentExecutions.$inferInsert> = [];
  const stepRows: Array<typeof agentExecutionSteps.$inferInsert> = [];
  for (let e = 0; e < executionCount; e++) {
    const daysAgo = Math.floor(Math.pow(random(), 1.3) * 60);
    const startedAt = new Date(now.getTime() - daysAgo * day - Math.floor(random() * day));
    const roll = random();
    const running = daysAgo === 0 && roll < 0.1;
    const outcome: ExecutionStatus = running ? "running" : roll < 0.84 ? "succeeded" : roll < 0.95 ? "failed" : "cancelled";
    const durationMs = 400 + Math.floor(random() * 9_000);
    const inputTokens = 200 + Math.floor(random() * 3_000);
    const outputTokens = outcome === "succeeded" ? 50 + Math.floor(random() * 1_500) : Math.floor(random() * 200);
    const executionId = demoId(tenantIndex, kinds.execution, n * 1000 + e);
    const stepTypes: StepType[] = ["thought", "tool_call", "tool_result", "message"];
    const stepCount = 1 + Math.floor(random() * 4);
    executionRows.push({
      id: executionId,
      tenantId: tenant.id,
      agentId,
      userId: pick(tenant.users).id,
      inputData: { prompt: `Demo request ${e + 1} to ${demo.name}` },
      outputData: outcome === "succeeded" ? { text: "Done: here is the demo answer." } : null,
      status: outcome,
      startedAt,
      completedAt: running ? null : new Date(startedAt.getTime() + durationMs),
      durationMs: running ? null : durationMs,
      inputTokens: running ? 0 : inputTokens,
      outputTokens: running ? 0 : outputTokens,
      cachedInputTokens: running ? 0 : Math.floor(inputTokens * random() * 0.5),
      reasoningTokens: 0,
      costUsd: running ? "0" : ((inputTokens * 0.4 + outputTokens * 1.6) / 1_000_000).toFixed(6),
      errorCode: outcome === "failed" ? pick(["rate_limited", "tool_error", "timeout"]) : null,
      errorMessage: outcome === "failed" ? "Demo failure: the upstream provider returned an error." : null,
      stepCount,
      createdAt: startedAt,
      updatedAt: startedAt,
    });
    for (let s = 0; s < stepCount; s++) {
      stepRows.push({
        tenantId: tenant.id,
        executionId,
        ordinal: s + 1,
        type: item(stepTypes, s % stepTypes.length),
        data: { text: `Step ${s + 1}` },
        inputTokens: Math.floor(inputTokens / stepCount),
        outputTokens: Math.floor(outputTokens / stepCount),
        createdAt: new Date(startedAt.getTime() + s * 200),
      });
    }
  }
  await tx.insert(agentExecutions).values(executionRows);
  await tx.insert(agentExecutionSteps).values(stepRows);
  return { executions: executionRows.length, steps: stepRows.length };
}

/** The demo id of a tenant's nth demo tool (1-based, in demo-tools.ts order). */
export function demoToolId(tenantIndex: number, n: number) {
  return demoId(tenantIndex, kinds.tool, n);
}

/**
 * The tenant's demo tools, an hour apart from the tenant's first day (before its first agent),
 * and their attachments, each created with its agent. Secrets are sealed by `sealToolSecret`.
 */
async function seedTools(tx: Tx, tenant: DemoTenant, tenantIndex: number, since: Date, now: Date, options: SeedOptions) {
  const definitions = demoTools[tenant.id] ?? [];
  const counts = { tools: 0, attachments: 0, secrets: 0 };
  if (definitions.length === 0) return counts;
  const admin = tenant.users.find((u) => u.role === "admin");
  const member = tenant.users.find((u) => u.role === "member");
  if (!admin || !member) throw new Error(`demo tools: ${tenant.id} has no admin or member`);
  const agentIds = new Map(
    demoAgents
      .slice(demoAgentOffset(tenantIndex), demoAgentOffset(tenantIndex) + item(agentCounts, tenantIndex - 1))
      .map((agent, i) => [agent.name, { id: demoId(tenantIndex, kinds.agent, i + 1), n: i + 1 }]),
  );
  const toolRows: Array<typeof tools.$inferInsert> = [];
  const attachmentRows: Array<typeof agentResources.$inferInsert> = [];
  for (const [i, tool] of definitions.entries()) {
    const id = demoToolId(tenantIndex, i + 1);
    const createdAt = new Date(since.getTime() + (i + 1) * 3_600_000);
    const secrets: Record<string, StoredToolSecret> = {};
    if (options.sealToolSecret) {
      for (const [name, value] of Object.entries(tool.secrets ?? {})) {
        secrets[name] = await options.sealToolSecret({ tenantId: tenant.id, toolId: id, name, value });
        counts.secrets++;
      }
    }
    toolRows.push({
      id,
      tenantId: tenant.id,
      name: tool.name,
      description: tool.description,
      type: tool.type,
      parameters: tool.parameters,
      configuration: tool.configuration,
      secrets,
      code: tool.code?.source ?? null,
      language: tool.code?.language ?? null,
      usageExamples: tool.usageExamples,
      tags: tool.tags,
      createdBy: tool.createdBy === "admin" ? admin.id : member.id,
      createdAt,
      updatedAt: createdAt,
    });
    for (const attachment of tool.attachedTo) {
      const agent = agentIds.get(attachment.agent);
      if (!agent) throw new Error(`demo tool ${tool.name}: ${tenant.id} has no demo agent ${attachment.agent}`);
      const attachedAt = new Date(now.getTime() - (historyDays - agent.n) * day);
      attachmentRows.push({
        id: demoId(tenantIndex, kinds.agentTool, attachmentRows.length + 1),
        tenantId: tenant.id,
        agentId: agent.id,
        kind: "tool",
        toolId: id,
        position: attachment.position,
        enabled: attachment.enabled ?? true,
        configuration: attachment.configuration ?? {},
        createdAt: attachedAt,
        updatedAt: attachedAt,
      });
    }
  }
  await tx.insert(tools).values(toolRows);
  await tx.insert(agentResources).values(attachmentRows);
  return { ...counts, tools: toolRows.length, attachments: attachmentRows.length };
}

/** Where a tenant's agents start in `demoAgents` (acme's 12, then globex's 8). */
function demoAgentOffset(tenantIndex: number) {
  return agentCounts.slice(0, tenantIndex - 1).reduce((sum, count) => sum + count, 0);
}

/** The demo data's fixed lists are indexed by position: a position past the end is a bug here. */
function item<T>(items: readonly T[], index: number): T {
  const found = items[index];
  if (found === undefined) throw new Error(`demo data: no item ${index} in a list of ${items.length}`);
  return found;
}
