import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import {
  type AdminListModelsInput,
  type AdminModelPrice,
  adminListModelsInput,
  adminModelPricePageSchema,
  type CreateModelInput,
  createModelInput,
  type ModelPrice,
  modelIdInput,
  modelPriceSchema,
  type UnpricedModels,
  type UnpricedModelsInput,
  type UpdateModelInput,
  unpricedModelsInput,
  unpricedModelsSchema,
  updateModelInput,
} from "@agent-builder/contracts";
import { queryRows, type SQL, sql, type Tx } from "@agent-builder/db";

import { recordStaffActions } from "../admin/audit";
import { requireTenant } from "../admin/scope";
import type { Caller } from "../auth";
import { toPage } from "../pagination";
import { adminProcedure } from "../trpc";
import {
  decodeSortKeys,
  effectiveRows,
  insertModel,
  type ModelRowJson,
  nameFilters,
  patchModel,
  removeModel,
  toModelPrice,
} from "./service";

/**
 * Staff procedures on model prices: every row (global and every tenant's), the global rows'
 * edits (audited; a tenant's overrides are the tenant's to write), and the model names runs
 * reported without a price, so staff see what to add.
 */
export const modelStaffProcedures = {
  models: adminProcedure
    .input(adminListModelsInput)
    .output(adminModelPricePageSchema)
    .query(({ ctx, input }) => listAllModels(ctx.tx, input)),

  createModel: adminProcedure
    .input(createModelInput)
    .output(modelPriceSchema)
    .mutation(({ ctx, input }) => createGlobalModel(ctx.tx, ctx.caller, input)),

  updateModel: adminProcedure
    .input(updateModelInput)
    .output(modelPriceSchema)
    .mutation(({ ctx, input }) => updateGlobalModel(ctx.tx, ctx.caller, input)),

  deleteModel: adminProcedure
    .input(modelIdInput)
    .output(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => deleteGlobalModel(ctx.tx, ctx.caller, input.id)),

  unpricedModels: adminProcedure
    .input(unpricedModelsInput)
    .output(unpricedModelsSchema)
    .query(({ ctx, input }) => unpricedModels(ctx.tx, input)),
} satisfies TRPCRouterRecord;

const staffOrdering = "provider,modelName,tenantId";
const staffListKeys = z.tuple([z.string(), z.string(), z.string()]);

/**
 * The prices in effect at `at` in every scope (global rows first within a provider and model,
 * then tenants' by id), or with `tenantId` the rows that tenant's prices come from. A global row
 * counts the tenants that override it.
 */
export async function listAllModels(tx: Tx, input: AdminListModelsInput): Promise<{ items: AdminModelPrice[]; nextCursor: string | null }> {
  const where = nameFilters(input);
  if (input.tenantId) {
    await requireTenant(tx, input.tenantId);
    where.push(sql`(m.tenant_id = ${input.tenantId} or m.tenant_id is null)`);
  }
  const conditions: SQL[] = [];
  if (input.scope === "global") conditions.push(sql`e.tenant_id is null`);
  if (input.scope === "tenant") conditions.push(sql`e.tenant_id is not null`);
  if (input.cursor) {
    const { keys, id } = decodeSortKeys(input.cursor, staffOrdering, staffListKeys);
    conditions.push(sql`(e.provider, e.model_name, coalesce(e.tenant_id, ''), e.id) > (${keys[0]}, ${keys[1]}, ${keys[2]}, ${id}::uuid)`);
  }
  const rows = await queryRows<{ id: string; row: ModelRowJson; tenantOverrides: number; cursorKey: string }>(
    tx,
    sql`with effective as (${effectiveRows(where, input.at)})
        select e.id, to_jsonb(e) as row,
               (select count(*) from effective o
                where e.tenant_id is null and o.tenant_id is not null and o.provider = e.provider and o.model_name = e.model_name
               )::int as "tenantOverrides",
               jsonb_build_array(e.provider, e.model_name, coalesce(e.tenant_id, ''))::text as "cursorKey"
        from effective e
        ${conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``}
        order by e.provider, e.model_name, coalesce(e.tenant_id, ''), e.id
        limit ${input.limit + 1}`,
  );
  return toPage(rows, input.limit, staffOrdering, (r) => ({
    ...toModelPrice(r.row),
    tenantId: r.row.tenant_id,
    tenantOverrides: Number(r.tenantOverrides),
  }));
}

