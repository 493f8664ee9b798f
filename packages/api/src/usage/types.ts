import type { UsageBucket, UsageTotals } from "@agent-builder/contracts";

export type { UsageBucket };

export interface UsagePeriodsResult {
  agentCount: number;
  lifetime: UsageTotals & { lastExecutedAt: string | null };
  today: UsageTotals;
  thisWeek: UsageTotals;
  thisMonth: UsageTotals;
}
