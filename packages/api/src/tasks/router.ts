import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import { createTaskInput, listTasksInput, taskIdInput, taskPageSchema, taskSchema, updateTaskInput } from "@agent-builder/contracts";

import { tenantProcedure } from "../trpc";
import * as tasks from "./service";

export const taskRouter = {
  /** A task of one of the caller's crews, assigned to a member; appended after the last task unless `position` says where. */
  create: tenantProcedure
    .input(createTaskInput)
    .output(taskSchema)
    .mutation(({ ctx, input }) => tasks.createTask(ctx.tx, ctx.caller, input)),

  get: tenantProcedure
    .input(taskIdInput)
    .output(taskSchema)
    .query(({ ctx, input }) => tasks.getTask(ctx.tx, ctx.caller, input.id)),

  /** One crew's tasks in its order (position, then id), in one statement. */
  list: tenantProcedure
    .input(listTasksInput)
    .output(taskPageSchema)
    .query(({ ctx, input }) => tasks.listTasks(ctx.tx, ctx.caller, input)),

  update: tenantProcedure
    .input(updateTaskInput)
    .output(taskSchema)
    .mutation(({ ctx, input }) => tasks.updateTask(ctx.tx, ctx.caller, input)),

  /** Refused (CONFLICT, naming them) while other tasks take it as context. */
  delete: tenantProcedure
    .input(taskIdInput)
    .output(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => tasks.deleteTask(ctx.tx, ctx.caller, input.id)),
} satisfies TRPCRouterRecord;
