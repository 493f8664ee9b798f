export {
  type AgentBuilderClient,
  type AgentBuilderClientOptions,
  createAgentBuilderClient,
  type ExecutionResult,
  type RunningExecution,
} from "./client";
export {
  type ApiError,
  apiErrorCode,
  type ConnectionProblem,
  connectionProblem,
  describeFailure,
  HttpStatusError,
  httpStatusOf,
  isApiError,
  TRPCClientError,
} from "./errors";
export type { RetryOptions } from "./retry";
export type * from "./types";
