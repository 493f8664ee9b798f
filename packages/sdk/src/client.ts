import { createTRPCClient, httpBatchLink, type Operation, retryLink, splitLink, type TRPCClient } from "@trpc/client";

import { isApiError, preservingStatus } from "./errors";
import { paginate } from "./paginate";
import { defaultDelayMs, type RetryOptions, shouldRetry } from "./retry";
import type { Agent, AppRouter, Execution, ExecutionSummary, RouterInputs, StepInput, TokenUsage } from "./types";

type HeaderMap = Record<string, string>;

export interface AgentBuilderClientOptions {
  /** The API's tRPC endpoint, e.g. `https://agents.internal.example/trpc`. */
  url: string;
  /** Returns the caller's bearer token; may be async, so it can refresh an expired one. */
  getToken: () => string | Promise<string>;
  /** A fetch implementation (tests, edge runtimes, instrumentation); the global one by default. */
  fetch?: typeof globalThis.fetch;
  /** Extra headers on every request (tracing ids, ...). */
  headers?: HeaderMap | (() => HeaderMap | Promise<HeaderMap>);
  retry?: RetryOptions;
}

type ListAllInput<T> = Omit<NonNullable<T>, "cursor">;

/** What a `recordExecution` callback returns: the run's result, and its usage and cost if it knows them (the API prices the usage without a cost). */
export interface ExecutionResult {
  output: RouterInputs["executions"]["complete"]["output"];
  usage?: TokenUsage;
  costUsd?: number;
}

/** Handed to a `recordExecution` callback: the running execution, and a way to log its steps. */
export interface RunningExecution {
  execution: Execution;
  step(...steps: StepInput[]): Promise<void>;
}

/** What `recordCrewExecution` starts: a crew run (no agent, no parent). */
export type CrewRunInput = Omit<RouterInputs["executions"]["start"], "agentId" | "parentExecutionId"> & { crewId: string };
/** A child run of a crew run: the member (or manager) agent and its input. */
export type ChildRunInput = Omit<RouterInputs["executions"]["start"], "crewId" | "parentExecutionId" | "conversationId"> & {
  agentId: string;
};

/** What a `recordCrewExecution` callback returns: the crew's output (its usage and cost are its child runs'). */
export interface CrewExecutionResult {
  output: RouterInputs["executions"]["complete"]["output"];
}

/** Handed to a `recordCrewExecution` callback: the running crew run, its own steps, and its child runs. */
export interface RunningCrewExecution {
  execution: Execution;
  /** Steps of the crew run itself (a manager's plan, say); `taskId` names a task of the crew. */
  step(...steps: StepInput[]): Promise<void>;
  /**
   * One agent's part: a child run started in this crew run, run as `recordExecution` runs an
   * execution (completed with its measured duration, or failed and rethrown).
   */
  child(input: ChildRunInput, run: (execution: RunningExecution) => Promise<ExecutionResult>): Promise<Execution>;
}

export type AgentBuilderClient = TRPCClient<AppRouter> & {
  /**
   * Every item of a keyset list procedure, fetched page by page as you iterate:
   * `for await (const space of client.paginate(client.directory.listSpaces, { limit: 100 }))`.
   * The same function as the standalone `paginate` export.
   */
  paginate: typeof paginate;
  agents: {
    /** Every agent matching the filters, fetched page by page as you iterate. */
    listAll(input?: ListAllInput<RouterInputs["agents"]["list"]>): AsyncIterable<Agent>;
  };
  executions: {
    /** Every execution matching the filters, newest first, fetched page by page. */
    listAll(input?: ListAllInput<RouterInputs["executions"]["list"]>): AsyncIterable<ExecutionSummary>;
  };
  /**
   * Starts an execution, runs `run`, and completes it with the measured duration; if `run`
   * throws, fails it with the error and rethrows. A runner cannot forget to close an execution.
   */
  recordExecution(
    input: RouterInputs["executions"]["start"],
    run: (execution: RunningExecution) => Promise<ExecutionResult>,
  ): Promise<Execution>;
  /**
   * `recordExecution` for a crew: starts a crew run, runs `run` (which runs the agents' parts with
   * `child`), and completes the crew run, whose usage and cost the API sums from its child runs.
   * If `run` throws, fails the crew run (the API cancels child runs still running) and rethrows.
   */
  recordCrewExecution(input: CrewRunInput, run: (execution: RunningCrewExecution) => Promise<CrewExecutionResult>): Promise<Execution>;
};

/**
 * The longest URL a query is sent with. Queries are GETs (cacheable, visible in access logs);
 * one whose input would make a longer URL goes as POST instead: servers and proxies refuse long
 * URLs (Node at 16 kB of headers, many proxies at 8 kB). Batches of short queries are split to
 * stay under it too.
 */
const maxQueryUrlLength = 8_000;

