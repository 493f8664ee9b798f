import { z } from "zod";

import { idSchema, isoDateTimeSchema, pageInput, pageSchema, textSchema } from "./common";
import { executionStatuses, limits, stepTypes } from "./domain";
import { boundedJson, jsonObjectSchema } from "./json";

export const executionStatusSchema = z.enum(executionStatuses);
export const stepTypeSchema = z.enum(stepTypes);

const tokenCount = z.number().int().min(0).max(limits.tokensMax);

/**
 * Token usage as the provider reports it. `totalTokens` = input + output; cached input and
 * reasoning tokens are breakdowns of those two (OpenAI's usage semantics), kept for cost analysis.
 */
export const tokenUsageInput = z.strictObject({
  inputTokens: tokenCount,
  outputTokens: tokenCount,
  cachedInputTokens: tokenCount.default(0),
  reasoningTokens: tokenCount.default(0),
});
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

export const startExecutionInput = z.strictObject({
  agentId: idSchema,
  input: boundedJson(),
  /** Same key + same payload returns the same execution; same key + different payload is a CONFLICT. */
  idempotencyKey: idempotencyKeySchema.optional(),
  metadata: jsonObjectSchema(limits.metadataBytesMax).optional(),
});
export type StartExecutionInput = z.output<typeof startExecutionInput>;

export const stepInput = z.strictObject({
  type: stepTypeSchema,
  data: boundedJson({ maxBytes: 64 * 1024 }),
  inputTokens: tokenCount.default(0),
  outputTokens: tokenCount.default(0),
});
export type StepInput = z.output<typeof stepInput>;

export const appendStepsInput = z.strictObject({
  executionId: idSchema,
  steps: z.array(stepInput).min(1).max(limits.stepsPerAppendMax),
});
export type AppendStepsInput = z.output<typeof appendStepsInput>;

export const completeExecutionInput = z.strictObject({
  id: idSchema,
  output: boundedJson(),
  usage: tokenUsageInput,
  costUsd,
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
  totalTokens: z.number().int(),
});

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
  costUsd: z.number(),
  error: z.object({ code: z.string().nullable(), message: z.string() }).nullable(),
  idempotencyKey: z.string().nullable(),
  stepCount: z.number().int(),
  createdAt: isoDateTimeSchema,
});
export type ExecutionSummary = z.infer<typeof executionSummarySchema>;

export const stepSchema = z.object({
  ordinal: z.number().int(),
  type: stepTypeSchema,
  data: z.unknown(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  createdAt: isoDateTimeSchema,
});
export type Step = z.infer<typeof stepSchema>;

export const executionSchema = executionSummarySchema.extend({
  input: z.unknown(),
  output: z.unknown().nullable(),
  metadata: z.record(z.string(), z.unknown()),
});
export type Execution = z.infer<typeof executionSchema>;

export const executionWithStepsSchema = executionSchema.extend({ steps: z.array(stepSchema) });
export type ExecutionWithSteps = z.infer<typeof executionWithStepsSchema>;

export const appendStepsResultSchema = z.object({
  executionId: idSchema,
  steps: z.array(stepSchema.pick({ ordinal: true, type: true, createdAt: true })),
  stepCount: z.number().int(),
});

export const executionPageSchema = pageSchema(executionSummarySchema);
