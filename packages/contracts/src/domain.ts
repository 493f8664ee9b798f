/**
 * Domain vocabulary shared by the database schema, the API and every client.
 * The database package imports these lists so enum types and contracts never drift apart.
 */

export const agentStatuses = ["draft", "active", "paused", "archived"] as const;
export type AgentStatus = (typeof agentStatuses)[number];

/** Allowed `agents.setStatus` moves. Archived is final: an archived agent keeps its history. */
export const agentStatusTransitions: Record<AgentStatus, readonly AgentStatus[]> = {
  draft: ["active", "archived"],
  active: ["paused", "archived"],
  paused: ["active", "archived"],
  archived: [],
};

/** Agents in these states accept new executions; paused and archived ones do not. */
export const runnableAgentStatuses = ["draft", "active"] as const satisfies readonly AgentStatus[];

export const executionStatuses = ["running", "succeeded", "failed", "cancelled"] as const;
export type ExecutionStatus = (typeof executionStatuses)[number];
export const terminalExecutionStatuses = ["succeeded", "failed", "cancelled"] as const;
export type TerminalExecutionStatus = (typeof terminalExecutionStatuses)[number];

export const stepTypes = ["thought", "action", "tool_call", "tool_result", "message", "error"] as const;
export type StepType = (typeof stepTypes)[number];

/** Roles carried in the caller's token (`role` claim) and mirrored on `users.role`. */
export const userRoles = ["member", "service", "admin"] as const;
export type UserRole = (typeof userRoles)[number];

export const llmProviders = ["openai", "anthropic", "google", "azure_openai", "mistral", "bedrock", "ollama", "custom"] as const;
export type LlmProvider = (typeof llmProviders)[number];

/** What a tool is; `code` tools carry their source and its language. */
export const toolTypes = ["function", "http", "mcp", "builtin", "code"] as const;
export type ToolType = (typeof toolTypes)[number];

/** The languages a `code` tool's source may be written in (`tools.language`, enum `tool_language`). */
export const toolLanguages = ["python", "javascript", "typescript"] as const;
export type ToolLanguage = (typeof toolLanguages)[number];

/** What an agent can have attached (`agent_resources.kind`); models come later. */
export const agentResourceKinds = ["tool"] as const;
export type AgentResourceKind = (typeof agentResourceKinds)[number];

/** Request limits, exported so clients can check before sending. */
export const limits = {
  pageSizeMax: 100,
  pageSizeDefault: 20,
  stepsPerAppendMax: 100,
  jsonBytesMax: 256 * 1024,
  metadataBytesMax: 16 * 1024,
  jsonDepthMax: 32,
  notebooksPerAgentMax: 200,
  timeseriesDaysMax: 366,
  costUsdMax: 1_000_000,
  tokensMax: 2_000_000_000,
  /** An agent's persona (CrewAI's `role`, `goal`, `backstory`): a role or goal is a sentence or two, a backstory a page or a few. */
  agentRoleMax: 2_000,
  agentGoalMax: 2_000,
  agentBackstoryMax: 20_000,
  /** A category is one short label, e.g. `support`. */
  agentCategoryMax: 100,
  /** Tags of any domain (agents, tools, and later crews, tasks, conversations): a set of at most this many… */
  tagsMax: 20,
  /** …each 1..this many characters after normalising (`tagSchema` in common.ts). */
  tagLengthMax: 50,
  /** Iterations an agent may take on one task before it must answer (CrewAI's `max_iter`). */
  agentMaxIterationsMin: 1,
  agentMaxIterationsMax: 100,
  /**
   * CrewAI's own default: `max_iter: int = Field(default=25, …)` on `BaseAgent`
   * (crewAI, src/crewai/agents/agent_builder/base_agent.py). Its docs table says 20 in places; the code says 25.
   */
  agentMaxIterationsDefault: 25,
  /** A tool's `parameters` (its arguments' JSON Schema) and `configuration`, as JSON. */
  toolParametersBytesMax: 64 * 1024,
  toolConfigurationBytesMax: 64 * 1024,
  /** A `code` tool's source. */
  toolCodeMax: 200_000,
  toolUsageExamplesMax: 20,
  toolUsageExampleLengthMax: 10_000,
  /** Write-only secrets per tool, and the length of one value. */
  toolSecretsMax: 20,
  toolSecretValueLengthMax: 4096,
  /** An agent's tool attachment (`agent_resources`): its position in the agent's list and its configuration. */
  agentToolPositionMax: 10_000,
  agentToolConfigurationBytesMax: 16 * 1024,
} as const;

