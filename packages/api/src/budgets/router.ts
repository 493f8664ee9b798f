import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import {
  budgetCrossingPageSchema,
  budgetIdInput,
  budgetPageSchema,
  budgetSchema,
  createBudgetInput,
  listBudgetCrossingsInput,
  listBudgetsInput,
  updateBudgetInput,
} from "@agent-builder/contracts";

import { serviceProcedure, tenantProcedure } from "../trpc";
import * as budgets from "./service";

/** Every tenant role reads budgets; admins and service tokens set them (a member cannot lift their own limit). */
export const budgetRouter = {
  create: serviceProcedure
    .input(createBudgetInput)
    .output(budgetSchema)
    .mutation(({ ctx, input }) => budgets.createBudget(ctx.tx, ctx.caller, input)),

  get: tenantProcedure
    .input(budgetIdInput)
    .output(budgetSchema)
    .query(({ ctx, input }) => budgets.getBudget(ctx.tx, ctx.caller, input.id)),

  list: tenantProcedure
    .input(listBudgetsInput)
    .output(budgetPageSchema)
    .query(({ ctx, input }) => budgets.listBudgets(ctx.tx, ctx.caller, input)),

  update: serviceProcedure
    .input(updateBudgetInput)
    .output(budgetSchema)
    .mutation(({ ctx, input }) => budgets.updateBudget(ctx.tx, ctx.caller, input)),

  delete: serviceProcedure
    .input(budgetIdInput)
    .output(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => budgets.deleteBudget(ctx.tx, ctx.caller, input.id)),

  crossings: tenantProcedure
    .input(listBudgetCrossingsInput)
    .output(budgetCrossingPageSchema)
    .query(({ ctx, input }) => budgets.listCrossings(ctx.tx, ctx.caller, input)),
} satisfies TRPCRouterRecord;
