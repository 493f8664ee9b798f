import { z } from "zod";

import { idSchema, isoDateTimeSchema, pageInput, pageSchema, textSchema } from "./common";
import { crewLimits, executionStatuses, limits, pricingLimits, stepTypes, terminalExecutionStatuses } from "./domain";
import { boundedJson, jsonObjectSchema } from "./json";

export const executionStatusSchema = z.enum(executionStatuses);
export const stepTypeSchema = z.enum(stepTypes);

const tokenCount = z.number().int().min(0).max(limits.tokensMax);

/** A model name as the provider reports it (`gpt-4o-2024-08-06`); priced by the `models` table's match patterns. */
export const modelNameSchema = textSchema(pricingLimits.modelNameMax, 1);

/**
 * Token counts as the provider reports them. `totalTokens` = input + output; cached input reads
 * and cache writes are parts of the input tokens, reasoning tokens part of the output tokens
 * (OpenAI's usage semantics; normalise Anthropic's, which counts cache reads and writes apart).
 * Each part is priced at its own rate (docs/schema.md, "Model prices and budgets").
 */
const tokenCounts = {
  inputTokens: tokenCount,
  outputTokens: tokenCount,
  cachedInputTokens: tokenCount.default(0),
  reasoningTokens: tokenCount.default(0),
  cacheWriteTokens: tokenCount.default(0),
};

/** The parts must fit in their wholes: cached reads and cache writes in the input, reasoning in the output. */
function checkTokenParts(
  u: { inputTokens: number; outputTokens: number; cachedInputTokens: number; reasoningTokens: number; cacheWriteTokens: number },
  ctx: z.RefinementCtx,
) {
  if (u.cachedInputTokens + u.cacheWriteTokens > u.inputTokens) {
    ctx.addIssue({
      code: "custom",
      message: "cachedInputTokens + cacheWriteTokens are parts of inputTokens and cannot exceed it",
      path: ["cachedInputTokens"],
    });
  }
  if (u.reasoningTokens > u.outputTokens) {
    ctx.addIssue({ code: "custom", message: "reasoningTokens are part of outputTokens and cannot exceed it", path: ["reasoningTokens"] });
  }
}

/**
 * Token usage of a run, and the model that used it when it is not the agent's configured one
 * (`llmConfig.model`); the service prices it when no `costUsd` is given.
 */
export const tokenUsageInput = z.strictObject({ ...tokenCounts, model: modelNameSchema.optional() }).superRefine(checkTokenParts);
export type TokenUsageInput = z.output<typeof tokenUsageInput>;

const costUsd = z
  .number()
  .min(0)
  .max(limits.costUsdMax)
  .refine((n) => Math.abs(n * 1e6 - Math.round(n * 1e6)) < 1e-3, "costUsd has at most 6 decimal places");

/** Measured by the runner; when left out the server uses completion time minus start time. */
const durationMs = z
  .number()
  .int()
  .min(0)
  .max(30 * 24 * 3600 * 1000);

export const idempotencyKeySchema = textSchema(255, 1).regex(/^[\x21-\x7e]+$/, "idempotency key: printable ASCII, no spaces");

/**
 * What an execution runs: an agent (`agentId`), a crew (`crewId`: a crew run, whose work is done
 * by its child runs), or, with `parentExecutionId`, one agent's part of a running crew run (a
 * child run: `agentId` of a member or the manager of that crew run's crew). A top-level run may
 * answer in a conversation (`conversationId`) of the same agent or crew.
 */
const runSubject = {
  agentId: idSchema.optional(),
  crewId: idSchema.optional(),
  parentExecutionId: idSchema.optional(),
  conversationId: idSchema.optional(),
};

/** The subject rules shared by `executions.start`: one of agent or crew; a child run names its agent. */
function checkSubject(i: { agentId?: string; crewId?: string; parentExecutionId?: string; conversationId?: string }, ctx: z.RefinementCtx) {
  if ((i.agentId === undefined) === (i.crewId === undefined)) {
    ctx.addIssue({ code: "custom", message: "give agentId (an agent run) or crewId (a crew run), exactly one", path: ["agentId"] });
  }
  if (i.parentExecutionId !== undefined && i.agentId === undefined) {
    ctx.addIssue({ code: "custom", message: "a child run (parentExecutionId) names its agent (agentId)", path: ["parentExecutionId"] });
  }
  if (i.parentExecutionId !== undefined && i.conversationId !== undefined) {
    ctx.addIssue({
      code: "custom",
      message: "a child run is in its crew run's conversation; give conversationId on the crew run",
      path: ["conversationId"],
    });
  }
}

