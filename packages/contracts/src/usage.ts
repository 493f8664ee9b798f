import { z } from "zod";

import { id, isoDate, isoDateTime, tenantId } from "./common";
import { limits } from "./domain";

export const usageTotals = z.object({
  executions: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  totalTokens: z.number().int(),
  costUsd: z.number(),
  avgDurationMs: z.number().int().nullable(),
});
export type UsageTotals = z.infer<typeof usageTotals>;

/** Periods are UTC calendar periods: today, the ISO week (from Monday) and the month so far. */
export const usagePeriods = z.object({
  lifetime: usageTotals.extend({ lastExecutedAt: isoDateTime.nullable() }),
  today: usageTotals,
  thisWeek: usageTotals,
  thisMonth: usageTotals,
});

export const agentUsage = usagePeriods.extend({ agentId: id });
export type AgentUsage = z.infer<typeof agentUsage>;
export const spaceUsage = usagePeriods.extend({ spaceId: id, agentCount: z.number().int() });
export type SpaceUsage = z.infer<typeof spaceUsage>;
export const tenantUsage = usagePeriods.extend({ tenantId, agentCount: z.number().int() });
export type TenantUsage = z.infer<typeof tenantUsage>;

export const agentUsageInput = z.strictObject({ agentId: id });
export const spaceUsageInput = z.strictObject({ spaceId: id });

export const timeseriesInput = z
  .strictObject({
    /** First day, inclusive (UTC). */
    from: isoDate,
    /** Last day, inclusive (UTC). */
    to: isoDate,
    agentId: id.optional(),
    spaceId: id.optional(),
  })
  .refine((i) => i.from <= i.to, { message: "from must not be after to", path: ["from"] })
  .refine((i) => daysBetween(i.from, i.to) < limits.timeseriesDaysMax, {
    message: `the range may cover at most ${limits.timeseriesDaysMax} days`,
    path: ["to"],
  });

function daysBetween(from: string, to: string) {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

export const usageBucket = z.object({
  day: isoDate,
  executions: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
  totalTokens: z.number().int(),
  costUsd: z.number(),
  avgDurationMs: z.number().int().nullable(),
});
export type UsageBucket = z.infer<typeof usageBucket>;

export const timeseries = z.object({ from: isoDate, to: isoDate, buckets: z.array(usageBucket) });
export type Timeseries = z.infer<typeof timeseries>;
