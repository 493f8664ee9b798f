import type { TRPCRouterRecord } from "@trpc/server";

import {
  adminAgent,
  adminAgentInput,
  adminCloseStuckInput,
  adminExecution,
  adminExecutionInput,
  adminExecutionPage,
  adminListAgentsInput,
  adminListExecutionsInput,
  adminOverview,
  adminOverviewInput,
  adminRunRetentionInput,
  adminSetAgentStatusInput,
  adminTenant,
  adminTenantInput,
  agent,
  agentPage,
  auditLogInput,
  auditLogPage,
  retentionRun,
  stuckRun,
} from "@agent-builder/contracts";

import { adminProcedure } from "../trpc";
import * as admin from "./service";

/** Staff-only, cross-tenant: the admin panel's API. `role: admin` tokens only; mutations are audited. */
export const adminRouter = {
  overview: adminProcedure
    .input(adminOverviewInput)
    .output(adminOverview)
    .query(({ ctx, input }) => admin.overview(ctx.tx, ctx.caller, input.days)),

  tenant: adminProcedure
    .input(adminTenantInput)
    .output(adminTenant)
    .query(({ ctx, input }) => admin.tenantDetail(ctx.tx, ctx.caller, input.tenantId)),

  agents: adminProcedure
    .input(adminListAgentsInput)
    .output(agentPage)
    .query(({ ctx, input }) => admin.listTenantAgents(ctx.tx, ctx.caller, input)),

  agent: adminProcedure
    .input(adminAgentInput)
    .output(adminAgent)
    .query(({ ctx, input }) => admin.agentDetail(ctx.tx, ctx.caller, input.id)),

  setAgentStatus: adminProcedure
    .input(adminSetAgentStatusInput)
    .output(agent)
    .mutation(({ ctx, input }) => admin.setAgentStatusAsStaff(ctx.tx, ctx.caller, input)),

  executions: adminProcedure
    .input(adminListExecutionsInput)
    .output(adminExecutionPage)
    .query(({ ctx, input }) => admin.listAllExecutions(ctx.tx, input)),

  execution: adminProcedure
    .input(adminExecutionInput)
    .output(adminExecution)
    .query(({ ctx, input }) => admin.executionDetail(ctx.tx, ctx.caller, input.id)),

  auditLog: adminProcedure
    .input(auditLogInput)
    .output(auditLogPage)
    .query(({ ctx, input }) => admin.auditLog(ctx.tx, input)),

  runRetention: adminProcedure
    .input(adminRunRetentionInput)
    .output(retentionRun)
    .mutation(({ ctx, input }) => admin.runRetention(ctx.tx, ctx.caller, input)),

  closeStuckExecutions: adminProcedure
    .input(adminCloseStuckInput)
    .output(stuckRun)
    .mutation(({ ctx, input }) => admin.closeStuck(ctx.tx, ctx.caller, input)),
} satisfies TRPCRouterRecord;
