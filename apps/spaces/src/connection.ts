import { httpStatusOf, isApiError } from "@agent-builder/sdk";

// The same file is in apps/notebooks: each example app stands alone, as a team's own app would.

/** Where `pnpm dev` serves the API on this machine. */
export const defaultApiUrl = "http://localhost:3000/trpc";

export const environmentHelp = `environment:
  AGENT_BUILDER_TOKEN  bearer token (required), e.g. AGENT_BUILDER_TOKEN=$(pnpm -s dev:token --role service)
  AGENT_BUILDER_URL    the API's tRPC endpoint (default ${defaultApiUrl}, where \`pnpm dev\` serves it)`;

export function apiUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.AGENT_BUILDER_URL || defaultApiUrl;
}

/**
 * One line for the user when a call failed: the API's own error, or, when no API answered at
 * `url`, where the app looked and what to do. Undefined for anything else (a bug: let it show
 * its stack).
 */
export function explainFailure(error: unknown, url: string): string | undefined {
  if (!isApiError(error)) return undefined;
  if (error.data) return `${error.data.code}: ${error.message}`;
  // Something answered, but not as the API (a wrong path or port: a 404 page, a gateway's 502).
  const status = httpStatusOf(error) ?? (error.meta?.response as Response | undefined)?.status;
  if (status !== undefined) {
    return `${url} answered HTTP ${status}, not as the Agent Builder API: set AGENT_BUILDER_URL to the API's tRPC endpoint (ending in /trpc).`;
  }
  // No response at all: fetch threw (connection refused, unknown host, reset).
  const code = (error.cause?.cause as { code?: unknown } | undefined)?.code;
  return (
    `cannot reach the Agent Builder API at ${url}${typeof code === "string" ? ` (${code})` : ""}. ` +
    "Start it with `pnpm dev` in the repository root, or set AGENT_BUILDER_URL to where it runs."
  );
}
