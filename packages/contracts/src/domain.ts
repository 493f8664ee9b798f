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
  agentTagsMax: 20,
  agentTagLengthMax: 50,
  /** Iterations an agent may take on one task before it must answer (CrewAI's `max_iter`). */
  agentMaxIterationsMin: 1,
  agentMaxIterationsMax: 100,
  /**
   * CrewAI's own default: `max_iter: int = Field(default=25, …)` on `BaseAgent`
   * (crewAI, src/crewai/agents/agent_builder/base_agent.py). Its docs table says 20 in places; the code says 25.
   */
  agentMaxIterationsDefault: 25,
} as const;
