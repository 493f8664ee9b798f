import { z } from "zod";

import {
  type CreateModelInput,
  exactMatchPattern,
  type ListModelsInput,
  type ModelPrice,
  type ModelPriceDetail,
  type ModelPriceListItem,
  type ModelResolution,
  type PriceTier,
  type ResolveModelInput,
  type UpdateModelInput,
} from "@agent-builder/contracts";
import { models, queryRows, type SQL, sql, type Tx } from "@agent-builder/db";

import type { Caller } from "../auth";
import { BadRequest, Conflict, Forbidden, type NotFound } from "../domain-errors";
import { notFound } from "../errors";
import { decodeCursor, likePattern, toPage } from "../pagination";
import "./constraints"; // this domain's constraint messages (errors.ts reads them)

/**
 * Model prices. A row belongs to a scope: `owner` null is the global scope (shipped rows and
 * staff edits), a tenant id that tenant's overrides. Tenants read their own rows and the global
 * ones (row-level security: policy `shared_read`), write only their own; staff write only global
 * rows (`staff_write_shared`). Every query also names the scope in its WHERE clause.
 */
export type ModelOwner = string | null;

/** A models row as `to_jsonb` gives it: the same on every driver (numbers, ISO times, arrays), whatever each does with numeric and timestamptz. */
export interface ModelRowJson {
  id: string;
  tenant_id: string | null;
  provider: string;
  model_name: string;
  match_patterns: string[];
  input_price: number | string;
  output_price: number | string;
  cached_input_price: number | string | null;
  cache_write_price: number | string | null;
  reasoning_price: number | string | null;
  tiers: Array<Record<string, unknown>>;
  currency: string;
  valid_from: string;
  source: string;
  version: number;
  created_at: string;
  updated_at: string;
}

const iso = (value: string) => new Date(value).toISOString();
const price = (value: number | string) => Number(value);
const optionalPrice = (value: number | string | null | undefined) => (value === null || value === undefined ? null : Number(value));

const tierPriceKeys = ["input", "output", "cachedInput", "cacheWrite", "reasoning"] as const;

