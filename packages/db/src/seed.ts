import { and, eq } from "drizzle-orm";

import type { AgentStatus, ExecutionStatus, LlmConfig, StepType } from "@agent-builder/contracts";

import type { Database } from "./database";
import { seedDemoBudgets } from "./demo-budgets";
import { type DemoCrew, demoConversations, demoCrews } from "./demo-crews";
import { demoTools } from "./demo-tools";
import {
  agentExecutionSteps,
  agentExecutions,
  agentResources,
  agents,
  conversationMessages,
  conversations,
  crewMembers,
  crews,
  type StoredToolSecret,
  spaces,
  taskContext,
  tasks,
  tenants,
  tools,
  users,
} from "./schema";
import { type Tx, withTenant } from "./tenant-scope";

export {
  type DemoConversation,
  type DemoCrew,
  type DemoCrewRun,
  type DemoMessage,
  type DemoTask,
  demoConversations,
  demoCrews,
} from "./demo-crews";
export { type DemoTool, demoTools } from "./demo-tools";

/**
 * Demo data for `pnpm dev` and `pnpm db:seed`: two tenants, a few users and spaces each, 20
 * agents in every status and a few hundred executions with steps over the last 60 days, so
 * usage charts have shape, a dozen tools (demo-tools.ts) attached to some of the agents, and
 * crews with their tasks, crew runs and conversations (demo-crews.ts). Deterministic (seeded PRNG,
 * fixed ids), so tokens printed by `pnpm dev` keep working across restarts.
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

// 9 is taken by the agents' notebook ids.
const kinds = {
  user: 1,
  space: 2,
  agent: 3,
  execution: 4,
  tool: 5,
  agentTool: 6,
  crew: 7,
  task: 8,
  conversation: 10,
  message: 11,
  crewExecution: 12,
  conversationExecution: 13,
} as const;

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
/**
 * The demo agent that runs a model no price row knows (a tenant's own deployment), so the admin
 * panel shows unpriced runs: their cost is unknown (null) and counted in `unpriced_executions`.
 */
export const demoUnpricedModel = { agent: "Data cleaner", provider: "custom", model: "house-model-1" } as const;
/** Every `demoProvidedCostEvery`th run of an agent reports its own cost (as a caller that knows its bill); the others are priced by the database. */
export const demoProvidedCostEvery = 10;

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
  crews: number;
  crewMembers: number;
  tasks: number;
  /** task_context rows: a task reading an earlier task's output. */
  taskContext: number;
  /** Top-level crew runs (also in `executions`, as are their child runs). */
  crewRuns: number;
  childRuns: number;
  conversations: number;
  messages: number;
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
  /**
   * Seals a demo agent's provider key as `agents.create` stores it (`sealAgentCredential` of
   * @agent-builder/api). Without it the key is written in plaintext, as before migration 0013
   * (`pnpm db:seed`; `pnpm secrets:reseal` seals those rows).
   */
  sealAgentCredential?: (credential: { tenantId: string; agentId: string; apiKey: string }) => Promise<StoredToolSecret>;
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
    crews: 0,
    crewMembers: 0,
    tasks: 0,
    taskContext: 0,
    crewRuns: 0,
    childRuns: 0,
    conversations: 0,
    messages: 0,
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
        const counts = await seedAgent(tx, tenant, tenantIndex + 1, i + 1, agentNumber, random, now, options);
        result.executions += counts.executions;
        result.steps += counts.steps;
        result.agents++;
      }
      // After the agents, and with no PRNG draws: the agents' and executions' draws stay as they were.
      const counts = await seedTools(tx, tenant, tenantIndex + 1, since, now, options);
      result.tools += counts.tools;
      result.toolAttachments += counts.attachments;
      result.toolSecrets += counts.secrets;
      // Crews, their runs and the conversations: no PRNG draws either, every value fixed in demo-crews.ts.
      const crewCounts = await seedCrews(tx, tenant, tenantIndex + 1, now);
      const talk = await seedConversations(tx, tenant, tenantIndex + 1, now);
      result.crews += crewCounts.crews;
      result.crewMembers += crewCounts.members;
      result.tasks += crewCounts.tasks;
      result.taskContext += crewCounts.context;
      result.crewRuns += crewCounts.crewRuns;
      result.childRuns += crewCounts.childRuns;
      result.conversations += talk.conversations;
      result.messages += talk.messages;
      result.executions += crewCounts.crewRuns + crewCounts.childRuns + talk.runs;
      result.steps += crewCounts.steps;
      await seedDemoBudgets(tx, tenant.id, tenantIndex + 1, now);
    });
    result.tenants++;
  }
  result.seeded = true;
  return result;
}