export const startExecutionInput = z
  .strictObject({
    ...runSubject,
    input: boundedJson(),
    /** Same key + same payload returns the same execution; same key + different payload is a CONFLICT. */
    idempotencyKey: idempotencyKeySchema.optional(),
    metadata: jsonObjectSchema(limits.metadataBytesMax).optional(),
  })
  .superRefine(checkSubject);
export type StartExecutionInput = z.output<typeof startExecutionInput>;

export const stepInput = z
  .strictObject({
    type: stepTypeSchema,
    data: boundedJson({ maxBytes: 64 * 1024 }),
    /** In a crew run or its child runs: the task of the crew the step worked on. */
    taskId: idSchema.optional(),
    /**
     * A step may report its own usage (one model call of the run), and its model when not the
     * agent's: it is priced when written, and a run whose steps report usage costs their sum.
     */
    ...tokenCounts,
    inputTokens: tokenCount.default(0),
    outputTokens: tokenCount.default(0),
    model: modelNameSchema.optional(),
  })
  .superRefine(checkTokenParts);
export type StepInput = z.output<typeof stepInput>;

export const appendStepsInput = z.strictObject({
  executionId: idSchema,
  steps: z.array(stepInput).min(1).max(limits.stepsPerAppendMax),
});
export type AppendStepsInput = z.output<typeof appendStepsInput>;

/**
 * `usage` and `costUsd` are optional: without `costUsd` the service computes the cost from the
 * usage (or, without usage, from the steps that reported theirs; none: zero tokens, cost 0) at
 * the price in force for the run's model. A given `costUsd` is kept as the provided cost and
 * counted; the computed one is stored beside it.
 */
export const completeExecutionInput = z.strictObject({
  id: idSchema,
  output: boundedJson(),
  usage: tokenUsageInput.optional(),
  costUsd: costUsd.optional(),
  durationMs: durationMs.optional(),
});
export type CompleteExecutionInput = z.output<typeof completeExecutionInput>;

export const executionErrorSchema = z.strictObject({
  code: textSchema(100, 1).optional(),
  message: textSchema(10_000, 1),
});

export const failExecutionInput = z.strictObject({
  id: idSchema,
  error: executionErrorSchema,
  usage: tokenUsageInput.optional(),
  costUsd: costUsd.optional(),
  durationMs: durationMs.optional(),
});
export type FailExecutionInput = z.output<typeof failExecutionInput>;

export const cancelExecutionInput = z.strictObject({
  id: idSchema,
  reason: textSchema(10_000, 1).optional(),
});
export type CancelExecutionInput = z.output<typeof cancelExecutionInput>;

export const executionIdInput = z.strictObject({ id: idSchema });
export type ExecutionIdInput = z.output<typeof executionIdInput>;

export const listExecutionsInput = z
  .strictObject({
    ...pageInput,
    agentId: idSchema.optional(),
    /** A crew's runs: its crew runs and their child runs. */
    crewId: idSchema.optional(),
    /** A crew run's child runs. */
    parentExecutionId: idSchema.optional(),
    userId: idSchema.optional(),
    status: z.union([executionStatusSchema, z.array(executionStatusSchema).min(1).max(executionStatuses.length)]).optional(),
    /** Inclusive lower bound on the start time. */
    from: isoDateTimeSchema.optional(),
    /** Exclusive upper bound on the start time. */
    to: isoDateTimeSchema.optional(),
  })
  .refine((i) => !i.from || !i.to || Date.parse(i.from) < Date.parse(i.to), {
    message: "from must be before to",
    path: ["from"],
  })
  .default({ limit: limits.pageSizeDefault });
export type ListExecutionsInput = z.output<typeof listExecutionsInput>;

export const tokenUsageSchema = z.object({
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cachedInputTokens: z.number().int(),
  reasoningTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  totalTokens: z.number().int(),
});

/** A long-context tier as a price snapshot keeps it: above `inputTokensAbove` input tokens the whole request is billed at these prices. */
export const priceSnapshotTierSchema = z.object({
  inputTokensAbove: z.number().int(),
  input: z.number().optional(),
  output: z.number().optional(),
  cachedInput: z.number().optional(),
  cacheWrite: z.number().optional(),
  reasoning: z.number().optional(),
});

