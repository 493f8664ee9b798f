// Strict code of an app outside the workspace, typechecked against the packed SDK.
// Every @ts-expect-error must meet a real type error, or tsc fails: that proves the types are exact.
import {
  type Agent,
  type AgentDetail,
  type AgentUsage,
  type Budget,
  type BudgetCrossing,
  type Conversation,
  type ConversationMessage,
  type Crew,
  type CrewDetail,
  type CrewUsage,
  createAgentBuilderClient,
  type Execution,
  type ExecutionCost,
  type ExecutionWithSteps,
  isApiError,
  type ModelPrice,
  type ModelResolution,
  type PriceSnapshot,
  type PricingLine,
  paginate,
  type RecordExecutionsInput,
  type RecordExecutionsResult,
  type RecordedRun,
  type RouterInputs,
  type RouterOutputs,
  type Space,
  type Task,
} from "@agent-builder/sdk";

type IsAny<T> = 0 extends 1 & T ? true : false;
const agentIsNotAny: IsAny<Agent> = false;
const outputsAreNotAny: IsAny<RouterOutputs["executions"]["get"]> = false;
const inputsAreNotAny: IsAny<RouterInputs["agents"]["create"]> = false;

export async function everyNamespace(): Promise<void> {
  const client = createAgentBuilderClient({ url: "http://localhost:3000/trpc", getToken: async () => "token" });

  const health = await client.health.query();
  const reachable: boolean = health.database.reachable;

  const user = await client.directory.upsertUser.mutate({ id: "00000000-0000-4000-8000-000000000001", email: "a@b.test" });
  const space = await client.directory.upsertSpace.mutate({ id: user.id, name: "Space" });
  const spaces = await client.directory.listSpaces.query({ limit: 10 });
  const spaceName: string | undefined = spaces.items[0]?.name;
  // One pager for every keyset list, as a client method or a standalone function.
  for await (const each of client.paginate(client.directory.listSpaces, { limit: 100 })) {
    const paged: Space = each;
    const pagedIsNotAny: IsAny<typeof each> = false;
    console.log(paged, pagedIsNotAny);
  }
  for await (const each of paginate(client.admin.agents, { tenantId: "acme", status: "active" })) {
    const owner: string = each.ownerId;
    console.log(owner);
  }

  const agent: Agent = await client.agents.create.mutate({
    name: "Helper",
    spaceId: space.id,
    llmConfig: { provider: "openai", model: "gpt-4.1-mini", temperature: 0.5, apiKey: "sk-..." },
    role: "Support triage specialist",
    goal: "Route every ticket to the right queue",
    backstory: "Years on the help desk.",
    allowDelegation: true,
    maxIterations: 25,
    category: "support",
    tags: ["triage", "tickets"],
  });
  const persona: { role: string | null; tags: string[]; maxIterations: number; reasoning: boolean } = agent;
  console.log(persona);
  await client.agents.list.query({ tag: "triage", category: "support" });
  await client.agents.update.mutate({ id: agent.id, expectedVersion: agent.version, backstory: null, tags: [] });
  const total: number = agent.stats.totalExecutions;
  const hint: string | null = agent.apiKeyHint;
  const detail: AgentDetail = await client.agents.get.query({ id: agent.id });
  const firstTool: string | undefined = detail.tools[0]?.name;
  await client.agents.attachTool.mutate({ agentId: agent.id, toolId: agent.id, position: 1, configuration: { k: 1 } });
  await client.agents.detachTool.mutate({ agentId: agent.id, toolId: agent.id });
  await client.agents.list.query({ status: ["active", "paused"], sortBy: "lastExecutedAt", sortDirection: "desc" });
  await client.agents.update.mutate({ id: agent.id, expectedVersion: agent.version, name: "Renamed" });
  await client.agents.setStatus.mutate({ id: agent.id, status: "active" });
  await client.agents.detachNotebook.mutate({ notebookId: agent.id });
  for await (const each of client.agents.listAll({ spaceId: space.id })) {
    const status: "draft" | "active" | "paused" | "archived" = each.status;
    console.log(status);
  }

  const execution = await client.executions.start.mutate({ agentId: agent.id, input: { q: 1 }, idempotencyKey: "k-1" });
  await client.executions.appendSteps.mutate({ executionId: execution.id, steps: [{ type: "tool_call", data: { tool: "search" } }] });
  await client.executions.complete.mutate({ id: execution.id, output: "ok", usage: { inputTokens: 1, outputTokens: 2 }, costUsd: 0.01 });
  // Usage and cost are optional: the API prices the usage at the model's price, or costs 0 without any.
  const priced: Execution = await client.executions.complete.mutate({ id: execution.id, output: "ok" });
  const unknownCost: number | null = priced.costUsd;
  const model: string | null = priced.model;
  await client.executions.fail.mutate({ id: execution.id, error: { code: "x", message: "y" } });
  await client.executions.fail.mutate({
    id: execution.id,
    error: { message: "y" },
    usage: { inputTokens: 1, outputTokens: 2, model: "gpt-4o" },
  });
  await client.executions.cancel.mutate({ id: execution.id, reason: "user left" });
  const full: ExecutionWithSteps = await client.executions.get.query({ id: execution.id });
  const ordinal: number | undefined = full.steps[0]?.ordinal;
  const cost: ExecutionCost = full.cost;
  const computed: number | null = cost.computedUsd;
  const line: PricingLine | undefined = cost.pricing?.lines[0];
  const price: PriceSnapshot | null | undefined = line?.price;
  const cachedRate: number | undefined = price?.cachedInput;
  const stepCost: number | null | undefined = full.steps[0]?.costUsd;
  console.log(unknownCost, model, computed, cachedRate, stepCost);
  await client.executions.list.query({ agentId: agent.id, status: "failed", from: "2026-01-01T00:00:00Z" });
  for await (const run of client.executions.listAll({ agentId: agent.id })) {
    // null: the cost is unknown (no price for the model, none given).
    const runCost: number | null = run.costUsd;
    console.log(runCost);
  }
  await client.recordExecution({ agentId: agent.id, input: null }, async (run) => {
    await run.step({ type: "thought", data: "hm" });
    return { output: { answer: 42 }, usage: { inputTokens: 3, outputTokens: 4 }, costUsd: 0 };
  });
  await client.recordExecution({ agentId: agent.id, input: null }, async () => ({ output: "priced by the API" }));
  // Crew runs: a crew run whose work is its child runs, steps by task; finished runs recorded in one call.
  const crewRun: Execution = await client.recordCrewExecution({ crewId: space.id, input: "go" }, async (run) => {
    await run.step({ type: "message", data: "plan", taskId: space.id });
    const part: Execution = await run.child({ agentId: agent.id, input: 1 }, async (child) => {
      await child.step({ type: "thought", data: "hm", taskId: space.id });
      return { output: 1, usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0 };
    });
    return { output: { part: part.id } };
  });
  const crewOfRun: string | null = crewRun.crewId;
  const batch: RecordExecutionsInput = {
    runs: [
      {
        agentId: agent.id,
        input: 1,
        output: 2,
        status: "succeeded",
        durationMs: 5,
        usage: { inputTokens: 1, outputTokens: 2 },
        costUsd: 0.01,
      },
      {
        crewId: space.id,
        input: 1,
        status: "cancelled",
        durationMs: 9,
        childRuns: [
          {
            agentId: agent.id,
            input: 2,
            status: "failed",
            error: { message: "x" },
            durationMs: 3,
            usage: { inputTokens: 1, outputTokens: 0 },
            costUsd: 0,
          },
        ],
      },
    ],
  };
  const recorded: RecordExecutionsResult = await client.executions.record.mutate(batch);
  const childIds: string[] | undefined = recorded.runs[1]?.childIds;
  // @ts-expect-error a recorded run is finished: "running" is not a status it takes
  const unfinished: RecordedRun["status"] = "running";
  const children: ExecutionWithSteps["childRuns"] = (await client.executions.get.query({ id: crewRun.id })).childRuns;
  const crewUsage: CrewUsage = await client.usage.crew.query({ crewId: space.id });
  await client.usage.timeseries.query({ from: "2026-01-01", to: "2026-01-31", crewId: space.id });
  await client.executions.list.query({ crewId: space.id, parentExecutionId: crewRun.id });
  console.log(crewOfRun, childIds, children.length, crewUsage.lifetime.executions, unfinished);

  const usage: AgentUsage = await client.usage.agent.query({ agentId: agent.id });
  const month: number = usage.thisMonth.executions;
  await client.usage.space.query({ spaceId: space.id });
  await client.usage.tenant.query();
  await client.usage.timeseries.query({ from: "2026-01-01", to: "2026-01-31" });

  // Staff-only namespace (admin tokens): typed like the rest.
  const overview = await client.admin.overview.query({ days: 30 });
  const rate: number | null | undefined = overview.tenants[0]?.failureRate;
  await client.admin.tenant.query({ tenantId: "acme" });
  await client.admin.agents.query({ tenantId: "acme", status: "active" });
  await client.admin.agent.query({ id: agent.id });
  await client.admin.setAgentStatus.mutate({ id: agent.id, status: "paused", reason: "costs" });
  await client.admin.executions.query({ tenantId: "acme", status: ["failed"] });
  await client.admin.execution.query({ id: execution.id });
  await client.admin.auditLog.query({ limit: 10 });

  try {
    await client.agents.delete.mutate({ id: agent.id });
  } catch (error) {
    if (isApiError(error, "NOT_FOUND")) {
      const code: string | undefined = error.data?.code;
      const fields: Record<string, string[] | undefined> | undefined = error.data?.zodError?.fieldErrors;
      console.log(code, fields);
    }
  }

  // Crews: member agents in order, tasks assigned to members, context between tasks.
  const crew: Crew = await client.crews.create.mutate({
    name: "Research",
    spaceId: space.id,
    memberAgentIds: [agent.id],
    maxIterations: 10,
  });
  const crewTask: Task = await client.tasks.create.mutate({
    crewId: crew.id,
    title: "Find sources",
    description: "Collect what is known",
    expectedOutput: "A list of sources",
    agentId: agent.id,
    outputFormat: { type: "object", properties: { sources: { type: "array" } } },
  });
  await client.tasks.update.mutate({ id: crewTask.id, expectedVersion: crewTask.version, context: [], outputFormat: null });
  const crewDetail: CrewDetail = await client.crews.get.query({ id: crew.id });
  const memberTools: number | undefined = crewDetail.members[0]?.tools.length;
  const crewRuns: number = crewDetail.executionCount;
  const context: string[] | undefined = crewDetail.tasks[0]?.context;
  console.log(memberTools, crewRuns, context);
  for await (const each of client.paginate(client.tasks.list, { crewId: crew.id })) {
    const position: number = each.position;
    console.log(position);
  }
  await client.crews.list.query({ memberAgentId: agent.id, process: "hierarchical", sortBy: "name" });
  await client.crews.update.mutate({ id: crew.id, expectedVersion: crew.version, process: "hierarchical", managerAgentId: user.id });
  await client.admin.crew.query({ id: crew.id });
  // @ts-expect-error a crew's process is sequential or hierarchical
  await client.crews.create.mutate({ name: "x", spaceId: space.id, memberAgentIds: [agent.id], process: "parallel" });
  // @ts-expect-error a task needs its assignee
  await client.tasks.create.mutate({ crewId: crew.id, title: "t", description: "d", expectedOutput: "o" });
  // Wrong inputs are type errors.
  // @ts-expect-error name must be a string
  await client.agents.create.mutate({ name: 42, spaceId: space.id, llmConfig: { provider: "openai", model: "m" } });
  // Conversations: a thread with the agent, its messages newest first (older ones with `before`).
  const chat: Conversation = await client.conversations.create.mutate({ agentId: agent.id, title: "Support chat" });
  const question: ConversationMessage = await client.conversations.appendMessage.mutate({
    conversationId: chat.id,
    role: "user",
    content: "Where is my order?",
  });
  await client.conversations.appendMessage.mutate({
    conversationId: chat.id,
    role: "assistant",
    parts: [{ type: "text", text: "Let me check." }],
    parentMessageId: question.id,
    inputTokens: 12,
    outputTokens: 4,
    costUsd: 0.0001,
  });
  for await (const each of client.paginate(client.conversations.messages, { conversationId: chat.id, before: question.id })) {
    const seq: number = each.seq;
    const branch: string | null = each.parentMessageId;
    console.log(seq, branch);
  }
  const chatTokens: number = (await client.conversations.get.query({ id: chat.id })).totalTokens;
  await client.conversations.archive.mutate({ id: chat.id, archived: true });
  // @ts-expect-error a message's role is user, assistant, system or tool
  await client.conversations.appendMessage.mutate({ conversationId: chat.id, role: "robot", content: "x" });
  // @ts-expect-error the owner is the caller: userId is not an input of create
  await client.conversations.create.mutate({ agentId: agent.id, userId: user.id });
  // @ts-expect-error provider is one of the known providers
  await client.agents.create.mutate({ name: "x", spaceId: space.id, llmConfig: { provider: "skynet", model: "m" } });
  // @ts-expect-error tenantId is not an input: the tenant comes from the token
  await client.agents.create.mutate({ name: "x", spaceId: space.id, llmConfig: { provider: "openai", model: "m" }, tenantId: "t" });
  // @ts-expect-error expectedVersion is required for an update
  await client.agents.update.mutate({ id: agent.id, name: "x" });
  // @ts-expect-error maxIterations is a number, not a string
  await client.agents.update.mutate({ id: agent.id, expectedVersion: 1, maxIterations: "25" });
  // @ts-expect-error tags are a list of strings
  await client.agents.create.mutate({ name: "x", spaceId: space.id, llmConfig: { provider: "openai", model: "m" }, tags: "triage" });
  // @ts-expect-error status must be a known status
  await client.agents.setStatus.mutate({ id: agent.id, status: "deleted" });
  // @ts-expect-error usage needs output tokens
  await client.executions.complete.mutate({ id: execution.id, output: 1, usage: { inputTokens: 1 }, costUsd: 0 });
  // @ts-expect-error token counts are numbers, and the usage is an object of them
  await client.executions.complete.mutate({ id: execution.id, output: 1, usage: { inputTokens: "10", outputTokens: 2 } });
  // @ts-expect-error an unknown cost reads null: it is not a number
  const sure: number = full.costUsd;
  // @ts-expect-error step type must be a known one
  await client.executions.appendSteps.mutate({ executionId: execution.id, steps: [{ type: "dance", data: 1 }] });
  // @ts-expect-error there is no such procedure
  await client.agents.explode.mutate({ id: agent.id });
  // @ts-expect-error outputs are typed too: totalExecutions is a number
  const wrong: string = agent.stats.totalExecutions;
  // @ts-expect-error the credential is never part of a read
  const leaked: string = agent.llmConfig.apiKey;
  // @ts-expect-error queries are not mutations
  await client.agents.list.mutate({});
  // @ts-expect-error only list procedures page: agents.get answers one agent, not a page
  client.paginate(client.agents.get, { id: agent.id });
  // @ts-expect-error a mutation is not a list
  paginate(client.agents.create, { name: "x", spaceId: space.id, llmConfig: { provider: "openai", model: "m" } });
  // @ts-expect-error the pager owns the cursor
  paginate(client.directory.listSpaces, { cursor: "abc" });
  // @ts-expect-error a list's required filter stays required: admin.agents needs tenantId
  paginate(client.admin.agents, { status: "active" });
  for await (const each of paginate(client.directory.listSpaces)) {
    // @ts-expect-error paged items are typed: a space's name is a string
    const wrongName: number = each.name;
    console.log(wrongName);
  }

  // Model prices: what prices a model name, checked before relying on computed costs, and a tenant override.
  const resolved: ModelResolution = await client.models.resolve.query({ model: "gpt-4o-2024-08-06", provider: "openai" });
  const inputPrice: number | undefined = resolved.price?.prices.input;
  const override: ModelPrice = await client.models.create.mutate({
    provider: "openai",
    modelName: "gpt-4o",
    prices: { input: 2, output: 8 },
  });
  const cachedPrice: number | null = override.prices.cachedInput;
  for await (const each of client.paginate(client.models.list, { provider: "openai", scope: "global" })) {
    const shadowedBy: string | null = each.overriddenBy;
    console.log(each.modelName, shadowedBy);
  }
  const history: ModelPrice[] = (await client.models.get.query({ id: override.id })).history;
  // @ts-expect-error prices are in USD only
  await client.models.create.mutate({ provider: "openai", modelName: "m", prices: { input: 1, output: 1 }, currency: "EUR" });
  // @ts-expect-error a correction needs expectedVersion
  await client.models.update.mutate({ id: override.id, prices: { input: 1 } });
  // @ts-expect-error a price is a number of USD per million tokens, not a string
  await client.models.create.mutate({ provider: "openai", modelName: "m", prices: { input: "1", output: 1 } });
  console.log(inputPrice, cachedPrice, history.length);

  // Budgets: a hard monthly limit on an agent, where it stands, and its crossings.
  const budget: Budget = await client.budgets.create.mutate({
    name: "Research cap",
    scope: "agent",
    agentId: "00000000-0000-4000-8000-000000000001",
    period: "monthly",
    limitUsd: 50,
    enforcement: "hard",
    alertThresholdPercent: 80,
  });
  const state: "ok" | "threshold" | "exceeded" = budget.status.state;
  const crossings: BudgetCrossing[] = (await client.budgets.crossings.query({ budgetId: budget.id })).items;
  // @ts-expect-error a budget's period is daily or monthly
  await client.budgets.create.mutate({ name: "x", scope: "tenant", period: "weekly", limitUsd: 1, enforcement: "soft" });
  console.log(state, crossings.length);

  console.log(
    rate,
    agentIsNotAny,
    outputsAreNotAny,
    inputsAreNotAny,
    reachable,
    spaceName,
    total,
    hint,
    firstTool,
    chatTokens,
    ordinal,
    month,
    wrong,
    leaked,
    sure,
  );
}
