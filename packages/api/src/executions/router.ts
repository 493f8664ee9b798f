import type { TRPCRouterRecord } from "@trpc/server";

import {
  appendStepsInput,
  appendStepsResultSchema,
  cancelExecutionInput,
  completeExecutionInput,
  executionIdInput,
  executionPageSchema,
  executionSchema,
  executionWithStepsSchema,
  failExecutionInput,
  listExecutionsInput,
  recordExecutionsInput,
  recordExecutionsResultSchema,
  startExecutionInput,
} from "@agent-builder/contracts";

import { tenantProcedure } from "../trpc";
import { recordExecutions } from "./record";
import * as executions from "./service";

export const executionRouter = {
  start: tenantProcedure
    .input(startExecutionInput)
    .output(executionSchema)
    .mutation(({ ctx, input }) => executions.startExecution(ctx.tx, ctx.caller, input)),

  appendSteps: tenantProcedure
    .input(appendStepsInput)
    .output(appendStepsResultSchema)
    .mutation(({ ctx, input }) => executions.appendSteps(ctx.tx, ctx.caller, input)),

  complete: tenantProcedure
    .input(completeExecutionInput)
    .output(executionSchema)
    .mutation(({ ctx, input }) => executions.completeExecution(ctx.tx, ctx.caller, input)),

  fail: tenantProcedure
    .input(failExecutionInput)
    .output(executionSchema)
    .mutation(({ ctx, input }) => executions.failExecution(ctx.tx, ctx.caller, input)),

  cancel: tenantProcedure
    .input(cancelExecutionInput)
    .output(executionSchema)
    .mutation(({ ctx, input }) => executions.cancelExecution(ctx.tx, ctx.caller, input)),

  /** Finished runs (agent runs, crew runs with their child runs), 1..100 in one call and one transaction. */
  record: tenantProcedure
    .input(recordExecutionsInput)
    .output(recordExecutionsResultSchema)
    .mutation(({ ctx, input }) => recordExecutions(ctx.tx, ctx.caller, input)),

  get: tenantProcedure
    .input(executionIdInput)
    .output(executionWithStepsSchema)
    .query(({ ctx, input }) => executions.getExecution(ctx.tx, ctx.caller, input.id)),

  list: tenantProcedure
    .input(listExecutionsInput)
    .output(executionPageSchema)
    .query(({ ctx, input }) => executions.listExecutions(ctx.tx, ctx.caller, input)),
} satisfies TRPCRouterRecord;
