import type { TRPCRouterRecord } from "@trpc/server";

import {
  agentUsageInput,
  agentUsageSchema,
  crewUsageInput,
  crewUsagePeriodsSchema,
  spaceUsageInput,
  spaceUsageSchema,
  tenantUsageSchema,
  timeseriesInput,
  timeseriesSchema,
} from "@agent-builder/contracts";

import { budgetsApplyingTo } from "../budgets/service";
import { tenantProcedure } from "../trpc";
import * as usage from "./service";

export const usageRouter = {
  agent: tenantProcedure
    .input(agentUsageInput)
    .output(agentUsageSchema)
    .query(async ({ ctx, input }) => {
      const { agentCount: _count, ...periods } = await usage.usageFor(ctx.tx, ctx.caller, { kind: "agent", agentId: input.agentId });
      const budgets = await budgetsApplyingTo(ctx.tx, ctx.caller, { kind: "agent", agentId: input.agentId });
      return { agentId: input.agentId, ...periods, budgets };
    }),

  crew: tenantProcedure
    .input(crewUsageInput)
    .output(crewUsagePeriodsSchema)
    .query(async ({ ctx, input }) => {
      const { agentCount: _count, ...periods } = await usage.usageFor(ctx.tx, ctx.caller, { kind: "crew", crewId: input.crewId });
      const budgets = await budgetsApplyingTo(ctx.tx, ctx.caller, { kind: "crew", crewId: input.crewId });
      return { crewId: input.crewId, ...periods, budgets };
    }),

  space: tenantProcedure
    .input(spaceUsageInput)
    .output(spaceUsageSchema)
    .query(async ({ ctx, input }) => ({
      spaceId: input.spaceId,
      ...(await usage.usageFor(ctx.tx, ctx.caller, { kind: "space", spaceId: input.spaceId })),
      budgets: await budgetsApplyingTo(ctx.tx, ctx.caller, { kind: "space", spaceId: input.spaceId }),
    })),

  tenant: tenantProcedure.output(tenantUsageSchema).query(async ({ ctx }) => ({
    tenantId: ctx.caller.tenantId,
    ...(await usage.usageFor(ctx.tx, ctx.caller, { kind: "tenant" })),
    budgets: await budgetsApplyingTo(ctx.tx, ctx.caller, { kind: "tenant" }),
  })),

  timeseries: tenantProcedure
    .input(timeseriesInput)
    .output(timeseriesSchema)
    .query(async ({ ctx, input }) => ({
      from: input.from,
      to: input.to,
      buckets: await usage.timeseries(ctx.tx, ctx.caller, input),
    })),
} satisfies TRPCRouterRecord;
