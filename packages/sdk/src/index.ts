export {
  type AgentBuilderClient,
  type AgentBuilderClientOptions,
  type ChildRunInput,
  type CrewExecutionResult,
  type CrewRunInput,
  createAgentBuilderClient,
  type ExecutionResult,
  type RunningCrewExecution,
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
export { type ListProcedure, type Page, type PageFilters, paginate } from "./paginate";
export type { RetryOptions } from "./retry";
export type * from "./types";
