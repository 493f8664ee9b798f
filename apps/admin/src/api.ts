/**
 * The panel's only way to the API: tRPC's typed client (httpBatchLink) under TanStack Query.
 * `AppRouter` is a type-only import, so none of the server's code reaches the bundle.
 */
import { QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createTRPCContext } from "@trpc/tanstack-react-query";

import type { AppRouter } from "@agent-builder/api";

import { readToken } from "./session";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type AdminOutputs = RouterOutputs["admin"];
export type Agent = AdminOutputs["agent"]["agent"];
export type AgentStatus = Agent["status"];
export type ExecutionStatus = AdminOutputs["execution"]["status"];
export type UsagePeriods = Omit<AdminOutputs["tenant"], "tenant" | "agentCount" | "spaces" | "users">;
export type UsageBucket = AdminOutputs["overview"]["daily"][number];
export type AuditEntry = AdminOutputs["auditLog"]["items"][number];

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/**
 * Relative `/trpc` by default: the dev server and `vite preview` proxy it to the API, and in
 * production the panel is served from the API's origin. `VITE_API_URL` points a build at an API
 * elsewhere (that API then needs the panel's origin in CORS_ORIGINS).
 */
export const apiUrl: string = import.meta.env.VITE_API_URL || "/trpc";

/** A client that sends `getToken()`'s bearer token; the app's uses the signed-in session's. */
export function createApiClient(getToken: () => string | null = readToken) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: apiUrl,
        headers: () => {
          const token = getToken();
          return token ? { authorization: `Bearer ${token}` } : {};
        },
      }),
    ],
  });
}

export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        // A 4xx (wrong role, bad token, missing id, bad input) will not change on retry: show it at once.
        retry: (failures, error) => !isClientError(error) && failures < 2,
      },
    },
  });
}

/** The tRPC error code of an API error ("FORBIDDEN", "NOT_FOUND", ...), or null for anything else. */
export function apiErrorCode(error: unknown): string | null {
  if (error instanceof TRPCClientError) {
    const data: unknown = error.data;
    if (data && typeof data === "object" && "code" in data && typeof data.code === "string") return data.code;
  }
  return null;
}

function isClientError(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const data: unknown = error.data;
  const status = data && typeof data === "object" && "httpStatus" in data ? Number(data.httpStatus) : 0;
  return status >= 400 && status < 500;
}