/**
 * The price row a cost was computed with, as it was then (a later price change never rewrites
 * it): USD per million tokens; a part without its own price is billed at the input (cached input,
 * cache writes) or output (reasoning) price.
 */
export const priceSnapshotSchema = z.object({
  modelId: idSchema,
  provider: z.string(),
  modelName: z.string(),
  /** Where the row came from: `genai-prices@<version>`, `staff` or `tenant`. */
  source: z.string(),
  validFrom: isoDateTimeSchema,
  currency: z.string(),
  input: z.number(),
  output: z.number(),
  cachedInput: z.number().optional(),
  cacheWrite: z.number().optional(),
  reasoning: z.number().optional(),
  tiers: z.array(priceSnapshotTierSchema),
  /** The tenant's own price, which wins over the global row for that tenant. */
  tenantOverride: z.boolean(),
});
export type PriceSnapshot = z.infer<typeof priceSnapshotSchema>;

/** One model's share of a run's computed cost: its tokens, the price used (null: the model is unpriced) and the cost (null: unknown). */
export const pricingLineSchema = z.object({
  model: z.string().nullable(),
  price: priceSnapshotSchema.nullable(),
  /** Steps priced on this line; 0 when the run's own usage was priced. */
  steps: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cachedInputTokens: z.number().int(),
  reasoningTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  costUsd: z.number().nullable(),
});
export type PricingLine = z.infer<typeof pricingLineSchema>;

/**
 * How a finished run's cost was computed: from its own usage (`usage`), as the sum of its steps'
 * (`steps`), nothing to price (`none`: no tokens, cost 0), or a crew run's sum of its child runs'
 * (`childRuns`, with how many of them are unpriced).
 */
export const executionPricingSchema = z.object({
  source: z.enum(["usage", "steps", "none", "childRuns"]),
  lines: z.array(pricingLineSchema),
  unpricedChildRuns: z.number().int().optional(),
});
export type ExecutionPricing = z.infer<typeof executionPricingSchema>;

/**
 * `executions.get`'s cost breakdown: the caller's cost (if given), the computed one (null: unknown,
 * no price for the model) and how it was computed (null while the run is running). The summary's
 * `costUsd` is the provided cost when given, else the computed one.
 */
export const executionCostSchema = z.object({
  providedUsd: z.number().nullable(),
  computedUsd: z.number().nullable(),
  pricing: executionPricingSchema.nullable(),
});
export type ExecutionCost = z.infer<typeof executionCostSchema>;

/** An execution without its payloads: what lists return. */
export const executionSummarySchema = z.object({
  id: idSchema,
  /** The agent that ran: null for a crew run (its work is its child runs'). */
  agentId: idSchema.nullable(),
  /** The crew of a crew run and of its child runs; null for an agent run. */
  crewId: idSchema.nullable(),
  /** A child run's crew run. */
  parentExecutionId: idSchema.nullable(),
  /** The conversation a top-level run answered in. */
  conversationId: idSchema.nullable(),
  userId: idSchema,
  status: executionStatusSchema,
  startedAt: isoDateTimeSchema,
  completedAt: isoDateTimeSchema.nullable(),
  durationMs: z.number().int().nullable(),
  usage: tokenUsageSchema,
  /** What the run cost: the caller's figure when given, else computed from the prices; null = unknown (no price for the model, none given). 0 while running. */
  costUsd: z.number().nullable(),
  /** The model the run used (reported with its usage, else the agent's at the finish); null while running or for a crew run. */
  model: z.string().nullable(),
  error: z.object({ code: z.string().nullable(), message: z.string() }).nullable(),
  idempotencyKey: z.string().nullable(),
  stepCount: z.number().int(),
  createdAt: isoDateTimeSchema,
});
export type ExecutionSummary = z.infer<typeof executionSummarySchema>;

