import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import {
  createModelInput,
  listModelsInput,
  modelIdInput,
  modelPriceDetailSchema,
  modelPricePageSchema,
  modelPriceSchema,
  modelResolutionSchema,
  resolveModelInput,
  updateModelInput,
} from "@agent-builder/contracts";

import { serviceProcedure, tenantProcedure } from "../trpc";
import * as models from "./service";

/**
 * Model prices: every caller reads the prices its tenant's runs are priced at (global rows and
 * the tenant's overrides); admin and service tokens write the tenant's overrides.
 */
export const modelRouter = {
  list: tenantProcedure
    .input(listModelsInput)
    .output(modelPricePageSchema)
    .query(({ ctx, input }) => models.listModels(ctx.tx, ctx.caller, input)),

  get: tenantProcedure
    .input(modelIdInput)
    .output(modelPriceDetailSchema)
    .query(({ ctx, input }) => models.getModel(ctx.tx, ctx.caller, input.id)),

  resolve: tenantProcedure
    .input(resolveModelInput)
    .output(modelResolutionSchema)
    .query(({ ctx, input }) => models.resolveModel(ctx.tx, ctx.caller, input)),

  create: serviceProcedure
    .input(createModelInput)
    .output(modelPriceSchema)
    .mutation(({ ctx, input }) => models.createModel(ctx.tx, ctx.caller, input)),

  update: serviceProcedure
    .input(updateModelInput)
    .output(modelPriceSchema)
    .mutation(({ ctx, input }) => models.updateModel(ctx.tx, ctx.caller, input)),

  delete: serviceProcedure
    .input(modelIdInput)
    .output(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => models.deleteModel(ctx.tx, ctx.caller, input.id)),
} satisfies TRPCRouterRecord;
