import type { inferRouterInputs, inferRouterOutputs, TRPC_ERROR_CODE_KEY } from "@trpc/server";

import type { AppRouter as ServerAppRouter } from "@agent-builder/api";

/** Every procedure of the API with its input and output types (types only: no server code). */
export type AppRouter = ServerAppRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

// The domain types callers work with, named once here (derived from the router, so they can
// never disagree with what the API returns).
export type Agent = RouterOutputs["agents"]["create"];
/** `agents.get`: the agent with its attached tools, by position. */
export type AgentDetail = RouterOutputs["agents"]["get"];
export type AgentTool = AgentDetail["tools"][number];
export type AgentPage = RouterOutputs["agents"]["list"];
export type AgentStatus = Agent["status"];
export type AgentStats = Agent["stats"];
export type LlmConfig = Agent["llmConfig"];
export type Execution = RouterOutputs["executions"]["start"];
export type ExecutionWithSteps = RouterOutputs["executions"]["get"];
export type ExecutionSummary = RouterOutputs["executions"]["list"]["items"][number];
export type ExecutionStatus = Execution["status"];
export type Step = ExecutionWithSteps["steps"][number];
export type StepInput = RouterInputs["executions"]["appendSteps"]["steps"][number];
export type TokenUsage = RouterInputs["executions"]["complete"]["usage"];
/** `executions.get`'s cost: the caller's (provided), the computed one (null: unknown, an unpriced model) and how it was computed. */
export type ExecutionCost = ExecutionWithSteps["cost"];
/** One model's share of a computed cost: its tokens, the price used (null: unpriced) and the cost. */
export type PricingLine = NonNullable<ExecutionCost["pricing"]>["lines"][number];
/** The unit prices (USD per million tokens) a cost was computed with, as they were then. */
export type PriceSnapshot = NonNullable<PricingLine["price"]>;
/** A model price row (global, or the tenant's override): USD per million tokens, in force from `validFrom` (`models.create`, `get`). */
export type ModelPrice = RouterOutputs["models"]["create"];
/** `models.resolve`: the row that prices a reported model name at a time, or null (its runs get an unknown cost). */
export type ModelResolution = RouterOutputs["models"]["resolve"];
/** A spend budget with where it stands (spend, limit, percent, reserved, reset time, state). */
export type Budget = RouterOutputs["budgets"]["get"];
export type BudgetStatus = Budget["status"];
export type BudgetCrossing = RouterOutputs["budgets"]["crossings"]["items"][number];
/** A crew (`crews.create`, `list`, `update`): its settings and its member agents' ids, in order. */
export type Crew = RouterOutputs["crews"]["create"];
/** `crews.get`: the crew with its members (and their tools), its manager, its tasks and its usage. */
export type CrewDetail = RouterOutputs["crews"]["get"];
export type CrewMember = CrewDetail["members"][number];
/** A task of a crew: assigned to a member, with the ids of the tasks it takes as context. */
export type Task = RouterOutputs["tasks"]["get"];
/** `executions.record`: finished runs in one call (agent runs, crew runs with their child runs). */
export type RecordExecutionsInput = RouterInputs["executions"]["record"];
export type RecordedRun = RecordExecutionsInput["runs"][number];
export type RecordedChildRun = NonNullable<RecordedRun["childRuns"]>[number];
/** The recorded runs' ids in input order, each crew run with its child runs' ids. */
export type RecordExecutionsResult = RouterOutputs["executions"]["record"];
/** A conversation with an agent or a crew, with its usage (messages, runs, tokens, cost) on it. */
export type Conversation = RouterOutputs["conversations"]["get"];
export type ConversationPage = RouterOutputs["conversations"]["list"];
/** A conversation's message: `seq` orders them, `parentMessageId` makes branches. */
export type ConversationMessage = RouterOutputs["conversations"]["appendMessage"];
export type MessageRole = ConversationMessage["role"];
export type Space = RouterOutputs["directory"]["upsertSpace"];
export type User = RouterOutputs["directory"]["upsertUser"];
export type AgentUsage = RouterOutputs["usage"]["agent"];
export type SpaceUsage = RouterOutputs["usage"]["space"];
/** `usage.crew`: a crew's crew runs, each once, with its child runs' tokens and cost. */
export type CrewUsage = RouterOutputs["usage"]["crew"];
export type TenantUsage = RouterOutputs["usage"]["tenant"];
export type UsageTotals = AgentUsage["today"];
export type Timeseries = RouterOutputs["usage"]["timeseries"];
export type Health = RouterOutputs["health"];

/** tRPC error codes the API uses: "NOT_FOUND", "CONFLICT", "UNAUTHORIZED", ... */
export type ApiErrorCode = TRPC_ERROR_CODE_KEY;