export const stepSchema = z.object({
  ordinal: z.number().int(),
  type: stepTypeSchema,
  taskId: idSchema.nullable(),
  data: z.unknown(),
  /** The model of a step that reported usage (its own, else the agent's); null otherwise. */
  model: z.string().nullable(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cachedInputTokens: z.number().int(),
  reasoningTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  /** Priced when written; 0 without tokens, null when the model is unpriced. */
  costUsd: z.number().nullable(),
  createdAt: isoDateTimeSchema,
});
export type Step = z.infer<typeof stepSchema>;

export const executionSchema = executionSummarySchema.extend({
  input: z.unknown(),
  output: z.unknown().nullable(),
  metadata: z.record(z.string(), z.unknown()),
});
export type Execution = z.infer<typeof executionSchema>;

/** `executions.get`: the execution, its cost breakdown, its steps, and for a crew run its child runs (summaries, oldest first; empty otherwise). */
export const executionWithStepsSchema = executionSchema.extend({
  cost: executionCostSchema,
  steps: z.array(stepSchema),
  childRuns: z.array(executionSummarySchema),
});
export type ExecutionWithSteps = z.infer<typeof executionWithStepsSchema>;

export const appendStepsResultSchema = z.object({
  executionId: idSchema,
  steps: z.array(stepSchema.pick({ ordinal: true, type: true, taskId: true, createdAt: true })),
  stepCount: z.number().int(),
});

export const executionPageSchema = pageSchema(executionSummarySchema);

/**
 * `executions.record`: runs that already finished, written in one call and one transaction
 * (what a runner that reports afterwards, or a batch importer, sends). Each run is an agent run
 * or a crew run with its child runs; `startedAt` defaults to now minus `durationMs` (server
 * clock), a child's to its crew run's. A crew run's usage and cost are its children's (summed by
 * the database), so it takes none of its own.
 */
const recordedStatusSchema = z.enum(terminalExecutionStatuses);

const recordedRunFields = {
  input: boundedJson(),
  output: boundedJson().optional(),
  status: recordedStatusSchema,
  /** Required when the run failed; a cancelled run may give a reason here; a succeeded one has none. */
  error: executionErrorSchema.optional(),
  startedAt: isoDateTimeSchema.optional(),
  durationMs,
  idempotencyKey: idempotencyKeySchema.optional(),
  metadata: jsonObjectSchema(limits.metadataBytesMax).optional(),
  steps: z.array(stepInput).max(limits.stepsPerAppendMax).optional(),
};

function checkError(i: { status: string; error?: unknown }, ctx: z.RefinementCtx) {
  if (i.status === "failed" && i.error === undefined)
    ctx.addIssue({ code: "custom", message: "a failed run gives its error", path: ["error"] });
  if (i.status === "succeeded" && i.error !== undefined) {
    ctx.addIssue({ code: "custom", message: "a succeeded run has no error", path: ["error"] });
  }
}

export const recordChildRunInput = z
  .strictObject({ agentId: idSchema, ...recordedRunFields, usage: tokenUsageInput.optional(), costUsd: costUsd.optional() })
  .superRefine(checkError);
export type RecordChildRunInput = z.output<typeof recordChildRunInput>;

export const recordRunInput = z
  .strictObject({
    agentId: idSchema.optional(),
    crewId: idSchema.optional(),
    conversationId: idSchema.optional(),
    ...recordedRunFields,
    /**
     * An agent run's usage and cost, both optional as on `executions.complete` (the database
     * prices the usage, or the steps' usage); a crew run's are its child runs'.
     */
    usage: tokenUsageInput.optional(),
    costUsd: costUsd.optional(),
    /** A crew run's child runs, in order (`childIds` of the result keeps it). */
    childRuns: z.array(recordChildRunInput).min(1).max(crewLimits.recordChildRunsMax).optional(),
  })
  .superRefine((i, ctx) => {
    checkSubject(i, ctx);
    checkError(i, ctx);
    if (i.agentId !== undefined) {
      if (i.childRuns !== undefined) ctx.addIssue({ code: "custom", message: "only a crew run has child runs", path: ["childRuns"] });
    }
    if (i.crewId !== undefined) {
      for (const field of ["usage", "costUsd"] as const) {
        if (i[field] !== undefined) {
          ctx.addIssue({ code: "custom", message: `a crew run's ${field} is the sum of its child runs'; give it on them`, path: [field] });
        }
      }
    }
  });
export type RecordRunInput = z.output<typeof recordRunInput>;

export const recordExecutionsInput = z.strictObject({
  runs: z.array(recordRunInput).min(1).max(crewLimits.recordBatchMax),
});
export type RecordExecutionsInput = z.output<typeof recordExecutionsInput>;

/** The recorded runs' ids in input order (a retried call returns the same), each crew run with its children's. */
export const recordExecutionsResultSchema = z.object({
  runs: z.array(z.object({ id: idSchema, childIds: z.array(idSchema) })),
});
export type RecordExecutionsResult = z.infer<typeof recordExecutionsResultSchema>;
