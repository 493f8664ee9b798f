import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import {
  agentIdInput,
  agentPageSchema,
  agentSchema,
  createAgentInput,
  detachNotebookInput,
  detachNotebookResultSchema,
  listAgentsInput,
  setAgentStatusInput,
  updateAgentInput,
} from "@agent-builder/contracts";

import { tenantProcedure } from "../trpc";
import * as agents from "./service";

export const agentRouter = {
  create: tenantProcedure
    .input(createAgentInput)
    .output(agentSchema)
    .mutation(({ ctx, input }) => agents.createAgent(ctx.tx, ctx.caller, input)),

  get: tenantProcedure
    .input(agentIdInput)
    .output(agentSchema)
    .query(({ ctx, input }) => agents.getAgent(ctx.tx, ctx.caller, input.id)),

  list: tenantProcedure
    .input(listAgentsInput)
    .output(agentPageSchema)
    .query(({ ctx, input }) => agents.listAgents(ctx.tx, ctx.caller, input)),

  update: tenantProcedure
    .input(updateAgentInput)
    .output(agentSchema)
    .mutation(({ ctx, input }) => agents.updateAgent(ctx.tx, ctx.caller, input)),

  setStatus: tenantProcedure
    .input(setAgentStatusInput)
    .output(agentSchema)
    .mutation(({ ctx, input }) => agents.setAgentStatus(ctx.tx, ctx.caller, input)),

  /** For the notebooks app: a deleted notebook disappears from every agent that used it. */
  detachNotebook: tenantProcedure
    .input(detachNotebookInput)
    .output(detachNotebookResultSchema)
    .mutation(({ ctx, input }) => agents.detachNotebook(ctx.tx, ctx.caller, input.notebookId)),

  delete: tenantProcedure
    .input(agentIdInput)
    .output(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => agents.deleteAgent(ctx.tx, ctx.caller, input.id)),
} satisfies TRPCRouterRecord;
