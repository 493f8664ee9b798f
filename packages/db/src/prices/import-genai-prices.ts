/**
 * `pnpm prices:import`: turns the installed `@pydantic/genai-prices` release into
 * `shipped-prices.json` (committed), the global rows of `models` that every migration run syncs
 * (sync.ts). Nothing in the JSON is typed by hand: bump the devDependency, run this, commit the
 * JSON (docs/pricing.md, "Prices").
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { findProvider } from "@pydantic/genai-prices";

import type { ShippedPrice, ShippedPrices, ShippedTier, SkippedPrice } from "./shipped";

/** The providers the service ships prices for (genai-prices' provider ids, kept as `models.provider`). */
export const shippedProviders = ["openai", "anthropic", "google", "mistral"] as const;

type MatchLogic =
  | { and: MatchLogic[] }
  | { or: MatchLogic[] }
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string };

interface Tiered {
  base: number;
  tiers: Array<{ start: number; price: number }>;
}
type PriceValue = number | Tiered | undefined;
type ModelPrice = Record<string, PriceValue>;
interface ConditionalPrice {
  constraint?: { type: "start_date"; start_date: string } | { type: "time_of_date"; start_time: string; end_time: string };
  prices: ModelPrice;
}
interface ModelInfo {
  id: string;
  match: MatchLogic;
  prices: ModelPrice | ConditionalPrice[];
}

/** genai-prices price key → column of `models` (`input_price`, …) as the shipped row names it. */
const tokenPriceKeys = {
  input_mtok: "input",
  output_mtok: "output",
  cache_read_mtok: "cachedInput",
  cache_write_mtok: "cacheWrite",
} as const;
type TokenPriceKey = keyof typeof tokenPriceKeys;
const isTokenPriceKey = (key: string): key is TokenPriceKey => key in tokenPriceKeys;

/** The unconditional price applies from the start of time (genai-prices uses it before any start_date). */
export const alwaysValidFrom = "1970-01-01T00:00:00Z";

/** A literal for LIKE: lower-case (genai-prices compares lower-case), `%`, `_` and `\` escaped with `\`. */
export function likeLiteral(text: string): string {
  return text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * A regex genai-prices uses for dated variants, as a LIKE pattern: `^` then literal characters
 * (escaped punctuation allowed), `\d` and `\d{n}` (one `_` per digit), and an optional `$`
 * (without it the pattern ends in `%`). `_` accepts any character where the regex wants a digit:
 * the one widening, and no real model name differs from its dated variant only in a non-digit
 * there. Anything else (groups, classes, alternation, lookarounds, quantifiers): null.
 */
export function regexToLike(regex: string): string | null {
  if (!regex.startsWith("^")) return null;
  let pattern = "";
  let i = 1;
  while (i < regex.length) {
    const c = regex[i] as string;
    if (c === "$") {
      return i === regex.length - 1 ? pattern : null;
    }
    if (c === "\\") {
      const next = regex[i + 1];
      if (next === undefined) return null;
      if (next === "d") {
        const count = /^\{(\d+)\}/.exec(regex.slice(i + 2));
        pattern += "_".repeat(count ? Number(count[1]) : 1);
        i += 2 + (count ? count[0].length : 0);
        continue;
      }
      // An escaped punctuation character is that character; `\w`, `\s`, `\b`, … are classes.
      if (/[A-Za-z0-9]/.test(next)) return null;
      pattern += likeLiteral(next);
      i += 2;
      continue;
    }
    if (".*+?()[]{}|".includes(c)) return null;
    // genai-prices tests regexes against the lower-case name: an upper-case literal never matches.
    if (c !== c.toLowerCase()) return null;
    pattern += likeLiteral(c);
    i += 1;
  }
  return `${pattern}%`;
}

interface Converted {
  patterns: string[];
  /** Leaves with no exact LIKE form, with the reason. */
  unconvertible: Array<{ leaf: MatchLogic; reason: string }>;
}

/** Every leaf of a MatchLogic as LIKE patterns; `or` is several patterns, `and` has no LIKE form. */
export function matchToLike(match: MatchLogic): Converted {
  const out: Converted = { patterns: [], unconvertible: [] };
  const visit = (m: MatchLogic) => {
    if ("or" in m) m.or.forEach(visit);
    else if ("and" in m)
      out.unconvertible.push({
        leaf: m,
        reason: "an `and` (here with a negative lookahead) has no LIKE form: one LIKE pattern cannot exclude names",
      });
    else if ("equals" in m) out.patterns.push(likeLiteral(m.equals));
    else if ("starts_with" in m) out.patterns.push(`${likeLiteral(m.starts_with)}%`);
    else if ("ends_with" in m) out.patterns.push(`%${likeLiteral(m.ends_with)}`);
    else if ("contains" in m) out.patterns.push(`%${likeLiteral(m.contains)}%`);
    else if ("regex" in m) {
      const pattern = regexToLike(m.regex);
      if (pattern === null) out.unconvertible.push({ leaf: m, reason: `regex ${m.regex} is not a literal with \\d runs` });
      else out.patterns.push(pattern);
    } else out.unconvertible.push({ leaf: m, reason: "unknown match rule" });
  };
  visit(match);
  out.patterns = [...new Set(out.patterns)];
  return out;
}

/** genai-prices' own matching of a (lower-case) name, for the one check the importer needs. */
function matches(m: MatchLogic, name: string): boolean {
  if ("or" in m) return m.or.some((x) => matches(x, name));
  if ("and" in m) return m.and.every((x) => matches(x, name));
  if ("equals" in m) return name === m.equals.toLowerCase();
  if ("starts_with" in m) return name.startsWith(m.starts_with.toLowerCase());
  if ("ends_with" in m) return name.endsWith(m.ends_with.toLowerCase());
  if ("contains" in m) return name.includes(m.contains.toLowerCase());
  return new RegExp(m.regex).test(name);
}

/** Whether a lower-case name is LIKE a pattern (default `\` escape), as Postgres decides it. */
export function likeMatches(name: string, pattern: string): boolean {
  let source = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\") source += (pattern[++i] ?? "").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    else if (c === "%") source += "[\\s\\S]*";
    else if (c === "_") source += "[\\s\\S]";
    else source += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`${source}$`).test(name);
}

