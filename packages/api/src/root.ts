import type { TRPCBuiltRouter, TRPCDecorateCreateRouterOptions } from "@trpc/server";

import { adminRouter } from "./admin/router";
import { agentRouter } from "./agents/router";
import { directoryRouter } from "./directory/router";
import { executionRouter } from "./executions/router";
import { healthProcedure } from "./health/router";
import { type ApiErrorShape, createTRPCRouter } from "./trpc";
import { usageRouter } from "./usage/router";

const procedures = {
  health: healthProcedure,
  directory: directoryRouter,
  agents: agentRouter,
  executions: executionRouter,
  usage: usageRouter,
  admin: adminRouter,
};

export const appRouter = createTRPCRouter(procedures);

/**
 * The router as clients see it: every procedure's input and output, and the error shape, but
 * not the server's context (which holds the database and would drag Drizzle's types into the
 * SDK's declarations). `test/router-type.test.ts` proves it matches `typeof appRouter`.
 */
export type AppRouter = TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: ApiErrorShape; transformer: false },
  TRPCDecorateCreateRouterOptions<typeof procedures>
>;
