import { agentRouter } from "./agents/router";
import { directoryRouter } from "./directory/router";
import { executionRouter } from "./executions/router";
import { healthProcedure } from "./health/router";
import { createTRPCRouter } from "./trpc";
import { usageRouter } from "./usage/router";

export const appRouter = createTRPCRouter({
  health: healthProcedure,
  directory: directoryRouter,
  agents: agentRouter,
  executions: executionRouter,
  usage: usageRouter,
});

export type AppRouter = typeof appRouter;