async function seedAgent(
  tx: Tx,
  tenant: DemoTenant,
  tenantIndex: number,
  n: number,
  agentNumber: number,
  random: () => number,
  now: Date,
  options: SeedOptions,
) {
  const pick = <T>(items: readonly T[]) => item(items, Math.floor(random() * items.length));
  const status = item(statusCycle, agentNumber % statusCycle.length);
  const owner = item(tenant.users, 1 + (n % 2));
  const demo = item(demoAgents, agentNumber);
  const space = tenant.spaces.find((s) => s.name === demo.space);
  if (!space) throw new Error(`demo agent ${demo.name}: ${tenant.id} has no space ${demo.space}`);
  const agentId = demoId(tenantIndex, kinds.agent, n);
  const createdAt = new Date(now.getTime() - (historyDays - n) * day);
  const apiKey = `sk-demo-${agentNumber.toString().padStart(4, "0")}`;
  const credential = options.sealAgentCredential
    ? { llmCredential: await options.sealAgentCredential({ tenantId: tenant.id, agentId, apiKey }), llmApiKey: null }
    : { llmApiKey: apiKey };
  // Drawn for every agent, so the random sequence (and every count and id the tests pin) stays as it was.
  const drawn = pick(models);
  const llm = demo.name === demoUnpricedModel.agent ? { provider: demoUnpricedModel.provider, model: demoUnpricedModel.model } : drawn;
  await tx.insert(agents).values({
    id: agentId,
    tenantId: tenant.id,
    name: demo.name,
    description: `Demo agent #${agentNumber + 1} for ${space.name}.`,
    status,
    ownerId: owner.id,
    spaceId: space.id,
    llmConfig: {
      ...llm,
      temperature: Math.round(random() * 10) / 10,
      maxOutputTokens: 2048,
      systemPrompt: "You are a helpful assistant.",
    },
    ...credential,
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
      // Priced by the database from the shipped prices (the agent's model, these tokens, at completion),
      // but for every tenth run, whose caller reported its cost.
      providedCostUsd:
        running || e % demoProvidedCostEvery !== 0 ? null : ((inputTokens * 0.4 + outputTokens * 1.6) / 1_000_000).toFixed(6),
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

/** The demo id of a tenant's nth demo crew (1-based, in demo-crews.ts order). */
export function demoCrewId(tenantIndex: number, n: number) {
  return demoId(tenantIndex, kinds.crew, n);
}

/** The demo id of the tth task (1-based) of a tenant's nth demo crew. */
export function demoTaskId(tenantIndex: number, crew: number, t: number) {
  return demoId(tenantIndex, kinds.task, crew * 100 + t);
}

/** The demo id of the rth run (1-based) of a tenant's nth demo crew; `child` 1.. are its child runs, by task. */
export function demoCrewRunId(tenantIndex: number, crew: number, r: number, child = 0) {
  return demoId(tenantIndex, kinds.crewExecution, crew * 10_000 + r * 100 + child);
}

/** The demo id of a tenant's nth demo conversation (1-based, in demo-crews.ts order). */
export function demoConversationId(tenantIndex: number, n: number) {
  return demoId(tenantIndex, kinds.conversation, n);
}

/** The demo id of message `seq` of a tenant's nth demo conversation. */
export function demoMessageId(tenantIndex: number, conversation: number, seq: number) {
  return demoId(tenantIndex, kinds.message, conversation * 1000 + seq);
}

/** A tenant's demo agents by name: their ids, numbers and creation times. */
function tenantAgents(tenantIndex: number, now: Date) {
  return new Map(
    demoAgents
      .slice(demoAgentOffset(tenantIndex), demoAgentOffset(tenantIndex) + item(agentCounts, tenantIndex - 1))
      .map((agent, i) => [
        agent.name,
        { id: demoId(tenantIndex, kinds.agent, i + 1), createdAt: new Date(now.getTime() - (historyDays - (i + 1)) * day) },
      ]),
  );
}

function userOf(tenant: DemoTenant, who: "admin" | "member" | "member2" | "service") {
  const index = { admin: 0, member: 1, member2: 2, service: 3 }[who];
  return item(tenant.users, index).id;
}

/** Fixed, varied token counts (no PRNG): a child run's by crew, run and task. */
function demoTokens(a: number, b: number, c: number, failed = false) {
  const inputTokens = 380 + ((a * 7 + b * 5 + c * 3) % 11) * 140;
  const outputTokens = failed ? 20 + ((a + b + c) % 4) * 15 : 90 + ((a * 3 + b * 11 + c * 5) % 9) * 85;
  return { inputTokens, outputTokens };
}

/** The demo price: $0.40 per million input tokens, $1.60 per million output tokens, in micro-dollars. */
function microUsd(tokens: { inputTokens: number; outputTokens: number }) {
  return Math.round(tokens.inputTokens * 0.4 + tokens.outputTokens * 1.6);
}

const usd = (micro: number) => (micro / 1_000_000).toFixed(6);

/**
 * The tenant's demo crews (members in order, tasks in order with their context edges) and their
 * runs. A crew run goes as the API does it: the crew run inserted `running` (no agent; its tokens
 * start at zero), each task's child run (the assignee's, under the crew run: the trigger sets its
 * crew) inserted running with its steps (each naming the task), then finished; then the crew run
 * finished, which the crew-run trigger sums its children into (and refuses while one runs).
 * The usage trigger counts each run as it finishes.
 */
async function seedCrews(tx: Tx, tenant: DemoTenant, tenantIndex: number, now: Date) {
  const definitions = demoCrews[tenant.id] ?? [];
  const counts = { crews: 0, members: 0, tasks: 0, context: 0, crewRuns: 0, childRuns: 0, steps: 0 };
  if (definitions.length === 0) return counts;
  const agentIds = tenantAgents(tenantIndex, now);
  const agentId = (crew: DemoCrew, name: string) => {
    const agent = agentIds.get(name);
    if (!agent) throw new Error(`demo crew ${crew.name}: ${tenant.id} has no demo agent ${name}`);
    return agent.id;
  };
  // The tools a member calls in its steps: its enabled attachments, by position.
  const toolsOf = (name: string) =>
    (demoTools[tenant.id] ?? [])
      .flatMap((tool) =>
        tool.attachedTo.filter((a) => a.agent === name && a.enabled !== false).map((a) => ({ tool: tool.name, position: a.position })),
      )
      .toSorted((x, y) => x.position - y.position)
      .map((a) => a.tool);

  for (const [c, crew] of definitions.entries()) {
    const crewNo = c + 1;
    const crewId = demoCrewId(tenantIndex, crewNo);
    const space = tenant.spaces.find((s) => s.name === crew.space);
    if (!space) throw new Error(`demo crew ${crew.name}: ${tenant.id} has no space ${crew.space}`);
    const createdAt = new Date(now.getTime() - crew.createdDaysAgo * day);
    const at = { createdAt, updatedAt: createdAt };
    await tx.insert(crews).values({
      id: crewId,
      tenantId: tenant.id,
      name: crew.name,
      description: crew.description,
      process: crew.process,
      managerAgentId: crew.manager ? agentId(crew, crew.manager) : null,
      ownerId: userOf(tenant, crew.owner),
      spaceId: space.id,
      memory: crew.memory ?? false,
      verbose: crew.verbose ?? false,
      maxIterations: crew.maxIterations ?? null,
      ...at,
    });
    await tx
      .insert(crewMembers)
      .values(crew.members.map((name, position) => ({ tenantId: tenant.id, crewId, agentId: agentId(crew, name), position, ...at })));
    const taskIds = new Map(crew.tasks.map((task, t) => [task.title, demoTaskId(tenantIndex, crewNo, t + 1)]));
    await tx.insert(tasks).values(
      crew.tasks.map((task, position) => ({
        id: demoTaskId(tenantIndex, crewNo, position + 1),
        tenantId: tenant.id,
        crewId,
        title: task.title,
        description: task.description,
        expectedOutput: task.expectedOutput,
        agentId: agentId(crew, task.assignee),
        position,
        outputFormat: task.outputFormat ?? null,
        ...at,
      })),
    );
    const edges = crew.tasks.flatMap((task) =>
      (task.context ?? []).map((title) => {
        const contextTaskId = taskIds.get(title);
        const taskId = taskIds.get(task.title);
        if (!contextTaskId || !taskId) throw new Error(`demo crew ${crew.name}: task ${task.title} reads unknown task ${title}`);
        return { tenantId: tenant.id, crewId, taskId, contextTaskId, ...at };
      }),
    );
    if (edges.length > 0) await tx.insert(taskContext).values(edges);
    counts.crews++;
    counts.members += crew.members.length;
    counts.tasks += crew.tasks.length;
    counts.context += edges.length;

    for (const [r, run] of crew.runs.entries()) {
      const runId = demoCrewRunId(tenantIndex, crewNo, r + 1);
      const startedAt = new Date(now.getTime() - run.daysAgo * day - (24 - run.hour) * 3_600_000);
      const userId = userOf(tenant, run.by);
      await tx.insert(agentExecutions).values({
        id: runId,
        tenantId: tenant.id,
        crewId,
        userId,
        inputData: { prompt: run.prompt },
        status: "running",
        startedAt,
        createdAt: startedAt,
        updatedAt: startedAt,
      });
      counts.crewRuns++;
      // The tasks in order; a failed run stops at its failed task.
      const done = run.outcome === "failed" ? (run.failedTask ?? 0) + 1 : crew.tasks.length;
      let clock = startedAt.getTime() + 150;
      let failedTitle = "";
      for (const [t, task] of crew.tasks.slice(0, done).entries()) {
        const childId = demoCrewRunId(tenantIndex, crewNo, r + 1, t + 1);
        const failed = run.outcome === "failed" && t === done - 1;
        const tokens = demoTokens(crewNo, r + 1, t + 1, failed);
        const durationMs = 1_200 + ((crewNo * 13 + (r + 1) * 7 + (t + 1) * 29) % 17) * 410;
        const childStart = new Date(clock);
        const childEnd = new Date(clock + durationMs);
        const taskId = demoTaskId(tenantIndex, crewNo, t + 1);
        const tool = toolsOf(task.assignee)[0];
        const stepTypes: StepType[] = tool ? ["thought", "tool_call", "tool_result", "message"] : ["thought", "message"];
        const stepData = (type: StepType) =>
          type === "thought"
            ? { text: `Working on "${task.title}"` }
            : type === "tool_call"
              ? { tool, input: { query: run.prompt } }
              : type === "tool_result"
                ? { tool, output: failed ? { error: "upstream returned 503" } : { ok: true } }
                : { text: failed ? `Could not finish "${task.title}".` : `Done: ${task.expectedOutput}` };
        await tx.insert(agentExecutions).values({
          id: childId,
          tenantId: tenant.id,
          agentId: agentId(crew, task.assignee),
          parentExecutionId: runId,
          userId,
          inputData: { task: task.title, prompt: run.prompt },
          status: "running",
          startedAt: childStart,
          stepCount: stepTypes.length,
          createdAt: childStart,
          updatedAt: childStart,
        });
        await tx.insert(agentExecutionSteps).values(
          stepTypes.map((type, s) => ({
            tenantId: tenant.id,
            executionId: childId,
            ordinal: s + 1,
            type,
            data: stepData(type),
            taskId,
            inputTokens: Math.floor(tokens.inputTokens / stepTypes.length),
            outputTokens: Math.floor(tokens.outputTokens / stepTypes.length),
            createdAt: new Date(clock + s * 200),
          })),
        );
        const outcome: ExecutionStatus = failed ? "failed" : "succeeded";
        await tx
          .update(agentExecutions)
          .set({
            status: outcome,
            completedAt: childEnd,
            durationMs,
            ...tokens,
            cachedInputTokens: Math.floor(tokens.inputTokens / 4),
            providedCostUsd: usd(microUsd(tokens)),
            outputData: failed ? null : { text: `Done: ${task.expectedOutput}` },
            errorCode: failed ? "tool_error" : null,
            errorMessage: failed ? "Demo failure: a tool's upstream service returned 503." : null,
            updatedAt: childEnd,
          })
          .where(and(eq(agentExecutions.tenantId, tenant.id), eq(agentExecutions.id, childId)));
        counts.childRuns++;
        counts.steps += stepTypes.length;
        if (failed) failedTitle = task.title;
        clock = childEnd.getTime() + 100;
      }
      const completedAt = new Date(clock);
      // Tokens and cost: the trigger writes the children's sums.
      await tx
        .update(agentExecutions)
        .set({
          status: run.outcome,
          completedAt,
          durationMs: completedAt.getTime() - startedAt.getTime(),
          outputData: run.outcome === "succeeded" ? { text: `Crew ${crew.name} finished ${crew.tasks.length} tasks.` } : null,
          errorCode: run.outcome === "failed" ? "task_failed" : null,
          errorMessage: run.outcome === "failed" ? `Task "${failedTitle}" failed; the tasks after it did not run.` : null,
          updatedAt: completedAt,
        })
        .where(and(eq(agentExecutions.tenantId, tenant.id), eq(agentExecutions.id, runId)));
    }
  }
  return counts;
}

/**
 * The tenant's demo conversations and their messages (seq 1..n, and message_count n). A message
 * marked `run` was produced by a run of the conversation's agent made in the conversation: the
 * run is started, the message names it, the run finishes and the usage trigger adds its tokens
 * and cost to the conversation. Other assistant messages' usage is on the row from the start, as
 * `conversations.appendMessage` adds it: each token counted once.
 */
async function seedConversations(tx: Tx, tenant: DemoTenant, tenantIndex: number, now: Date) {
  const definitions = demoConversations[tenant.id] ?? [];
  const counts = { conversations: 0, messages: 0, runs: 0 };
  const agentIds = tenantAgents(tenantIndex, now);
  const crewIds = new Map((demoCrews[tenant.id] ?? []).map((crew, c) => [crew.name, demoCrewId(tenantIndex, c + 1)]));
  for (const [c, conversation] of definitions.entries()) {
    const conversationNo = c + 1;
    const id = demoConversationId(tenantIndex, conversationNo);
    const subject =
      "agent" in conversation.subject
        ? { agentId: agentIds.get(conversation.subject.agent)?.id, crewId: null }
        : { agentId: null, crewId: crewIds.get(conversation.subject.crew) };
    if (!subject.agentId && !subject.crewId)
      throw new Error(`demo conversation ${conversation.title}: no such agent or crew in ${tenant.id}`);
    const createdAt = new Date(now.getTime() - conversation.daysAgo * day - (24 - conversation.hour) * 3_600_000);
    const sentAt = (seq: number) => new Date(createdAt.getTime() + seq * 60_000);
    const messages = conversation.messages;
    const lastAt = sentAt(messages.length);
    // Usage the conversation's row carries itself: assistant messages no run produced.
    const unlinked = messages.filter((m) => m.usage && !m.run);
    const userId = userOf(tenant, conversation.owner);
    await tx.insert(conversations).values({
      id,
      tenantId: tenant.id,
      userId,
      agentId: subject.agentId ?? null,
      crewId: subject.crewId ?? null,
      title: conversation.title,
      archivedAt: conversation.archived ? new Date(lastAt.getTime() + 3_600_000) : null,
      messageCount: messages.length,
      inputTokens: unlinked.reduce((n, m) => n + (m.usage?.inputTokens ?? 0), 0),
      outputTokens: unlinked.reduce((n, m) => n + (m.usage?.outputTokens ?? 0), 0),
      costUsd: usd(unlinked.reduce((n, m) => n + (m.usage ? microUsd(m.usage) : 0), 0)),
      lastMessageAt: lastAt,
      createdAt,
      updatedAt: conversation.archived ? new Date(lastAt.getTime() + 3_600_000) : lastAt,
    });
    counts.conversations++;

    // The runs first (running), so the messages can name them; finished after.
    const runs: Array<{ id: string; startedAt: Date; completedAt: Date; usage: { inputTokens: number; outputTokens: number } }> = [];
    for (const [i, message] of messages.entries()) {
      if (!message.run) continue;
      if (!subject.agentId || !message.usage || message.role !== "assistant") {
        throw new Error(`demo conversation ${conversation.title}: only an agent's assistant message with usage comes from a run`);
      }
      const seq = i + 1;
      const runId = demoId(tenantIndex, kinds.conversationExecution, conversationNo * 1000 + seq);
      const startedAt = new Date(sentAt(seq).getTime() - 2_500);
      await tx.insert(agentExecutions).values({
        id: runId,
        tenantId: tenant.id,
        agentId: subject.agentId,
        conversationId: id,
        userId,
        inputData: { conversationId: id, prompt: messages.slice(0, i).findLast((m) => m.role === "user")?.content ?? "" },
        status: "running",
        startedAt,
        createdAt: startedAt,
        updatedAt: startedAt,
      });
      runs.push({ id: runId, startedAt, completedAt: sentAt(seq), usage: message.usage });
    }
    const runIdOf = new Map(runs.map((run, n) => [n, run.id]));
    let runIndex = 0;
    await tx.insert(conversationMessages).values(
      messages.map((message, i) => {
        const seq = i + 1;
        const parentSeq = message.parent ?? (seq > 1 ? seq - 1 : null);
        const executionId = message.run ? (runIdOf.get(runIndex++) ?? null) : null;
        return {
          id: demoMessageId(tenantIndex, conversationNo, seq),
          tenantId: tenant.id,
          conversationId: id,
          seq,
          parentMessageId: parentSeq === null ? null : demoMessageId(tenantIndex, conversationNo, parentSeq),
          role: message.role,
          content: message.content ?? null,
          parts: message.content === undefined ? (message.parts ?? null) : null,
          inputTokens: message.usage?.inputTokens ?? 0,
          outputTokens: message.usage?.outputTokens ?? 0,
          costUsd: usd(message.usage ? microUsd(message.usage) : 0),
          executionId,
          createdAt: sentAt(seq),
          updatedAt: sentAt(seq),
        };
      }),
    );
    counts.messages += messages.length;
    for (const run of runs) {
      await tx
        .update(agentExecutions)
        .set({
          status: "succeeded",
          completedAt: run.completedAt,
          durationMs: run.completedAt.getTime() - run.startedAt.getTime(),
          ...run.usage,
          providedCostUsd: usd(microUsd(run.usage)),
          outputData: { text: "Answered in the conversation." },
          updatedAt: run.completedAt,
        })
        .where(and(eq(agentExecutions.tenantId, tenant.id), eq(agentExecutions.id, run.id)));
      counts.runs++;
    }
  }
  return counts;
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
