export { createAgentBuilderClient, type AgentBuilderClient, type AgentBuilderClientOptions, type ExecutionResult, type RunningExecution } from "./client";
export {
  apiErrorCode,
  connectionProblem,
  describeFailure,
  HttpStatusError,
  httpStatusOf,
  isApiError,
  TRPCClientError,
  type ApiError,
  type ConnectionProblem,
} from "./errors";
export type { RetryOptions } from "./retry";
export type * from "./types";
