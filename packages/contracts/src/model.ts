import { z } from "zod";

import { idSchema, isoDateTimeSchema, pageInput, pageSchema, tenantIdSchema, textSchema } from "./common";
import { limits, pricingLimits } from "./domain";
import { modelNameSchema, priceSnapshotTierSchema } from "./execution";

/**
 * Model prices (`models.*`, staff `admin.models` and friends). Prices are USD per million tokens.
 * A row is global (shipped with the service, edited by staff) or a tenant's own override, which
 * wins for that tenant. A price change is a new row with a later `validFrom` (runs priced before
 * keep their price); `update` corrects a row in place (docs/schema.md, "Model prices and budgets").
 */

export const modelScopes = ["global", "tenant"] as const;
export type ModelScope = (typeof modelScopes)[number];
export const modelScopeSchema = z.enum(modelScopes);

/** A provider as price rows name it: lower-case letters, digits and `. _ -` (`openai`, `google`, `x-ai`). */
export const modelProviderSchema = z
  .string()
  .min(1, "provider must not be empty")
  .max(pricingLimits.providerMax, `provider must be at most ${pricingLimits.providerMax} characters`)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "provider: lower-case letters, digits and . _ - (e.g. openai, anthropic)");

/** Why a LIKE pattern cannot be stored, or null: Postgres refuses a pattern ending in an escape, and every lookup would fail on it. */
export function matchPatternProblem(pattern: string): string | null {
  if (pattern !== pattern.toLowerCase()) return "match patterns are compared with the lower-case model name: write them in lower case";
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === "\\") {
      if (i === pattern.length - 1) return "a match pattern must not end with an unescaped \\ (write \\\\ for a backslash)";
      i++;
    }
  }
  return null;
}

