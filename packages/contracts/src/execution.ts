import { z } from "zod";

import { id, isoDateTime, page, pageInput, text } from "./common";
import { executionStatuses, limits, stepTypes } from "./domain";
import { boundedJson, jsonObject } from "./json";

export const executionStatus = z.enum(executionStatuses);
export const stepType = z.enum(stepTypes);

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

export const idempotencyKey = text(255, 1).regex(/^[\x21-\x7e]+$/, "idempotency key: printable ASCII, no spaces");

export const startExecutionInput = z.strictObject({
  agentId: id,
  input: boundedJson(),
  /** Same key + same payload returns the same execution; same key + different payload is a CONFLICT. */
  idempotencyKey: idempotencyKey.optional(),
  metadata: jsonObject(limits.metadataBytesMax).optional(),
});

export const stepInput = z.strictObject({
  type: stepType,
  data: boundedJson({ maxBytes: 64 * 1024 }),
  inputTokens: tokenCount.default(0),
  outputTokens: tokenCount.default(0),
});

export const appendStepsInput = z.strictObject({
  executionId: id,
  steps: z.array(stepInput).min(1).max(limits.stepsPerAppendMax),
});

export const completeExecutionInput = z.strictObject({
  id,
  output: boundedJson(),
  usage: tokenUsageInput,
  costUsd,
  durationMs: durationMs.optional(),
});

export const executionError = z.strictObject({
  code: text(100, 1).optional(),
  message: text(10_000, 1),
});

export const failExecutionInput = z.strictObject({
  id,
  error: executionError,
  usage: tokenUsageInput.optional(),
  costUsd: costUsd.optional(),
  durationMs: durationMs.optional(),
});

export const cancelExecutionInput = z.strictObject({
  id,
  reason: text(10_000, 1).optional(),
});

export const executionIdInput = z.strictObject({ id });

export const listExecutionsInput = z
  .strictObject({
    ...pageInput,
    agentId: id.optional(),
    userId: id.optional(),
    status: z.union([executionStatus, z.array(executionStatus).min(1).max(executionStatuses.length)]).optional(),
    /** Inclusive lower bound on the start time. */
    from: isoDateTime.optional(),
    /** Exclusive upper bound on the start time. */
    to: isoDateTime.optional(),
  })
  .refine((i) => !i.from || !i.to || Date.parse(i.from) < Date.parse(i.to), {
    message: "from must be before to",
    path: ["from"],
  })
  .default({ limit: limits.pageSizeDefault });

export const tokenUsage = z.object({
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cachedInputTokens: z.number().int(),
  reasoningTokens: z.number().int(),
  totalTokens: z.number().int(),
});

/** An execution without its payloads: what lists return. */
export const executionSummary = z.object({
  id,
  agentId: id,
  userId: id,
  status: executionStatus,
  startedAt: isoDateTime,
  completedAt: isoDateTime.nullable(),
  durationMs: z.number().int().nullable(),
  usage: tokenUsage,
  costUsd: z.number(),
  error: z.object({ code: z.string().nullable(), message: z.string() }).nullable(),
  idempotencyKey: z.string().nullable(),
  stepCount: z.number().int(),
  createdAt: isoDateTime,
});
export type ExecutionSummary = z.infer<typeof executionSummary>;

export const step = z.object({
  ordinal: z.number().int(),
  type: stepType,
  data: z.unknown(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  createdAt: isoDateTime,
});
export type Step = z.infer<typeof step>;

export const execution = executionSummary.extend({
  input: z.unknown(),
  output: z.unknown().nullable(),
  metadata: z.record(z.string(), z.unknown()),
});
export type Execution = z.infer<typeof execution>;

export const executionWithSteps = execution.extend({ steps: z.array(step) });
export type ExecutionWithSteps = z.infer<typeof executionWithSteps>;

export const appendStepsResult = z.object({
  executionId: id,
  steps: z.array(step.pick({ ordinal: true, type: true, createdAt: true })),
  stepCount: z.number().int(),
});

export const executionPage = page(executionSummary);