export function createAgentBuilderClient(options: AgentBuilderClientOptions): AgentBuilderClient {
  const retries = options.retry?.retries ?? 3;
  const http = {
    url: options.url,
    // Looked up per call, so a fetch installed after the client was made is used.
    fetch: preservingStatus(() => options.fetch ?? globalThis.fetch),
    headers: async () => {
      const extra = typeof options.headers === "function" ? await options.headers() : options.headers;
      return { ...extra, authorization: `Bearer ${await options.getToken()}` };
    },
  };
  const trpc = createTRPCClient<AppRouter>({
    links: [
      retryLink({
        retry: ({ op, error, attempts }) => shouldRetry(op, error, attempts, retries),
        retryDelayMs: options.retry?.delayMs ?? defaultDelayMs,
      }),
      // tRPC's maxURLLength only splits batches (a single call that is too long fails), so the
      // long ones are routed to a link that POSTs queries (the API allows that method override).
      splitLink({
        condition: (op) => op.type === "query" && queryUrlLength(options.url, op) > maxQueryUrlLength,
        true: httpBatchLink({ ...http, methodOverride: "POST" }),
        false: httpBatchLink({ ...http, maxURLLength: maxQueryUrlLength }),
      }),
    ],
  });

  const helpers = {
    agents: {
      listAll: (input: ListAllInput<RouterInputs["agents"]["list"]> = {}) => paginate(trpc.agents.list, input),
    },
    executions: {
      listAll: (input: ListAllInput<RouterInputs["executions"]["list"]> = {}) => paginate(trpc.executions.list, input),
    },
    recordExecution: (input: RouterInputs["executions"]["start"], run: (execution: RunningExecution) => Promise<ExecutionResult>) =>
      recordExecution(trpc, input, run),
    recordCrewExecution: (input: CrewRunInput, run: (execution: RunningCrewExecution) => Promise<CrewExecutionResult>) =>
      recordCrewExecution(trpc, input, run),
  };

  // tRPC's client is a proxy that turns any property path into a procedure call, so the
  // helpers are layered on top with another proxy rather than copied onto it.
  return new Proxy(trpc, {
    get(target, namespace, receiver) {
      if (namespace === "recordExecution") return helpers.recordExecution;
      if (namespace === "recordCrewExecution") return helpers.recordCrewExecution;
      if (namespace === "paginate") return paginate;
      const procedures = Reflect.get(target, namespace, receiver);
      if (namespace === "agents" || namespace === "executions") {
        const extra = helpers[namespace];
        return new Proxy(procedures, {
          get: (inner, name, innerReceiver) => (name === "listAll" ? extra.listAll : Reflect.get(inner, name, innerReceiver)),
        });
      }
      return procedures;
    },
  }) as AgentBuilderClient;
}

/** The URL httpBatchLink would build for this query alone: `<url>/<path>?batch=1&input=<{"0": input}>`. */
function queryUrlLength(url: string, op: Operation): number {
  const input = op.input === undefined ? "" : `&input=${encodeURIComponent(JSON.stringify({ 0: op.input }))}`;
  return url.length + 1 + op.path.length + "?batch=1".length + input.length;
}

async function recordExecution(
  trpc: TRPCClient<AppRouter>,
  input: RouterInputs["executions"]["start"],
  run: (execution: RunningExecution) => Promise<ExecutionResult>,
): Promise<Execution> {
  const execution = await trpc.executions.start.mutate(input);
  const elapsed = stopwatch();
  let result: ExecutionResult;
  try {
    result = await run({ execution, step: stepsOf(trpc, execution.id) });
  } catch (error) {
    await failRun(trpc, execution.id, error, elapsed());
    throw error;
  }
  return trpc.executions.complete.mutate({ id: execution.id, ...result, durationMs: elapsed() });
}

async function recordCrewExecution(
  trpc: TRPCClient<AppRouter>,
  input: CrewRunInput,
  run: (execution: RunningCrewExecution) => Promise<CrewExecutionResult>,
): Promise<Execution> {
  const execution = await trpc.executions.start.mutate(input);
  const elapsed = stopwatch();
  let result: CrewExecutionResult;
  try {
    result = await run({
      execution,
      step: stepsOf(trpc, execution.id),
      child: (childInput, childRun) => recordExecution(trpc, { ...childInput, parentExecutionId: execution.id }, childRun),
    });
  } catch (error) {
    await failRun(trpc, execution.id, error, elapsed());
    throw error;
  }
  // A crew run's usage and cost are its children's: the API sums them, so none are sent.
  return trpc.executions.complete.mutate({ id: execution.id, output: result.output, durationMs: elapsed() });
}

function stopwatch(): () => number {
  const started = performance.now();
  return () => Math.max(0, Math.round(performance.now() - started));
}

function stepsOf(trpc: TRPCClient<AppRouter>, executionId: string) {
  return async (...steps: StepInput[]) => {
    await trpc.executions.appendSteps.mutate({ executionId, steps });
  };
}

async function failRun(trpc: TRPCClient<AppRouter>, id: string, error: unknown, durationMs: number): Promise<void> {
  await trpc.executions.fail.mutate({ id, error: describeFailure(error), durationMs }).catch((failError: unknown) => {
    // Someone else closed it already (e.g. cancelled): keep the runner's own error.
    if (!isApiError(failError, "CONFLICT")) throw failError;
  });
}

function describeFailure(error: unknown): { code?: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      code: typeof code === "string" && code.length > 0 ? code.slice(0, 100) : error.name,
      message: (error.message || error.name).slice(0, 10_000),
    };
  }
  return { message: String(error).slice(0, 10_000) || "unknown error" };
}