/** One lower-case SQL LIKE pattern: `%` any run, `_` one character, `\` escapes the next one. */
export const matchPatternSchema = textSchema(pricingLimits.matchPatternMax, 1).superRefine((pattern, ctx) => {
  const problem = matchPatternProblem(pattern);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

export const matchPatternsSchema = z
  .array(matchPatternSchema)
  .min(1, "at least one match pattern")
  .max(pricingLimits.matchPatternsMax, `at most ${pricingLimits.matchPatternsMax} match patterns`)
  .transform((patterns) => [...new Set(patterns)]);

/** The exact pattern of a model name: lower case, with LIKE's wildcards escaped (`claude_3` matches only itself). */
export function exactMatchPattern(modelName: string): string {
  return modelName.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** USD per million tokens: 0 to `pricingLimits.pricePerMillionMax`, at most 6 decimals (what the table stores, exactly). */
export const pricePerMillionSchema = z
  .number("a price is a number: USD per million tokens")
  .min(0, "a price must not be negative")
  .max(pricingLimits.pricePerMillionMax, `a price must be at most ${pricingLimits.pricePerMillionMax} USD per million tokens`)
  .refine((price) => /^-?\d+(\.\d{1,6})?$/.test(String(price)), "a price has at most 6 decimals (USD per million tokens)");

/** Prices of the parts of a request; cached input, cache writes and reasoning fall back to input / input / output when null. */
const partPrices = {
  cachedInput: pricePerMillionSchema.nullable(),
  cacheWrite: pricePerMillionSchema.nullable(),
  reasoning: pricePerMillionSchema.nullable(),
};

export const pricesInput = z.strictObject({
  input: pricePerMillionSchema,
  output: pricePerMillionSchema,
  cachedInput: partPrices.cachedInput.optional(),
  cacheWrite: partPrices.cacheWrite.optional(),
  reasoning: partPrices.reasoning.optional(),
});

/**
 * A long-context tier: above `inputTokensAbove` input tokens the whole request is billed at the
 * tier's prices (each price the tier leaves out is the row's).
 */
export const priceTierSchema = z
  .strictObject({
    inputTokensAbove: z.number().int("inputTokensAbove is a whole number of tokens").min(1).max(limits.tokensMax),
    input: pricePerMillionSchema.optional(),
    output: pricePerMillionSchema.optional(),
    cachedInput: pricePerMillionSchema.optional(),
    cacheWrite: pricePerMillionSchema.optional(),
    reasoning: pricePerMillionSchema.optional(),
  })
  .refine((tier) => Object.keys(tier).length > 1, "a tier sets at least one price");
export type PriceTier = z.infer<typeof priceTierSchema>;

export const priceTiersSchema = z
  .array(priceTierSchema)
  .max(pricingLimits.priceTiersMax, `at most ${pricingLimits.priceTiersMax} tiers`)
  .superRefine((tiers, ctx) => {
    tiers.forEach((tier, i) => {
      const before = tiers[i - 1];
      if (before && tier.inputTokensAbove <= before.inputTokensAbove) {
        ctx.addIssue({
          code: "custom",
          path: [i, "inputTokensAbove"],
          message: "tiers go in ascending inputTokensAbove, each above the one before",
        });
      }
    });
  });

export const currencySchema = z.literal("USD", { error: "only USD is supported: prices are USD per million tokens" });

export const createModelInput = z.strictObject({
  provider: modelProviderSchema,
  modelName: modelNameSchema,
  /** Default: the model name as its one exact pattern (`exactMatchPattern`). */
  matchPatterns: matchPatternsSchema.optional(),
  prices: pricesInput,
  tiers: priceTiersSchema.optional(),
  currency: currencySchema.optional(),
  /** When the price starts to apply; default now. Runs finished before keep the price they had. */
  validFrom: isoDateTimeSchema.optional(),
});
export type CreateModelInput = z.output<typeof createModelInput>;

/** A correction of a row in place (a price change is better a new row with a later `validFrom`). */
export const updateModelInput = z
  .strictObject({
    id: idSchema,
    expectedVersion: z.number().int().min(1),
    provider: modelProviderSchema.optional(),
    modelName: modelNameSchema.optional(),
    matchPatterns: matchPatternsSchema.optional(),
    /** The prices sent replace the stored ones; the others stay. */
    prices: z
      .strictObject({
        input: pricePerMillionSchema.optional(),
        output: pricePerMillionSchema.optional(),
        cachedInput: partPrices.cachedInput.optional(),
        cacheWrite: partPrices.cacheWrite.optional(),
        reasoning: partPrices.reasoning.optional(),
      })
      .optional(),
    tiers: priceTiersSchema.optional(),
    currency: currencySchema.optional(),
    validFrom: isoDateTimeSchema.optional(),
  })
  .refine((patch) => Object.keys(patch).some((key) => key !== "id" && key !== "expectedVersion"), {
    message: "nothing to update: send at least one field besides id and expectedVersion",
  });
export type UpdateModelInput = z.output<typeof updateModelInput>;

export const modelIdInput = z.strictObject({ id: idSchema });
export type ModelIdInput = z.output<typeof modelIdInput>;

const modelFilters = {
  ...pageInput,
  /** The prices in effect at this time (default now): per scope, provider and model, the row with the latest `validFrom` not after it. */
  at: isoDateTimeSchema.optional(),
  provider: modelProviderSchema.optional(),
  /** Case-insensitive substring of the model name. */
  q: textSchema(pricingLimits.modelNameMax, 1).optional(),
  scope: modelScopeSchema.optional(),
};

export const listModelsInput = z.strictObject(modelFilters).default({ limit: limits.pageSizeDefault });
export type ListModelsInput = z.output<typeof listModelsInput>;

/** Which row prices a reported model name (`model_price_at`): what a caller checks before relying on computed costs. */
export const resolveModelInput = z.strictObject({
  model: modelNameSchema,
  /** The run's provider (the agent's `llmConfig.provider`): its rows come before other providers' of the same name. */
  provider: modelProviderSchema.optional(),
  /** Default now. */
  at: isoDateTimeSchema.optional(),
});
export type ResolveModelInput = z.output<typeof resolveModelInput>;

export const pricesSchema = z.object({
  input: z.number(),
  output: z.number(),
  cachedInput: z.number().nullable(),
  cacheWrite: z.number().nullable(),
  reasoning: z.number().nullable(),
});
export type Prices = z.infer<typeof pricesSchema>;

export const modelPriceSchema = z.object({
  id: idSchema,
  scope: modelScopeSchema,
  provider: z.string(),
  modelName: z.string(),
  matchPatterns: z.array(z.string()),
  prices: pricesSchema,
  tiers: z.array(priceSnapshotTierSchema),
  currency: z.literal("USD"),
  validFrom: isoDateTimeSchema,
  /** `genai-prices@<version>` (shipped), `staff` or `tenant`. */
  source: z.string(),
  version: z.number().int(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** A row of `models.list`: a global row the caller's tenant overrides (same provider and model) names the override. */
export const modelPriceListItemSchema = modelPriceSchema.extend({ overriddenBy: idSchema.nullable() });
export type ModelPriceListItem = z.infer<typeof modelPriceListItemSchema>;
export const modelPricePageSchema = pageSchema(modelPriceListItemSchema);

/** `models.get`: the row, and every row of its scope, provider and model (its price history), oldest first. */
export const modelPriceDetailSchema = modelPriceSchema.extend({ history: z.array(modelPriceSchema) });
export type ModelPriceDetail = z.infer<typeof modelPriceDetailSchema>;

export const modelResolutionSchema = z.object({
  model: z.string(),
  provider: z.string().nullable(),
  at: isoDateTimeSchema,
  /** The row that prices the name, or null: runs of this model get an unknown cost (counted as unpriced). */
  price: modelPriceSchema.nullable(),
  /** The pattern of `price` that matched the name. */
  matchedPattern: z.string().nullable(),
});
export type ModelResolution = z.infer<typeof modelResolutionSchema>;

/** `admin.models`: global rows and every tenant's, or with `tenantId` the rows that tenant's prices come from (its own and the global ones). */
export const adminListModelsInput = z.strictObject({ ...modelFilters, tenantId: tenantIdSchema.optional() }).default({
  limit: limits.pageSizeDefault,
});
export type AdminListModelsInput = z.output<typeof adminListModelsInput>;

export const adminModelPriceSchema = modelPriceSchema.extend({
  /** Null for a global row. */
  tenantId: tenantIdSchema.nullable(),
  /** For a global row: how many tenants override it (a row of their own for the same provider and model in effect); 0 for a tenant row. */
  tenantOverrides: z.number().int(),
});
export type AdminModelPrice = z.infer<typeof adminModelPriceSchema>;
export const adminModelPricePageSchema = pageSchema(adminModelPriceSchema);

export const unpricedModelsInput = z
  .strictObject({
    /** The window, in days up to now (at most 30). */
    days: z.number().int().min(1).max(30).default(30),
    limit: z.number().int().min(1).max(limits.pageSizeMax).default(limits.pageSizeMax),
  })
  .default({ days: 30, limit: limits.pageSizeMax });
export type UnpricedModelsInput = z.output<typeof unpricedModelsInput>;

/** A model name runs reported in the window without a price to compute their cost (cost unknown), newest first. */
export const unpricedModelSchema = z.object({
  model: z.string(),
  /** The providers of the agents that ran it (their `llmConfig.provider`). */
  providers: z.array(z.string()),
  executions: z.number().int(),
  tenants: z.number().int(),
  lastSeenAt: isoDateTimeSchema,
  /** A global row that prices the name now (added since those runs), or null: what staff still have to add. */
  pricedNowBy: idSchema.nullable(),
});
export type UnpricedModel = z.infer<typeof unpricedModelSchema>;
export const unpricedModelsSchema = z.object({ since: isoDateTimeSchema, items: z.array(unpricedModelSchema) });
export type UnpricedModels = z.infer<typeof unpricedModelsSchema>;
