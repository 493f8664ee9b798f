import { z } from "zod";

import { idSchema, isoDateSchema, isoDateTimeSchema, pageInput, pageSchema, tenantIdSchema, textSchema } from "./common";
import { budgetCrossingKinds, budgetEnforcements, budgetPeriods, budgetScopes, limits, pricingLimits } from "./domain";

/**
 * Spend budgets (`budgets.*`): a limit in USD per UTC day or UTC calendar month on the spend of
 * the tenant, a space, an agent or a crew, read from the usage rollups. A `hard` budget refuses
 * `executions.start` once reached (PRECONDITION_FAILED naming the budget, its spend and its reset
 * time); a `soft` one only reports. docs/pricing.md, "Budgets".
 */

export const budgetScopeSchema = z.enum(budgetScopes);
export const budgetPeriodSchema = z.enum(budgetPeriods);
export const budgetEnforcementSchema = z.enum(budgetEnforcements);
export const budgetCrossingKindSchema = z.enum(budgetCrossingKinds);

/** USD, more than 0, at most 6 decimals (the column is numeric(16, 6): a finer limit would be rounded silently). */
const limitUsdSchema = z
  .number()
  .gt(0, "limitUsd must be more than 0")
  .max(pricingLimits.budgetLimitUsdMax, `limitUsd must be at most ${pricingLimits.budgetLimitUsdMax}`)
  .refine((n) => Math.abs(n * 1e6 - Math.round(n * 1e6)) < 1e-3, "limitUsd has at most 6 decimal places");

const thresholdSchema = z
  .number()
  .int("alertThresholdPercent must be a whole number")
  .min(1, "alertThresholdPercent must be between 1 and 100")
  .max(100, "alertThresholdPercent must be between 1 and 100");

/** Which id field each scope takes: exactly its own, none of the others'. */
const targetFields = { space: "spaceId", agent: "agentId", crew: "crewId" } as const;
type TargetField = (typeof targetFields)[keyof typeof targetFields];

/** Why the ids sent do not fit the scope: the scope's own id missing, or another scope's id present. */
export function budgetTargetProblems(
  scope: z.infer<typeof budgetScopeSchema>,
  ids: Partial<Record<TargetField, string | undefined>>,
): { path: string[]; message: string }[] {
  const own = scope === "tenant" ? null : targetFields[scope];
  const problems: { path: string[]; message: string }[] = [];
  const article = scope === "agent" ? "an" : "a";
  if (own && ids[own] === undefined) problems.push({ path: [own], message: `${article} ${scope} budget needs ${own}` });
  for (const field of Object.values(targetFields)) {
    if (field !== own && ids[field] !== undefined) {
      problems.push({ path: [field], message: `${article} ${scope} budget takes ${own ? `only ${own}` : "no id"}, not ${field}` });
    }
  }
  return problems;
}

export const createBudgetInput = z
  .strictObject({
    name: textSchema(pricingLimits.budgetNameMax, 1),
    scope: budgetScopeSchema,
    spaceId: idSchema.optional(),
    agentId: idSchema.optional(),
    crewId: idSchema.optional(),
    period: budgetPeriodSchema,
    limitUsd: limitUsdSchema,
    enforcement: budgetEnforcementSchema,
    /** Percent of the limit at which a `threshold` crossing is recorded (e.g. 80); none when left out. */
    alertThresholdPercent: thresholdSchema.nullable().optional(),
  })
  .superRefine((budget, ctx) => {
    for (const problem of budgetTargetProblems(budget.scope, budget)) ctx.addIssue({ code: "custom", ...problem });
  });
export type CreateBudgetInput = z.output<typeof createBudgetInput>;

/** A patch: only the fields present change; scope and target stay (create another budget for another target). */
export const updateBudgetInput = z
  .strictObject({
    id: idSchema,
    expectedVersion: z.number().int().min(1),
    name: textSchema(pricingLimits.budgetNameMax, 1).optional(),
    period: budgetPeriodSchema.optional(),
    limitUsd: limitUsdSchema.optional(),
    enforcement: budgetEnforcementSchema.optional(),
    alertThresholdPercent: thresholdSchema.nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).some((key) => key !== "id" && key !== "expectedVersion"), {
    message: "nothing to update: send at least one field besides id and expectedVersion",
  });
