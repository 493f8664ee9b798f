import shippedPricesFile from "./shipped-prices.json" with { type: "json" };

/** A long-context tier as the `models.tiers` column keeps it (see schema/pricing.ts). */
export interface ShippedTier {
  inputTokensAbove: number;
  input?: string;
  output?: string;
  cachedInput?: string;
  cacheWrite?: string;
}

/**
 * One shipped price row: a genai-prices model's price for one period (its unconditional price
 * from 1970-01-01, then one row per later `start_date`). Prices are USD per million tokens as
 * decimal strings, so they reach `numeric(12,6)` without passing through a float.
 */
export interface ShippedPrice {
  provider: string;
  /** genai-prices' model id. */
  modelName: string;
  /** Lower-case SQL LIKE patterns (`\` escapes), as `models.match_patterns`. */
  matchPatterns: string[];
  input: string;
  output: string;
  cachedInput: string | null;
  cacheWrite: string | null;
  /** Always null: genai-prices bills reasoning tokens as output tokens. */
  reasoning: string | null;
  tiers: ShippedTier[];
  /** ISO timestamp, UTC. */
  validFrom: string;
}

/** What the importer left out, and why (a model, or one match rule of a model). */
export interface SkippedPrice {
  provider: string;
  modelName: string;
  /** The match rule left out (JSON of genai-prices' MatchLogic); absent when the whole model was. */
  match?: string;
  reason: string;
}

export interface ShippedPrices {
  source: "genai-prices";
  /** The genai-prices release imported; rows carry `genai-prices@<version>` as their source. */
  version: string;
  /** UTC date of the import (YYYY-MM-DD). */
  importedAt: string;
  providers: string[];
  /** genai-prices price keys of imported models that the table has no column for (per-request, audio, image, search prices). */
  ignoredPriceKeys: string[];
  rows: ShippedPrice[];
  skipped: SkippedPrice[];
}

/** The price table shipped with this build (written by `pnpm prices:import`). */
export const shippedPrices = shippedPricesFile as ShippedPrices;

/** `source` of the rows a sync inserts: `genai-prices@0.1.8`. */
export function shippedSource(prices: ShippedPrices = shippedPrices): string {
  return `${prices.source}@${prices.version}`;
}
