import type { TRPCRouterRecord } from "@trpc/server";

import {
  appendStepsInput,
  appendStepsResult,
  cancelExecutionInput,
  completeExecutionInput,
  execution,
  executionIdInput,
  executionPage,
  executionWithSteps,
  failExecutionInput,
  listExecutionsInput,
  startExecutionInput,
} from "@agent-builder/contracts";

import { tenantProcedure } from "../trpc";
import * as executions from "./service";

export const executionRouter = {
  start: tenantProcedure
    .input(startExecutionInput)
    .output(execution)
    .mutation(({ ctx, input }) => executions.startExecution(ctx.tx, ctx.caller, input)),

  appendSteps: tenantProcedure
    .input(appendStepsInput)
    .output(appendStepsResult)
    .mutation(({ ctx, input }) => executions.appendSteps(ctx.tx, ctx.caller, input)),

  complete: tenantProcedure
    .input(completeExecutionInput)
    .output(execution)
    .mutation(({ ctx, input }) => executions.completeExecution(ctx.tx, ctx.caller, input)),

  fail: tenantProcedure
    .input(failExecutionInput)
    .output(execution)
    .mutation(({ ctx, input }) => executions.failExecution(ctx.tx, ctx.caller, input)),

  cancel: tenantProcedure
    .input(cancelExecutionInput)
    .output(execution)
    .mutation(({ ctx, input }) => executions.cancelExecution(ctx.tx, ctx.caller, input)),

  get: tenantProcedure
    .input(executionIdInput)
    .output(executionWithSteps)
    .query(({ ctx, input }) => executions.getExecution(ctx.tx, ctx.caller, input.id)),

  list: tenantProcedure
    .input(listExecutionsInput)
    .output(executionPage)
    .query(({ ctx, input }) => executions.listExecutions(ctx.tx, ctx.caller, input)),
} satisfies TRPCRouterRecord;
