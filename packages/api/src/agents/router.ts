import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import {
  agentDetailSchema,
  agentIdInput,
  agentPageSchema,
  agentSchema,
  attachToolInput,
  createAgentInput,
  detachNotebookInput,
  detachNotebookResultSchema,
  detachToolInput,
  listAgentsInput,
  setAgentStatusInput,
  updateAgentInput,
  updateAttachedToolInput,
} from "@agent-builder/contracts";

import { tenantProcedure } from "../trpc";
import * as agents from "./service";

export const agentRouter = {
  create: tenantProcedure
    .input(createAgentInput)
    .output(agentSchema)
    .mutation(({ ctx, input }) => agents.createAgent(ctx.tx, ctx.caller, input, ctx.deps.secrets)),

  /** The agent with its attached tools (by position), in one query. */
  get: tenantProcedure
    .input(agentIdInput)
    .output(agentDetailSchema)
    .query(({ ctx, input }) => agents.getAgentDetail(ctx.tx, ctx.caller, input.id)),

  list: tenantProcedure
    .input(listAgentsInput)
    .output(agentPageSchema)
    .query(({ ctx, input }) => agents.listAgents(ctx.tx, ctx.caller, input)),

  update: tenantProcedure
    .input(updateAgentInput)
    .output(agentSchema)
    .mutation(({ ctx, input }) => agents.updateAgent(ctx.tx, ctx.caller, input, ctx.deps.secrets)),

  setStatus: tenantProcedure
    .input(setAgentStatusInput)
    .output(agentSchema)
    .mutation(({ ctx, input }) => agents.setAgentStatus(ctx.tx, ctx.caller, input)),

  /** For the notebooks app: a deleted notebook disappears from every agent that used it. */
  detachNotebook: tenantProcedure
    .input(detachNotebookInput)
    .output(detachNotebookResultSchema)
    .mutation(({ ctx, input }) => agents.detachNotebook(ctx.tx, ctx.caller, input.notebookId)),

  /** Attaches one of the tenant's tools; attaching it twice is a CONFLICT. Returns the agent with its tools. */
  attachTool: tenantProcedure
    .input(attachToolInput)
    .output(agentDetailSchema)
    .mutation(({ ctx, input }) => agents.attachTool(ctx.tx, ctx.caller, input)),

  updateTool: tenantProcedure
    .input(updateAttachedToolInput)
    .output(agentDetailSchema)
    .mutation(({ ctx, input }) => agents.updateAttachedTool(ctx.tx, ctx.caller, input)),

  detachTool: tenantProcedure
    .input(detachToolInput)
    .output(agentDetailSchema)
    .mutation(({ ctx, input }) => agents.detachTool(ctx.tx, ctx.caller, input)),

  delete: tenantProcedure
    .input(agentIdInput)
    .output(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => agents.deleteAgent(ctx.tx, ctx.caller, input.id)),
} satisfies TRPCRouterRecord;
