/**
 * Calls the API the way a client does (a standard Request into createFetchHandler, as the Node
 * server and the edge function serve it) and times every answer.
 */
import { expect } from "vitest";

export type FetchHandler = (request: Request) => Promise<Response>;

export interface Answer {
  path: string;
  status: number;
  text: string;
  /** Milliseconds from sending the request to having the whole body. */
  ms: number;
  startedAt: number;
  endedAt: number;
}

export interface ErrorBody {
  error: { message: string; code: number; data: { code: string; httpStatus: number; path?: string; zodError: unknown } };
}

export function apiClient(handler: () => FetchHandler) {
  async function send(path: string, init: RequestInit & { url: string }): Promise<Answer> {
    const startedAt = performance.now();
    const response = await handler()(new Request(init.url, init));
    const text = await response.text();
    const endedAt = performance.now();
    return { path, status: response.status, text, ms: endedAt - startedAt, startedAt, endedAt };
  }
  const auth = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});
  return {
    query: (path: string, input: unknown, token?: string) =>
      send(path, {
        url: `http://api.test/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
        headers: auth(token),
      }),
    mutate: (path: string, input: unknown, token?: string) =>
      send(path, {
        url: `http://api.test/trpc/${path}`,
        method: "POST",
        headers: { ...auth(token), "content-type": "application/json" },
        body: JSON.stringify(input),
      }),
  };
}

/** The result of a 200, or a failed expectation showing what came back instead. */
export function dataOf<T = Record<string, unknown>>(answer: Answer): T {
  expect(answer.status, `${answer.path}: ${answer.text}`).toBe(200);
  return (JSON.parse(answer.text) as { result: { data: T } }).result.data;
}

export function errorOf(answer: Answer): ErrorBody["error"] {
  return (JSON.parse(answer.text) as ErrorBody).error;
}

/** Anything a 5xx must not carry: SQL, table or constraint names, driver details, addresses, stacks. */
export const leakPattern =
  /\b(select|insert|delete|begin|commit|rollback|relation|constraint|sqlstate|pg_sleep)\b|tenant_id|agent_\w+|ECONN\w*|127\.0\.0\.1|Connection terminated|not queryable|\.[jt]s:\d+|\bstack\b|injected fault/i;

/** HTTP 503, tRPC SERVICE_UNAVAILABLE, the fixed message, nothing else in `data`, nothing leaked. */
export function expectUnavailable(answer: Answer) {
  expect(answer.status, `${answer.path}: ${answer.text}`).toBe(503);
  const error = errorOf(answer);
  expect(error.data.code).toBe("SERVICE_UNAVAILABLE");
  expect(error.message).toBe("database unavailable, retry shortly");
  expect(Object.keys(error.data).sort()).toEqual(["code", "httpStatus", "path", "zodError"]);
  expect(answer.text).not.toMatch(leakPattern);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
