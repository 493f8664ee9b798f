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

import { tenantProcedure } from "../trpc";
import * as usage from "./service";

export const usageRouter = {
  agent: tenantProcedure
    .input(agentUsageInput)
    .output(agentUsageSchema)
    .query(async ({ ctx, input }) => {
      const subject = { kind: "agent", agentId: input.agentId } as const;
      const { agentCount: _count, ...periods } = await usage.usageWithBudgets(ctx.tx, ctx.caller, subject);
      return { agentId: input.agentId, ...periods };
    }),

  crew: tenantProcedure
    .input(crewUsageInput)
    .output(crewUsagePeriodsSchema)
    .query(async ({ ctx, input }) => {
      const subject = { kind: "crew", crewId: input.crewId } as const;
      const { agentCount: _count, ...periods } = await usage.usageWithBudgets(ctx.tx, ctx.caller, subject);
      return { crewId: input.crewId, ...periods };
    }),

  space: tenantProcedure
    .input(spaceUsageInput)
    .output(spaceUsageSchema)
    .query(async ({ ctx, input }) => {
      const subject = { kind: "space", spaceId: input.spaceId } as const;
      return { spaceId: input.spaceId, ...(await usage.usageWithBudgets(ctx.tx, ctx.caller, subject)) };
    }),

  tenant: tenantProcedure.output(tenantUsageSchema).query(async ({ ctx }) => ({
    tenantId: ctx.caller.tenantId,
    ...(await usage.usageWithBudgets(ctx.tx, ctx.caller, { kind: "tenant" })),
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
