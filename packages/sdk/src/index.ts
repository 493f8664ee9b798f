export { createAgentBuilderClient, type AgentBuilderClient, type AgentBuilderClientOptions, type ExecutionResult, type RunningExecution } from "./client";
export { apiErrorCode, HttpStatusError, httpStatusOf, isApiError, TRPCClientError, type ApiError } from "./errors";
export type { RetryOptions } from "./retry";
export type * from "./types";
