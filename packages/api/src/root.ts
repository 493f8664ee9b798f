import type { TRPCBuiltRouter, TRPCDecorateCreateRouterOptions } from "@trpc/server";

import { auditProcedures } from "./admin/audit";
import { maintenanceProcedures } from "./admin/maintenance";
import { overviewProcedures } from "./admin/overview";
import { tenantStaffProcedures } from "./admin/tenants";
import { agentStaffProcedures } from "./agents/admin";
import { agentRouter } from "./agents/router";
import { budgetStaffProcedures } from "./budgets/admin";
import { budgetRouter } from "./budgets/router";
import { conversationStaffProcedures } from "./conversations/admin";
import { conversationRouter } from "./conversations/router";
import { crewStaffProcedures } from "./crews/admin";
import { crewRouter } from "./crews/router";
import { directoryRouter } from "./directory/router";
import { executionStaffProcedures } from "./executions/admin";
import { executionRouter } from "./executions/router";
import { healthProcedure } from "./health/router";
import { modelStaffProcedures } from "./models/admin";
import { modelRouter } from "./models/router";
import { taskRouter } from "./tasks/router";
import { toolStaffProcedures } from "./tools/admin";
import { toolRouter } from "./tools/router";
import { type ApiErrorShape, createTRPCRouter } from "./trpc";
import { usageRouter } from "./usage/router";

const procedures = {
  health: healthProcedure,
  directory: directoryRouter,
  agents: agentRouter,
  executions: executionRouter,
  tools: toolRouter,
  crews: crewRouter,
  tasks: taskRouter,
  conversations: conversationRouter,
  usage: usageRouter,
  budgets: budgetRouter,
  models: modelRouter,
  /**
   * Staff only, cross-tenant (adminProcedure: `role: admin` tokens; mutations audited). Each
   * domain's staff procedures sit beside the domain (`<domain>/admin.ts`); what is staff's own
   * (overview, tenants, audit log, maintenance) sits in admin/.
   */
  admin: {
    ...overviewProcedures,
    ...tenantStaffProcedures,
    ...agentStaffProcedures,
    ...executionStaffProcedures,
    ...toolStaffProcedures,
    ...crewStaffProcedures,
    ...conversationStaffProcedures,
    ...budgetStaffProcedures,
    ...modelStaffProcedures,
    ...auditProcedures,
    ...maintenanceProcedures,
  },
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