/** A price as a decimal string for numeric(12,6); a price finer than a micro-dollar per Mtok cannot be stored exactly: refuse it. */
function decimal(value: number, where: string): string {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${where}: price ${value} is not a non-negative number`);
  // Shortest round-trip form (JSON's own digits); exponent forms only for values under 1e-6.
  const text = String(value);
  if (/e/i.test(text) || (text.split(".")[1]?.length ?? 0) > 6) throw new Error(`${where}: price ${text} has more than 6 decimals`);
  return text;
}

/**
 * A genai-prices price (key → number or tiered) as a row's prices and tiers. Tiers are per key in
 * genai-prices and per threshold here: each threshold of any key becomes one tier with every
 * tiered key's price in force above it (keys without tiers keep the base price, as the SQL falls back).
 */
function rowPrices(prices: ModelPrice, where: string, ignored: Set<string>) {
  const base: Record<"input" | "output" | "cachedInput" | "cacheWrite", string | null> = {
    input: null,
    output: null,
    cachedInput: null,
    cacheWrite: null,
  };
  const tiered: Array<[TokenPriceKey, Tiered]> = [];
  for (const [key, value] of Object.entries(prices)) {
    if (value === undefined) continue;
    if (!isTokenPriceKey(key)) {
      ignored.add(key);
      continue;
    }
    if (typeof value === "number") base[tokenPriceKeys[key]] = decimal(value, `${where} ${key}`);
    else {
      base[tokenPriceKeys[key]] = decimal(value.base, `${where} ${key}`);
      tiered.push([key, value]);
    }
  }
  const starts = [...new Set(tiered.flatMap(([, t]) => t.tiers.map((tier) => tier.start)))].sort((a, b) => a - b);
  const tiers: ShippedTier[] = starts.map((start) => {
    const tier: ShippedTier = { inputTokensAbove: start };
    for (const [key, t] of tiered) {
      // The price genai-prices uses for this key above `start`: its last tier starting at or below it.
      const inForce = [...t.tiers].sort((a, b) => a.start - b.start).filter((x) => x.start <= start);
      const price = inForce.at(-1)?.price ?? t.base;
      tier[tokenPriceKeys[key]] = decimal(price, `${where} ${key} tier ${start}`);
    }
    return tier;
  });
  return { base, tiers };
}

export interface GenaiPricesRelease {
  version: string;
  models(provider: string): ModelInfo[];
}

/** The shipped table from a genai-prices release: rows, ignored price keys and what was skipped. */
export function importPrices(release: GenaiPricesRelease, importedAt: string): ShippedPrices {
  const rows: ShippedPrice[] = [];
  const skipped: SkippedPrice[] = [];
  const ignored = new Set<string>();
  for (const provider of shippedProviders) {
    for (const model of release.models(provider)) {
      const converted = matchToLike(model.match);
      for (const { leaf, reason } of converted.unconvertible) {
        skipped.push({ provider, modelName: model.id, match: JSON.stringify(leaf), reason });
      }
      // A skipped rule may be the only one matching the model's own id (gemini-2.5-pro's whole
      // rule is an `and`): that one name genai-prices certainly prices with this model, exactly.
      const id = model.id.toLowerCase();
      if (
        converted.unconvertible.length > 0 &&
        matches(model.match, id) &&
        !converted.patterns.some((pattern) => likeMatches(id, pattern))
      ) {
        converted.patterns.push(likeLiteral(id));
      }
      if (converted.patterns.length === 0) {
        skipped.push({ provider, modelName: model.id, reason: "no match rule has a LIKE form" });
        continue;
      }

      const periods: ConditionalPrice[] = Array.isArray(model.prices) ? model.prices : [{ prices: model.prices }];
      if (periods.some((p) => p.constraint && p.constraint.type !== "start_date")) {
        skipped.push({ provider, modelName: model.id, reason: "time-of-day prices: the table has start dates only" });
        continue;
      }
      const modelRows: ShippedPrice[] = [];
      periods.forEach((period, index) => {
        // genai-prices bills a time before every start_date at the first price: it starts at 1970.
        const validFrom =
          index === 0 || period.constraint?.type !== "start_date" ? alwaysValidFrom : `${period.constraint.start_date}T00:00:00Z`;
        const { base, tiers } = rowPrices(period.prices, `${provider}/${model.id}`, ignored);
        if (base.input === null && base.output === null) {
          const keys = Object.keys(period.prices);
          skipped.push({
            provider,
            modelName: model.id,
            reason: `no token prices${keys.length ? ` (priced by ${keys.join(", ")})` : " (free or unpriced)"}${periods.length > 1 ? ` from ${validFrom}` : ""}`,
          });
          return;
        }
        modelRows.push({
          provider,
          modelName: model.id,
          matchPatterns: converted.patterns,
          // A model with only one direction priced costs nothing in the other (embeddings).
          input: base.input ?? "0",
          output: base.output ?? "0",
          cachedInput: base.cachedInput,
          cacheWrite: base.cacheWrite,
          reasoning: null,
          tiers,
          validFrom,
        });
      });
      rows.push(...modelRows);
    }
  }
  return {
    source: "genai-prices",
    version: release.version,
    importedAt,
    providers: [...shippedProviders],
    ignoredPriceKeys: [...ignored].sort(),
    rows,
    skipped,
  };
}

/** The installed genai-prices: its data and the version in its package.json. */
export function installedRelease(): GenaiPricesRelease {
  // Its exports map has no "./package.json": find the file from the entry point.
  const entry = createRequire(import.meta.url).resolve("@pydantic/genai-prices");
  const packageJson = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")) as { name: string; version: string };
  if (packageJson.name !== "@pydantic/genai-prices")
    throw new Error(`expected @pydantic/genai-prices' package.json, found ${packageJson.name}`);
  return {
    version: packageJson.version,
    models(providerId) {
      const provider = findProvider({ providerId });
      if (!provider) throw new Error(`genai-prices ${packageJson.version} has no provider ${providerId}`);
      return provider.models as ModelInfo[];
    },
  };
}

export const shippedPricesFile = fileURLToPath(new URL("./shipped-prices.json", import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const table = importPrices(installedRelease(), new Date().toISOString().slice(0, 10));
  writeFileSync(shippedPricesFile, `${JSON.stringify(table, null, 2)}\n`);
  // The tree's formatter has the last word on layout, so `pnpm lint` passes on the committed file.
  execFileSync("pnpm", ["exec", "biome", "format", "--write", shippedPricesFile], { stdio: "ignore" });
  const skippedModels = table.skipped.filter((s) => s.match === undefined).length;
  console.log(
    `genai-prices ${table.version}: ${table.rows.length} price rows for ${new Set(table.rows.map((r) => `${r.provider}/${r.modelName}`)).size} models ` +
      `(${table.providers.join(", ")}); skipped ${skippedModels} models or periods and ${table.skipped.length - skippedModels} match rules -> ${shippedPricesFile}`,
  );
}
