import { z } from "zod";

import { budgetSchema } from "./budget";
import { idSchema, isoDateSchema, isoDateTimeSchema, tenantIdSchema } from "./common";
import { limits } from "./domain";

export const usageTotalsSchema = z.object({
  executions: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  /** Finished runs whose cost is unknown (a model without a price): they count 0 in costUsd. */
  unpricedExecutions: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  totalTokens: z.number().int(),
  costUsd: z.number(),
  avgDurationMs: z.number().int().nullable(),
});
export type UsageTotals = z.infer<typeof usageTotalsSchema>;

/** Periods are UTC calendar periods: today, the ISO week (from Monday) and the month so far. */
export const usagePeriodsSchema = z.object({
  lifetime: usageTotalsSchema.extend({ lastExecutedAt: isoDateTimeSchema.nullable() }),
  today: usageTotalsSchema,
  thisWeek: usageTotalsSchema,
  thisMonth: usageTotalsSchema,
});

/**
 * The budgets that apply to a usage read's subject, each with its status (budgets.list's shape):
 * usage.tenant the tenant's; usage.space the space's and the tenant's; usage.agent the agent's,
 * its space's and the tenant's; usage.crew the crew's, its space's and the tenant's.
 */
const budgetsField = { budgets: z.array(budgetSchema) };

export const agentUsageSchema = usagePeriodsSchema.extend({ agentId: idSchema, ...budgetsField });
export type AgentUsage = z.infer<typeof agentUsageSchema>;
export const spaceUsageSchema = usagePeriodsSchema.extend({ spaceId: idSchema, agentCount: z.number().int(), ...budgetsField });
export type SpaceUsage = z.infer<typeof spaceUsageSchema>;
export const tenantUsageSchema = usagePeriodsSchema.extend({ tenantId: tenantIdSchema, agentCount: z.number().int(), ...budgetsField });
export type TenantUsage = z.infer<typeof tenantUsageSchema>;

/** `usage.crew` (named apart from `crews.get`'s lifetime `crewUsageSchema`): its crew runs, each counted once with its child runs' tokens and cost. */
export const crewUsagePeriodsSchema = usagePeriodsSchema.extend({ crewId: idSchema, ...budgetsField });
export type CrewUsagePeriods = z.infer<typeof crewUsagePeriodsSchema>;

export const agentUsageInput = z.strictObject({ agentId: idSchema });
export type AgentUsageInput = z.output<typeof agentUsageInput>;
export const spaceUsageInput = z.strictObject({ spaceId: idSchema });
export const crewUsageInput = z.strictObject({ crewId: idSchema });
export type CrewUsageInput = z.output<typeof crewUsageInput>;
export type SpaceUsageInput = z.output<typeof spaceUsageInput>;

export const timeseriesInput = z
  .strictObject({
    /** First day, inclusive (UTC). */
    from: isoDateSchema,
    /** Last day, inclusive (UTC). */
    to: isoDateSchema,
    agentId: idSchema.optional(),
    spaceId: idSchema.optional(),
    /** A crew's crew runs (at most one of agentId, spaceId, crewId). */
    crewId: idSchema.optional(),
  })
  .refine((i) => i.from <= i.to, { message: "from must not be after to", path: ["from"] })
  .refine((i) => daysBetween(i.from, i.to) < limits.timeseriesDaysMax, {
    message: `the range may cover at most ${limits.timeseriesDaysMax} days`,
    path: ["to"],
  });
export type TimeseriesInput = z.output<typeof timeseriesInput>;

function daysBetween(from: string, to: string) {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

export const usageBucketSchema = z.object({
  day: isoDateSchema,
  executions: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  unpricedExecutions: z.number().int(),
  totalTokens: z.number().int(),
  costUsd: z.number(),
  avgDurationMs: z.number().int().nullable(),
});
export type UsageBucket = z.infer<typeof usageBucketSchema>;

export const timeseriesSchema = z.object({ from: isoDateSchema, to: isoDateSchema, buckets: z.array(usageBucketSchema) });
export type Timeseries = z.infer<typeof timeseriesSchema>;
