import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import { createToolInput, listToolsInput, toolIdInput, toolPageSchema, toolSchema, updateToolInput } from "@agent-builder/contracts";

import { tenantProcedure } from "../trpc";
import * as tools from "./service";

export const toolRouter = {
  create: tenantProcedure
    .input(createToolInput)
    .output(toolSchema)
    .mutation(({ ctx, input }) => tools.createTool(ctx.tx, ctx.caller, input, ctx.deps.secrets)),

  get: tenantProcedure
    .input(toolIdInput)
    .output(toolSchema)
    .query(({ ctx, input }) => tools.getTool(ctx.tx, ctx.caller, input.id)),

  list: tenantProcedure
    .input(listToolsInput)
    .output(toolPageSchema)
    .query(({ ctx, input }) => tools.listTools(ctx.tx, ctx.caller, input)),

  update: tenantProcedure
    .input(updateToolInput)
    .output(toolSchema)
    .mutation(({ ctx, input }) => tools.updateTool(ctx.tx, ctx.caller, input, ctx.deps.secrets)),

  delete: tenantProcedure
    .input(toolIdInput)
    .output(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => tools.deleteTool(ctx.tx, ctx.caller, input.id)),
} satisfies TRPCRouterRecord;
