import { connectionProblem, describeFailure } from "@agent-builder/sdk";

// The same file is in apps/notebooks: each example app stands alone, as a team's own app would.

/** Where `pnpm dev` serves the API on this machine. */
export const defaultApiUrl = "http://localhost:3000/trpc";

export const environmentHelp = `environment:
  AGENT_BUILDER_TOKEN  bearer token (required), e.g. AGENT_BUILDER_TOKEN=$(pnpm -s dev:token --role service)
  AGENT_BUILDER_URL    the API's tRPC endpoint (default ${defaultApiUrl}, where \`pnpm dev\` serves it)`;

export function apiUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.AGENT_BUILDER_URL || defaultApiUrl;
}

/** The SDK's account of a failed call, with what to do here when no API answered. */
export function explainFailure(error: unknown, url: string): string | undefined {
  const described = describeFailure(error, url);
  const problem = connectionProblem(error);
  if (problem?.kind === "not-the-api") return `${described}: set AGENT_BUILDER_URL to the API's tRPC endpoint (ending in /trpc).`;
  if (problem?.kind === "unreachable")
    return `${described}. Start it with \`pnpm dev\` in the repository root, or set AGENT_BUILDER_URL to where it runs.`;
  return described;
}
