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

/** What a `recordExecution` callback returns: the run's result and what it cost. */
export interface ExecutionResult {
  output: RouterInputs["executions"]["complete"]["output"];
  usage: TokenUsage;
  costUsd: number;
}

/** Handed to a `recordExecution` callback: the running execution, and a way to log its steps. */
export interface RunningExecution {
  execution: Execution;
  step(...steps: StepInput[]): Promise<void>;
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
  };

  // tRPC's client is a proxy that turns any property path into a procedure call, so the
  // helpers are layered on top with another proxy rather than copied onto it.
  return new Proxy(trpc, {
    get(target, namespace, receiver) {
      if (namespace === "recordExecution") return helpers.recordExecution;
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
  const started = performance.now();
  const elapsed = () => Math.max(0, Math.round(performance.now() - started));
  let result: ExecutionResult;
  try {
    result = await run({
      execution,
      step: async (...steps) => {
        await trpc.executions.appendSteps.mutate({ executionId: execution.id, steps });
      },
    });
  } catch (error) {
    await trpc.executions.fail
      .mutate({ id: execution.id, error: describeFailure(error), durationMs: elapsed() })
      .catch((failError: unknown) => {
        // Someone else closed it already (e.g. cancelled): keep the runner's own error.
        if (!isApiError(failError, "CONFLICT")) throw failError;
      });
    throw error;
  }
  return trpc.executions.complete.mutate({ id: execution.id, ...result, durationMs: elapsed() });
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