export type UpdateBudgetInput = z.output<typeof updateBudgetInput>;

export const budgetIdInput = z.strictObject({ id: idSchema });
export type BudgetIdInput = z.output<typeof budgetIdInput>;

const budgetFilters = {
  ...pageInput,
  scope: budgetScopeSchema.optional(),
  /** Budgets of this space (scope `space`). */
  spaceId: idSchema.optional(),
  /** Budgets of this agent (scope `agent`). */
  agentId: idSchema.optional(),
  /** Budgets of this crew (scope `crew`). */
  crewId: idSchema.optional(),
};

/** Newest first. */
export const listBudgetsInput = z.strictObject(budgetFilters).default({ limit: limits.pageSizeDefault });
export type ListBudgetsInput = z.output<typeof listBudgetsInput>;

/**
 * Where a budget stands now: the period's spend (usage rollups, `budget_spend`), what running
 * executions reserve under it (hard budgets), what is left, and when the period resets.
 * `state`: `exceeded` once spend has reached the limit, `threshold` once it has reached the
 * alert threshold, else `ok`.
 */
export const budgetStatusSchema = z.object({
  spendUsd: z.number(),
  limitUsd: z.number(),
  /** spend / limit × 100, to two decimals; above 100 when a run overshot the limit. */
  percent: z.number(),
  reservedUsd: z.number(),
  /** limit − spend − reserved, never below 0. */
  remainingUsd: z.number(),
  periodStart: isoDateSchema,
  resetsAt: isoDateTimeSchema,
  state: z.enum(["ok", "threshold", "exceeded"]),
});
export type BudgetStatus = z.infer<typeof budgetStatusSchema>;

export const budgetSchema = z.object({
  id: idSchema,
  name: z.string(),
  scope: budgetScopeSchema,
  spaceId: idSchema.nullable(),
  agentId: idSchema.nullable(),
  crewId: idSchema.nullable(),
  period: budgetPeriodSchema,
  limitUsd: z.number(),
  enforcement: budgetEnforcementSchema,
  alertThresholdPercent: z.number().int().nullable(),
  status: budgetStatusSchema,
  version: z.number().int(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type Budget = z.infer<typeof budgetSchema>;

export const budgetPageSchema = pageSchema(budgetSchema);

export const listBudgetCrossingsInput = z
  .strictObject({ ...pageInput, budgetId: idSchema.optional(), kind: budgetCrossingKindSchema.optional() })
  .default({ limit: limits.pageSizeDefault });
export type ListBudgetCrossingsInput = z.output<typeof listBudgetCrossingsInput>;

/** A budget's spend reaching its threshold or its limit: recorded once per budget, period and kind, when a run finishes. */
export const budgetCrossingSchema = z.object({
  id: idSchema,
  budgetId: idSchema,
  kind: budgetCrossingKindSchema,
  periodStart: isoDateSchema,
  spendUsd: z.number(),
  limitUsd: z.number(),
  thresholdPercent: z.number().int().nullable(),
  /** The run whose finish crossed it (kept as an id: retention may delete the run later). */
  executionId: idSchema.nullable(),
  crossedAt: isoDateTimeSchema,
});
export type BudgetCrossing = z.infer<typeof budgetCrossingSchema>;

export const budgetCrossingPageSchema = pageSchema(budgetCrossingSchema);

/**
 * `admin.budgets`: one tenant's budgets with their status, as `budgets.list` gives them to the
 * tenant; `appliesToAgentId` instead gives the budgets an agent's runs answer to (its own, its
 * space's, the tenant's), for the agent page.
 */
export const adminListBudgetsInput = z.strictObject({
  tenantId: tenantIdSchema,
  ...budgetFilters,
  appliesToAgentId: idSchema.optional(),
});
export type AdminListBudgetsInput = z.output<typeof adminListBudgetsInput>;