export function toModelPrice(row: ModelRowJson): ModelPrice {
  return {
    id: row.id,
    scope: row.tenant_id === null ? "global" : "tenant",
    provider: row.provider,
    modelName: row.model_name,
    matchPatterns: row.match_patterns,
    prices: {
      input: price(row.input_price),
      output: price(row.output_price),
      cachedInput: optionalPrice(row.cached_input_price),
      cacheWrite: optionalPrice(row.cache_write_price),
      reasoning: optionalPrice(row.reasoning_price),
    },
    // Stored as the table's PriceTier (decimal strings, exact), read as numbers like the row's prices.
    tiers: row.tiers.map((tier) => {
      const out: ModelPrice["tiers"][number] = { inputTokensAbove: Number(tier.inputTokensAbove) };
      for (const key of tierPriceKeys) {
        const value = tier[key];
        if (value !== undefined && value !== null) out[key] = Number(value);
      }
      return out;
    }),
    currency: "USD",
    validFrom: iso(row.valid_from),
    source: row.source,
    version: row.version,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** `tenant_id` of the scope: `is not distinct from`, so the global scope (null) compares too. */
export function inScope(column: SQL, owner: ModelOwner): SQL {
  return sql`${column} is not distinct from ${owner}::text`;
}

/** The rows a tenant's prices come from: its own and the global ones. */
function visibleTo(tenantId: string): SQL {
  return sql`(m.tenant_id = ${tenantId} or m.tenant_id is null)`;
}

/** `at`, or the transaction's now. */
const atOrNow = (at: string | undefined) => sql`coalesce(${at ?? null}::timestamptz, now())`;

/**
 * The rows in effect at a time: per scope, provider and model, the row with the latest
 * `valid_from` not after it. `where` narrows the rows first (the tenants, provider and name
 * filters: the same for a row and the rows it shadows, so they may come before the choice).
 */
export function effectiveRows(where: SQL[], at: string | undefined): SQL {
  return sql`select distinct on (m.tenant_id, m.provider, m.model_name) m.*
             from models m
             where ${sql.join([...where, sql`m.valid_from <= ${atOrNow(at)}`], sql` and `)}
             order by m.tenant_id, m.provider, m.model_name, m.valid_from desc`;
}

/** Filters on provider and name, which a row and its overrides share. */
export function nameFilters(input: { provider?: string; q?: string }): SQL[] {
  const where: SQL[] = [];
  if (input.provider) where.push(sql`m.provider = ${input.provider}`);
  if (input.q) where.push(sql`m.model_name ilike ${likePattern(input.q)}`);
  return where;
}

/** A cursor's sort value is a JSON array of the row's sort keys (provider, model, and the scope's key). */
export function decodeSortKeys<T extends z.ZodType>(raw: string, ordering: string, shape: T): { keys: z.output<T>; id: string } {
  const cursor = decodeCursor(raw, ordering);
  let keys: unknown;
  try {
    keys = JSON.parse(cursor.v);
  } catch {
    throw new BadRequest("invalid cursor: it is not a cursor this API issued");
  }
  const parsed = shape.safeParse(keys);
  if (!parsed.success) throw new BadRequest("invalid cursor: it is not a cursor this API issued");
  return { keys: parsed.data, id: cursor.id };
}

const tenantListOrdering = "provider,modelName,tenantFirst";
const tenantListKeys = z.tuple([z.string(), z.string(), z.boolean()]);

/**
 * `models.list`: the prices in effect for the caller's tenant at `at` (default now), its own
 * rows and the global ones, by provider and model (an override before the global row it
 * shadows). A global row with an override of the same provider and model names it.
 */
export async function listModels(tx: Tx, caller: Caller, input: ListModelsInput) {
  const conditions: SQL[] = [];
  if (input.scope === "global") conditions.push(sql`e.tenant_id is null`);
  if (input.scope === "tenant") conditions.push(sql`e.tenant_id is not null`);
  if (input.cursor) {
    const { keys, id } = decodeSortKeys(input.cursor, tenantListOrdering, tenantListKeys);
    conditions.push(
      sql`(e.provider, e.model_name, e.tenant_id is null, e.id) > (${keys[0]}, ${keys[1]}, ${keys[2]}::boolean, ${id}::uuid)`,
    );
  }
  const rows = await queryRows<{ id: string; row: ModelRowJson; overriddenBy: string | null; cursorKey: string }>(
    tx,
    sql`with effective as (${effectiveRows([visibleTo(caller.tenantId), ...nameFilters(input)], input.at)})
        select e.id, to_jsonb(e) as row,
               (select o.id from effective o
                where e.tenant_id is null and o.tenant_id is not null and o.provider = e.provider and o.model_name = e.model_name
                limit 1) as "overriddenBy",
               jsonb_build_array(e.provider, e.model_name, e.tenant_id is null)::text as "cursorKey"
        from effective e
        ${conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``}
        order by e.provider, e.model_name, e.tenant_id is null, e.id
        limit ${input.limit + 1}`,
  );
  return toPage(
    rows,
    input.limit,
    tenantListOrdering,
    (r): ModelPriceListItem => ({ ...toModelPrice(r.row), overriddenBy: r.overriddenBy }),
  );
}

/** One row by id among those `where` allows, with its scope. */
async function findRow(tx: Tx, where: SQL, id: string): Promise<ModelRowJson | undefined> {
  const [found] = await queryRows<{ row: ModelRowJson }>(
    tx,
    sql`select to_jsonb(m) as row from models m where m.id = ${id}::uuid and ${where}`,
  );
  return found?.row;
}

/** A row and its history: every row of its scope, provider and model, oldest first. */
async function withHistory(tx: Tx, row: ModelRowJson): Promise<ModelPriceDetail> {
  const history = await queryRows<{ row: ModelRowJson }>(
    tx,
    sql`select to_jsonb(m) as row from models m
        where ${inScope(sql`m.tenant_id`, row.tenant_id)} and m.provider = ${row.provider} and m.model_name = ${row.model_name}
        order by m.valid_from, m.id`,
  );
  return { ...toModelPrice(row), history: history.map((h) => toModelPrice(h.row)) };
}

export async function getModel(tx: Tx, caller: Caller, id: string): Promise<ModelPriceDetail> {
  const row = await findRow(tx, visibleTo(caller.tenantId), id);
  if (!row) throw notFound("model price", id);
  return withHistory(tx, row);
}

// model_price_at's test for a pattern with a wildcard (an exact pattern is more specific than any).
const wildcardPattern = "(^|[^\\\\])[%_]";

/** `models.resolve`: the row `model_price_at` picks for the name, provider and time, as a run finishing then would be priced. */
export async function resolveModel(tx: Tx, caller: Caller, input: ResolveModelInput): Promise<ModelResolution> {
  const [found] = await queryRows<{ row: ModelRowJson; matchedPattern: string | null; at: string }>(
    tx,
    sql`select to_jsonb(r) as row, to_jsonb(${atOrNow(input.at)}) #>> '{}' as at,
               (select p from unnest(r.match_patterns) p where lower(${input.model}) like p
                order by case when p ~ ${wildcardPattern} then length(p) else 100000 + length(p) end desc limit 1) as "matchedPattern"
        from model_price_at(${caller.tenantId}, ${input.model}, ${input.provider ?? null}::text, ${atOrNow(input.at)}) r`,
  );
  const priced = found && found.row.id !== null ? toModelPrice(found.row) : null;
  return {
    model: input.model,
    provider: input.provider ?? null,
    at: iso(found?.at ?? input.at ?? new Date().toISOString()),
    price: priced,
    matchedPattern: priced ? (found?.matchedPattern ?? null) : null,
  };
}

/** A tier as the table stores it (PriceTier of the schema): prices as exact decimal strings. */
function storedTiers(tiers: PriceTier[]) {
  return tiers.map((tier) => {
    const { inputTokensAbove, ...prices } = tier;
    return { inputTokensAbove, ...Object.fromEntries(Object.entries(prices).map(([key, value]) => [key, String(value)])) };
  });
}

const decimal = (value: number) => String(value);
const optionalDecimal = (value: number | null | undefined) => (value === null || value === undefined ? null : String(value));

/** Inserts a row in `owner`'s scope (a tenant's override, or a global row for staff). */
export async function insertModel(tx: Tx, owner: ModelOwner, source: string, input: CreateModelInput): Promise<ModelPrice> {
  const [created] = await tx
    .insert(models)
    .values({
      tenantId: owner,
      provider: input.provider,
      modelName: input.modelName,
      matchPatterns: input.matchPatterns ?? [exactMatchPattern(input.modelName)],
      inputPrice: decimal(input.prices.input),
      outputPrice: decimal(input.prices.output),
      cachedInputPrice: optionalDecimal(input.prices.cachedInput),
      cacheWritePrice: optionalDecimal(input.prices.cacheWrite),
      reasoningPrice: optionalDecimal(input.prices.reasoning),
      tiers: storedTiers(input.tiers ?? []),
      currency: "USD",
      // The table's default is the epoch (for shipped rows); a price written now starts now unless told.
      validFrom: input.validFrom ? new Date(input.validFrom) : sql`now()`,
      source,
    })
    .returning({ id: models.id });
  if (!created) throw new Error("insert returned no row");
  const row = await findRow(tx, inScope(sql`m.tenant_id`, owner), created.id);
  if (!row) throw new Error("the inserted row is not readable");
  return toModelPrice(row);
}

/** The row to write, in `owner`'s scope; a row of the other kind is refused with `otherScope`. */
async function rowToWrite(tx: Tx, owner: ModelOwner, readable: SQL, id: string, otherScope: string): Promise<ModelRowJson> {
  const row = await findRow(tx, readable, id);
  if (!row) throw notFound("model price", id);
  if (row.tenant_id !== owner) throw new Forbidden(otherScope);
  return row;
}

const globalFromTenant = "global prices are maintained by staff: create an override of your own (models.create) instead";

/** Corrects a row in place under `expectedVersion`; only the fields sent change. */
export async function patchModel(
  tx: Tx,
  owner: ModelOwner,
  readable: SQL,
  input: UpdateModelInput,
  otherScope: string,
  /** What the row's `source` becomes (staff corrections say `staff`); unchanged when not given. */
  source?: string,
): Promise<{ before: ModelPrice; after: ModelPrice }> {
  const current = await rowToWrite(tx, owner, readable, input.id, otherScope);
  if (current.version !== input.expectedVersion) throw versionConflict(input.id, current.version, input.expectedVersion);
  const prices = input.prices ?? {};
  const [updated] = await tx
    .update(models)
    .set({
      ...(input.provider !== undefined && { provider: input.provider }),
      ...(input.modelName !== undefined && { modelName: input.modelName }),
      ...(input.matchPatterns !== undefined && { matchPatterns: input.matchPatterns }),
      ...(prices.input !== undefined && { inputPrice: decimal(prices.input) }),
      ...(prices.output !== undefined && { outputPrice: decimal(prices.output) }),
      ...(prices.cachedInput !== undefined && { cachedInputPrice: optionalDecimal(prices.cachedInput) }),
      ...(prices.cacheWrite !== undefined && { cacheWritePrice: optionalDecimal(prices.cacheWrite) }),
      ...(prices.reasoning !== undefined && { reasoningPrice: optionalDecimal(prices.reasoning) }),
      ...(input.tiers !== undefined && { tiers: storedTiers(input.tiers) }),
      ...(input.validFrom !== undefined && { validFrom: new Date(input.validFrom) }),
      ...(source !== undefined && { source }),
      version: sql`${models.version} + 1`,
    })
    .where(
      sql`${models.id} = ${input.id}::uuid and ${inScope(sql`${models.tenantId}`, owner)} and ${models.version} = ${input.expectedVersion}`,
    )
    .returning({ id: models.id });
  if (!updated) throw await versionMiss(tx, owner, input.id, input.expectedVersion);
  const after = await findRow(tx, inScope(sql`m.tenant_id`, owner), input.id);
  if (!after) throw notFound("model price", input.id);
  return { before: toModelPrice(current), after: toModelPrice(after) };
}

function versionConflict(id: string, current: number, expected: number): Conflict {
  return new Conflict(`model price ${id} is at version ${current}, not ${expected}: reload it and retry`);
}

/** Why a write guarded by `version = expected` matched no row: the row is gone, or it moved on. */
async function versionMiss(tx: Tx, owner: ModelOwner, id: string, expectedVersion: number): Promise<NotFound | Conflict> {
  const row = await findRow(tx, inScope(sql`m.tenant_id`, owner), id);
  if (!row) return notFound("model price", id);
  return versionConflict(id, row.version, expectedVersion);
}

export async function removeModel(tx: Tx, owner: ModelOwner, readable: SQL, id: string, otherScope: string): Promise<ModelPrice> {
  const current = await rowToWrite(tx, owner, readable, id, otherScope);
  const deleted = await queryRows<{ id: string }>(
    tx,
    sql`delete from models m where m.id = ${id}::uuid and ${inScope(sql`m.tenant_id`, owner)} returning m.id`,
  );
  if (deleted.length === 0) throw notFound("model price", id);
  return toModelPrice(current);
}

/** `models.create`: an override of the caller's tenant, which wins over global rows for it. */
export function createModel(tx: Tx, caller: Caller, input: CreateModelInput): Promise<ModelPrice> {
  return insertModel(tx, caller.tenantId, "tenant", input);
}

export async function updateModel(tx: Tx, caller: Caller, input: UpdateModelInput): Promise<ModelPrice> {
  return (await patchModel(tx, caller.tenantId, visibleTo(caller.tenantId), input, globalFromTenant)).after;
}

export async function deleteModel(tx: Tx, caller: Caller, id: string): Promise<{ id: string }> {
  await removeModel(tx, caller.tenantId, visibleTo(caller.tenantId), id, globalFromTenant);
  return { id };
}