/**
 * How a crew works through its tasks (CrewAI's `Process`): in order, each task by its assigned
 * agent, or under a manager agent that delegates (the manager is required then, and only then).
 */
export const crewProcesses = ["sequential", "hierarchical"] as const;
export type CrewProcess = (typeof crewProcesses)[number];

/** Who wrote a conversation message. */
export const messageRoles = ["user", "assistant", "system", "tool"] as const;
export type MessageRole = (typeof messageRoles)[number];

/** Bounds of crews, tasks, conversations and crew runs; the database checks restate them. */
export const crewLimits = {
  nameMax: 255,
  descriptionMax: 2_000,
  /** Member agents of one crew (the benchmarks use 20). */
  membersMax: 50,
  /** Tasks of one crew (the benchmarks use 50). */
  tasksMax: 100,
  /** A crew's `maxIterations` overrides its agents' own; same range as an agent's. */
  maxIterationsMin: 1,
  maxIterationsMax: 100,
  taskTitleMax: 255,
  taskDescriptionMax: 20_000,
  taskExpectedOutputMax: 20_000,
  /** Other tasks one task takes as context. */
  taskContextMax: 20,
  /** A task's `outputFormat` (the JSON Schema of its answer), as JSON: as large as a tool's parameters. */
  taskOutputFormatBytesMax: 64 * 1024,
  /** How far an agent's chain of parents may reach (seed 002's hierarchy). */
  agentHierarchyDepthMax: 10,
  conversationTitleMax: 255,
  messageContentMax: 100_000,
  /** Runs one `executions.record` call writes. */
  recordBatchMax: 100,
  /** Child runs of one crew run in a `executions.record` call. */
  recordChildRunsMax: 50,
} as const;

/**
 * Model prices and spend budgets. A price is in USD per million tokens (`currency` is kept for
 * the day another is supported; only USD is accepted now). A budget limits one scope's spend per
 * UTC day or UTC calendar month; a `hard` one refuses `executions.start` once reached, a `soft`
 * one only reports (docs/schema.md, "Model prices and budgets").
 */
export const priceCurrencies = ["USD"] as const;
export type PriceCurrency = (typeof priceCurrencies)[number];
export const budgetScopes = ["tenant", "space", "agent", "crew"] as const;
export type BudgetScope = (typeof budgetScopes)[number];
export const budgetPeriods = ["daily", "monthly"] as const;
export type BudgetPeriod = (typeof budgetPeriods)[number];
export const budgetEnforcements = ["hard", "soft"] as const;
export type BudgetEnforcement = (typeof budgetEnforcements)[number];
/** What a budget crossing records: the alert threshold reached, or the limit. */
export const budgetCrossingKinds = ["threshold", "exceeded"] as const;
export type BudgetCrossingKind = (typeof budgetCrossingKinds)[number];

export const pricingLimits = {
  providerMax: 100,
  modelNameMax: 255,
  /** Match patterns of one model row (aliases and dated variants), each at most `matchPatternMax` characters. */
  matchPatternsMax: 50,
  matchPatternMax: 255,
  /** USD per million tokens. */
  pricePerMillionMax: 100_000,
  /** Long-context tiers of one price row. */
  priceTiersMax: 10,
  budgetNameMax: 255,
  /** USD per period. */
  budgetLimitUsdMax: 1_000_000_000,
  /**
   * While it runs, an execution under a hard budget reserves its subject's average cost per run,
   * or this fraction of the limit when the subject has no priced run yet; a reservation lapses
   * after `budgetReservationTtlSeconds` (a run that never finishes stops holding room).
   */
  budgetReservationFallbackFraction: 0.01,
  budgetReservationTtlSeconds: 3600,
} as const;
