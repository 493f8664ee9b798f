/**
 * The edge function inside Vercel's edge-runtime emulator: the bundle built from the current
 * source (once per process), evaluated in a fresh VM whose
 * `process.env` is `env` (as on Vercel), with requests dispatched into it. `fetch` fits where a
 * client takes a custom fetch (the SDK does).
 */
import { EdgeRuntime } from "edge-runtime";

import { buildEdgeBundleInMemory, type EdgeBundle } from "../scripts/edge-bundle";

export interface EdgeFunction {
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Waits for every request's `waitUntil` work (the pools ending). */
  close(): Promise<void>;
}

let bundle: Promise<EdgeBundle> | undefined;

/** Built once per test process. */
export function edgeBundle(): Promise<EdgeBundle> {
  bundle ??= buildEdgeBundleInMemory();
  return bundle;
}

export interface EdgeOptions {
  env: Record<string, string>;
  /** Receives what the function writes with console.* (its logs on Vercel), one call each. */
  onConsole?: (method: "log" | "info" | "warn" | "error" | "debug", text: string) => void;
}

export async function startEdgeRuntime({ env, onConsole }: EdgeOptions): Promise<EdgeFunction> {
  const { code } = await edgeBundle();
  const runtime = new EdgeRuntime({
    initialCode: code,
    extend: (context) => {
      Object.assign(context, { process: { env: { ...env } } });
      if (onConsole) {
        const write =
          (method: Parameters<typeof onConsole>[0]) =>
          (...args: unknown[]) =>
            onConsole(method, args.map(String).join(" "));
        context.console = {
          ...context.console,
          log: write("log"),
          info: write("info"),
          warn: write("warn"),
          error: write("error"),
          debug: write("debug"),
        };
      }
      return context;
    },
  });
  const pending: Promise<unknown>[] = [];
  return {
    async fetch(input, init) {
      const request = new Request(input, init);
      // Plain values cross into the VM's realm; Node's Request, Headers and AbortSignal do not.
      const body = request.body ? await request.arrayBuffer() : undefined;
      const response = await runtime.dispatchFetch(request.url, {
        method: request.method,
        headers: Object.fromEntries(request.headers),
        body,
      });
      pending.push(response.waitUntil());
      return response;
    },
    async close() {
      await Promise.all(pending);
    },
  };
}
