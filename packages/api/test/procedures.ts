import { appRouter } from "../src/root";

/** The ids a valid input may refer to: rows of the caller's own tenant. */
export interface OwnIds {
  agent: string;
  execution: string;
  space: string;
  user: string;
  tenant: string;
  /** A conversation of the member's (with an agent other than `agent`, which agents.delete may remove) and one of its messages. */
  conversation: string;
  message: string;
  /** A crew of the tenant's (its one member \`crewMember\`, not \`agent\`) and its one task, assigned to that member. */
  crew: string;
  task: string;
  crewMember: string;
}

const llmConfig = { provider: "openai", model: "gpt-4.1-mini" };
const usage = { inputTokens: 10, outputTokens: 2 };

/**
 * One valid input per procedure (or `undefined` for procedures without input), and who may call
 * it. Tests derive bad inputs from these; a procedure missing here fails `procedureTable()`.
 */
export const validInputs: Record<string, { role: "member" | "service" | "admin"; input: (ids: OwnIds) => unknown }> = {
  health: { role: "member", input: () => undefined },
  "directory.upsertUser": { role: "service", input: (ids) => ({ id: ids.user, email: "u@fuzz.test", displayName: "U", role: "member" }) },
  "directory.upsertSpace": { role: "service", input: (ids) => ({ id: ids.space, name: "Space" }) },
  "directory.listSpaces": { role: "member", input: () => ({ limit: 10 }) },
  "agents.create": {
    role: "member",
    input: (ids) => ({
      name: "Fuzz",
      spaceId: ids.space,
      llmConfig,
      notebookIds: [],
      role: "Fuzz tester",
      goal: "Break the contract",
      backstory: "Sends what nobody should.",
      verbose: true,
      allowDelegation: false,
      reasoning: true,
      maxIterations: 10,
      category: "testing",
      tags: ["fuzz", "qa"],
    }),
  },
  "agents.get": { role: "member", input: (ids) => ({ id: ids.agent }) },
  "agents.list": {
    role: "member",
    input: (ids) => ({
      limit: 5,
      status: "active",
      spaceId: ids.space,
      search: "a",
      tag: "fuzz",
      category: "testing",
      sortBy: "name",
      sortDirection: "asc",
      direction: "forward",
    }),
  },
  "agents.update": {
    role: "member",
    input: (ids) => ({
      id: ids.agent,
      expectedVersion: 1,
      description: "d",
      role: "Reviewer",
      goal: null,
      backstory: "b",
      verbose: false,
      allowDelegation: true,
      reasoning: false,
      maxIterations: 100,
      category: null,
      tags: ["qa"],
    }),
  },
  "agents.setStatus": { role: "member", input: (ids) => ({ id: ids.agent, status: "active" }) },
  "agents.detachNotebook": { role: "member", input: (ids) => ({ notebookId: ids.space }) },
  "agents.attachTool": {
    role: "member",
    input: (ids) => ({ agentId: ids.agent, toolId: ids.agent, configuration: { maxResults: 5 }, enabled: true, position: 1 }),
  },
  "agents.updateTool": {
    role: "member",
    input: (ids) => ({ agentId: ids.agent, toolId: ids.agent, configuration: { maxResults: 3 }, enabled: false, position: 2 }),
  },
  "agents.detachTool": { role: "member", input: (ids) => ({ agentId: ids.agent, toolId: ids.agent }) },
  "agents.delete": { role: "member", input: (ids) => ({ id: ids.agent }) },
  "executions.start": {
    role: "member",
    input: (ids) => ({ agentId: ids.agent, input: { q: 1 }, idempotencyKey: "fuzz-key", metadata: { a: 1 } }),
  },
  "executions.appendSteps": {
    role: "member",
    input: (ids) => ({ executionId: ids.execution, steps: [{ type: "thought", data: { t: 1 } }] }),
  },
  "executions.complete": { role: "member", input: (ids) => ({ id: ids.execution, output: { a: 1 }, usage, costUsd: 0.01, durationMs: 5 }) },
  "executions.fail": { role: "member", input: (ids) => ({ id: ids.execution, error: { code: "x", message: "y" }, usage, costUsd: 0 }) },
  "executions.cancel": { role: "member", input: (ids) => ({ id: ids.execution, reason: "r" }) },
  "executions.record": {
    role: "member",
    input: (ids) => ({
      runs: [
        {
          agentId: ids.agent,
          input: { q: 1 },
          output: { a: 1 },
          status: "failed",
          error: { code: "x", message: "y" },
          startedAt: "2026-01-01T00:00:00Z",
          durationMs: 5,
          usage,
          costUsd: 0.01,
          idempotencyKey: "fuzz-record-key",
          metadata: { a: 1 },
          steps: [{ type: "thought", data: { t: 1 }, inputTokens: 1 }],
        },
      ],
    }),
  },
  "executions.get": { role: "member", input: (ids) => ({ id: ids.execution }) },
  "executions.list": {
    role: "member",
    input: (ids) => ({
      limit: 5,
      agentId: ids.agent,
      crewId: ids.agent,
      parentExecutionId: ids.execution,
      status: ["running"],
      from: "2026-01-01T00:00:00Z",
      direction: "forward",
    }),
  },
  "tools.create": {
    role: "member",
    input: () => ({
      name: "Fuzz tool",
      type: "http",
      parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] },
      configuration: { url: "https://example.test/search" },
      usageExamples: ["search for q"],
      tags: ["fuzz"],
    }),
  },
  "tools.get": { role: "member", input: (ids) => ({ id: ids.agent }) },
  "tools.list": {
    role: "member",
    input: () => ({ limit: 5, type: "http", tag: "fuzz", search: "a", sortBy: "name", sortDirection: "asc", direction: "forward" }),
  },
  "tools.update": { role: "member", input: (ids) => ({ id: ids.agent, expectedVersion: 1, description: "d" }) },
  "tools.delete": { role: "member", input: (ids) => ({ id: ids.agent }) },
  "crews.create": {
    role: "member",
    input: (ids) => ({
      name: "Fuzz crew",
      description: "d",
      process: "sequential",
      memberAgentIds: [ids.crewMember],
      spaceId: ids.space,
      memory: true,
      verbose: false,
      maxIterations: 10,
    }),
  },
  "crews.get": { role: "member", input: (ids) => ({ id: ids.crew }) },
  "crews.list": {
    role: "member",
    input: (ids) => ({
      limit: 5,
      process: "sequential",
      spaceId: ids.space,
      memberAgentId: ids.crewMember,
      search: "a",
      sortBy: "name",
      sortDirection: "asc",
      direction: "forward",
    }),
  },
  "crews.update": {
    role: "member",
    input: (ids) => ({ id: ids.crew, expectedVersion: 1, description: "d", memberAgentIds: [ids.crewMember], maxIterations: null }),
  },
  // Not the fixture's crew: tasks.* come after crews.* and need it (a uuid that is no crew).
  "crews.delete": { role: "member", input: (ids) => ({ id: ids.agent }) },
  "tasks.create": {
    role: "member",
    input: (ids) => ({
      crewId: ids.crew,
      title: "Fuzz task",
      description: "d",
      expectedOutput: "o",
      agentId: ids.crewMember,
      position: 0,
      context: [ids.task],
      outputFormat: { type: "object", properties: { a: { type: "string" } } },
    }),
  },
  "tasks.get": { role: "member", input: (ids) => ({ id: ids.task }) },
  "tasks.list": { role: "member", input: (ids) => ({ crewId: ids.crew, limit: 5, direction: "forward" }) },
  "tasks.update": { role: "member", input: (ids) => ({ id: ids.task, expectedVersion: 1, title: "t", context: [], outputFormat: null }) },
  "tasks.delete": { role: "member", input: (ids) => ({ id: ids.task }) },
  "conversations.create": { role: "member", input: (ids) => ({ agentId: ids.agent, title: "Fuzz chat" }) },
  "conversations.get": { role: "member", input: (ids) => ({ id: ids.conversation }) },
  "conversations.list": {
    role: "member",
    input: (ids) => ({ limit: 5, agentId: ids.agent, userId: ids.user, archived: false, direction: "forward" }),
  },
  "conversations.rename": { role: "member", input: (ids) => ({ id: ids.conversation, title: "Renamed" }) },
  "conversations.archive": { role: "member", input: (ids) => ({ id: ids.conversation, archived: false }) },
  "conversations.messages": {
    role: "member",
    input: (ids) => ({ conversationId: ids.conversation, before: ids.message, limit: 5, direction: "forward" }),
  },
  "conversations.appendMessage": {
    role: "member",
    input: (ids) => ({
      conversationId: ids.conversation,
      role: "assistant",
      content: "Hello",
      parentMessageId: ids.message,
      executionId: ids.execution,
      inputTokens: 10,
      outputTokens: 2,
      costUsd: 0.0001,
    }),
  },
  "conversations.delete": { role: "member", input: (ids) => ({ id: ids.conversation }) },
  "models.list": {
    role: "member",
    input: () => ({ limit: 5, at: "2026-01-01T00:00:00Z", provider: "openai", q: "gpt", scope: "global", direction: "forward" }),
  },
  // Stand-in ids (a uuid that is no price row): models.* answer NOT_FOUND, as tools.* do.
  "models.get": { role: "member", input: (ids) => ({ id: ids.agent }) },
  "models.resolve": { role: "member", input: () => ({ model: "gpt-4.1-mini-2025-04-14", provider: "openai", at: "2026-01-01T00:00:00Z" }) },
  "models.create": {
    role: "service",
    input: () => ({
      provider: "openai",
      modelName: "fuzz-model",
      matchPatterns: ["fuzz-model", "fuzz-model-%"],
      prices: { input: 1.5, output: 6, cachedInput: 0.75, cacheWrite: null, reasoning: 6 },
      tiers: [{ inputTokensAbove: 200_000, input: 3, output: 12 }],
      currency: "USD",
      validFrom: "2026-01-01T00:00:00Z",
    }),
  },
  "models.update": {
    role: "service",
    input: (ids) => ({ id: ids.agent, expectedVersion: 1, prices: { input: 2, reasoning: null }, matchPatterns: ["fuzz-model"] }),
  },
  "models.delete": { role: "service", input: (ids) => ({ id: ids.agent }) },
  "usage.agent": { role: "member", input: (ids) => ({ agentId: ids.agent }) },
  "usage.space": { role: "member", input: (ids) => ({ spaceId: ids.space }) },
  "usage.crew": { role: "member", input: (ids) => ({ crewId: ids.agent }) },
  "usage.tenant": { role: "member", input: () => undefined },
  "usage.timeseries": { role: "member", input: (ids) => ({ from: "2026-01-01", to: "2026-03-01", agentId: ids.agent }) },
  "budgets.create": {
    role: "service",
    input: (ids) => ({
      name: "Fuzz budget",
      scope: "agent",
      agentId: ids.agent,
      period: "monthly",
      limitUsd: 100,
      enforcement: "soft",
      alertThresholdPercent: 80,
    }),
  },
  // Stand-in ids (a uuid that is no budget): budgets.* answer NOT_FOUND, as tools.* do.
  "budgets.get": { role: "member", input: (ids) => ({ id: ids.agent }) },
  "budgets.list": { role: "member", input: (ids) => ({ limit: 5, scope: "agent", agentId: ids.agent, direction: "forward" }) },
  "budgets.update": {
    role: "service",
    input: (ids) => ({ id: ids.agent, expectedVersion: 1, name: "B", limitUsd: 50, enforcement: "hard", alertThresholdPercent: null }),
  },
  "budgets.delete": { role: "service", input: (ids) => ({ id: ids.agent }) },
  "budgets.crossings": { role: "member", input: () => ({ limit: 5, kind: "threshold", direction: "forward" }) },
  "admin.overview": { role: "admin", input: () => ({ days: 30 }) },
  "admin.staffMember": { role: "admin", input: () => undefined },
  "admin.tenants": { role: "admin", input: () => undefined },
  "admin.tenant": { role: "admin", input: (ids) => ({ tenantId: ids.tenant }) },
  "admin.agents": { role: "admin", input: (ids) => ({ tenantId: ids.tenant, limit: 5, direction: "forward" }) },
  "admin.agent": { role: "admin", input: (ids) => ({ id: ids.agent }) },
  "admin.setAgentStatus": { role: "admin", input: (ids) => ({ id: ids.agent, status: "active", reason: "r" }) },
  "admin.tools": { role: "admin", input: (ids) => ({ tenantId: ids.tenant, limit: 5, type: "http", direction: "forward" }) },
  "admin.agentTools": { role: "admin", input: (ids) => ({ id: ids.agent }) },
  "admin.crews": {
    role: "admin",
    input: (ids) => ({ tenantId: ids.tenant, limit: 5, process: "sequential", memberAgentId: ids.crewMember, direction: "forward" }),
  },
  "admin.crew": { role: "admin", input: (ids) => ({ id: ids.crew }) },
  "admin.conversations": {
    role: "admin",
    input: (ids) => ({ tenantId: ids.tenant, limit: 5, agentId: ids.agent, userId: ids.user, archived: true, direction: "forward" }),
  },
  "admin.conversationMessages": {
    role: "admin",
    input: (ids) => ({ conversationId: ids.conversation, before: ids.message, limit: 5, direction: "forward" }),
  },
  "admin.budgets": { role: "admin", input: (ids) => ({ tenantId: ids.tenant, limit: 5, scope: "agent", direction: "forward" }) },
  "admin.executions": { role: "admin", input: (ids) => ({ tenantId: ids.tenant, limit: 5, direction: "forward" }) },
  "admin.execution": { role: "admin", input: (ids) => ({ id: ids.execution }) },
  "admin.auditLog": {
    role: "admin",
    input: (ids) => ({ limit: 5, tenantId: ids.tenant, targetType: "agent", targetId: ids.agent, direction: "forward" }),
  },
  "admin.runRetention": { role: "admin", input: (ids) => ({ olderThanDays: 90, tenantId: ids.tenant, maxRows: 100 }) },
  "admin.closeStuckExecutions": { role: "admin", input: (ids) => ({ olderThanMinutes: 60, tenantId: ids.tenant, maxRows: 10 }) },
  "admin.models": {
    role: "admin",
    input: (ids) => ({
      limit: 5,
      tenantId: ids.tenant,
      provider: "openai",
      q: "gpt",
      scope: "tenant",
      at: "2026-01-01T00:00:00Z",
      direction: "forward",
    }),
  },
  "admin.createModel": {
    role: "admin",
    input: () => ({
      provider: "openai",
      modelName: "fuzz-global-model",
      matchPatterns: ["fuzz-global-model%"],
      prices: { input: 1, output: 4, cachedInput: 0.1, cacheWrite: 1.25, reasoning: null },
      tiers: [{ inputTokensAbove: 128_000, input: 2 }],
      currency: "USD",
      validFrom: "2026-01-01T00:00:00Z",
    }),
  },
  "admin.updateModel": {
    role: "admin",
    input: (ids) => ({ id: ids.agent, expectedVersion: 1, prices: { output: 5 }, validFrom: "2026-02-01T00:00:00Z" }),
  },
  "admin.deleteModel": { role: "admin", input: (ids) => ({ id: ids.agent }) },
  "admin.unpricedModels": { role: "admin", input: () => ({ days: 30, limit: 10 }) },
};

export interface ProcedureInfo {
  path: string;
  type: "query" | "mutation";
  role: "member" | "service" | "admin";
  input: (ids: OwnIds) => unknown;
}

/** Every procedure of the router with its type and a valid input; throws if one is missing. */
export function procedureTable(): ProcedureInfo[] {
  return Object.entries(appRouter._def.procedures).map(([path, procedure]) => {
    const entry = validInputs[path];
    if (!entry) throw new Error(`procedure ${path} has no entry in test/procedures.ts: add a valid input for it`);
    const type = (procedure as { _def: { type: string } })._def.type as "query" | "mutation";
    return { path, type, ...entry };
  });
}