const tenantFromStaff =
  "this row is a tenant's override: tenants write their own (models.update / models.delete); staff edit global rows only";

/** What the audit log keeps of a row: enough to tell which price it was and what it said. */
function audited(price: ModelPrice) {
  return {
    provider: price.provider,
    modelName: price.modelName,
    validFrom: price.validFrom,
    matchPatterns: price.matchPatterns,
    prices: price.prices,
    tiers: price.tiers,
  };
}

export async function createGlobalModel(tx: Tx, actor: Caller, input: CreateModelInput): Promise<ModelPrice> {
  const created = await insertModel(tx, null, "staff", input);
  await recordStaffActions(tx, actor, [
    { action: "model.create", targetTenantId: null, targetType: "model", targetId: created.id, details: audited(created) },
  ]);
  return created;
}

/** Corrects a global row; its source becomes `staff` (it no longer says what the shipped source said). */
export async function updateGlobalModel(tx: Tx, actor: Caller, input: UpdateModelInput): Promise<ModelPrice> {
  const { before, after: updated } = await patchModel(tx, null, sql`true`, input, tenantFromStaff, "staff");
  await recordStaffActions(tx, actor, [
    {
      action: "model.update",
      targetTenantId: null,
      targetType: "model",
      targetId: input.id,
      details: { before: { ...audited(before), source: before.source }, after: audited(updated) },
    },
  ]);
  return updated;
}

export async function deleteGlobalModel(tx: Tx, actor: Caller, id: string): Promise<{ id: string }> {
  const deleted = await removeModel(tx, null, sql`true`, id, tenantFromStaff);
  await recordStaffActions(tx, actor, [
    {
      action: "model.delete",
      targetTenantId: null,
      targetType: "model",
      targetId: id,
      details: { ...audited(deleted), source: deleted.source },
    },
  ]);
  return { id };
}

/**
 * Model names that finished runs of the last `days` reported without a price (their cost
 * unknown, `cost_usd` null): from each run's pricing lines without a price (the run's own model,
 * or a step's), with how many runs and tenants and when last seen, newest first. `pricedNowBy`:
 * a global row that prices the name now, added since.
 */
export async function unpricedModels(tx: Tx, input: UnpricedModelsInput): Promise<UnpricedModels> {
  const rows = await queryRows<{
    model: string;
    providers: string[] | null;
    executions: number;
    tenants: number;
    lastSeenAt: string;
    pricedNowBy: string | null;
  }>(
    tx,
    sql`with window_start as (select now() - make_interval(days => ${input.days}) as since),
        seen as (
          select e.id, e.tenant_id, e.completed_at, line->>'model' as model, a.llm_config->>'provider' as provider
          from agent_executions e
          cross join window_start w
          left join agents a on a.tenant_id = e.tenant_id and a.id = e.agent_id
          cross join lateral jsonb_array_elements(
            case when jsonb_typeof(e.pricing->'lines') = 'array' then e.pricing->'lines' else '[]'::jsonb end
          ) line
          where e.cost_usd is null and e.completed_at >= w.since
            and jsonb_typeof(line->'price') is distinct from 'object' and line->>'model' is not null
        ),
        grouped as (
          select model, array_agg(distinct provider) filter (where provider is not null) as providers,
                 count(distinct id)::int as executions, count(distinct tenant_id)::int as tenants, max(completed_at) as last_seen
          from seen group by model
        )
        select g.model, g.providers, g.executions, g.tenants, to_jsonb(g.last_seen) #>> '{}' as "lastSeenAt",
               (model_price_at(null, g.model, g.providers[1], now())).id as "pricedNowBy"
        from grouped g
        order by g.last_seen desc, g.model
        limit ${input.limit}`,
  );
  const [since] = await queryRows<{ since: string }>(
    tx,
    sql`select to_jsonb(now() - make_interval(days => ${input.days})) #>> '{}' as since`,
  );
  return {
    since: new Date(since?.since ?? Date.now()).toISOString(),
    items: rows.map((r) => ({
      model: r.model,
      providers: r.providers ?? [],
      executions: Number(r.executions),
      tenants: Number(r.tenants),
      lastSeenAt: new Date(r.lastSeenAt).toISOString(),
      pricedNowBy: r.pricedNowBy,
    })),
  };
}
