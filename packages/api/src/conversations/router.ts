import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";

import {
  appendMessageInput,
  archiveConversationInput,
  conversationIdInput,
  conversationPageSchema,
  conversationSchema,
  createConversationInput,
  listConversationsInput,
  listMessagesInput,
  messagePageSchema,
  messageSchema,
  renameConversationInput,
} from "@agent-builder/contracts";

import { tenantProcedure } from "../trpc";
import * as conversations from "./service";

/** A member's own conversations; a service or admin token's, every conversation of its tenant (service.ts, visibleTo). */
export const conversationRouter = {
  create: tenantProcedure
    .input(createConversationInput)
    .output(conversationSchema)
    .mutation(({ ctx, input }) => conversations.createConversation(ctx.tx, ctx.caller, input)),

  get: tenantProcedure
    .input(conversationIdInput)
    .output(conversationSchema)
    .query(({ ctx, input }) => conversations.getConversation(ctx.tx, ctx.caller, input.id)),

  list: tenantProcedure
    .input(listConversationsInput)
    .output(conversationPageSchema)
    .query(({ ctx, input }) => conversations.listConversations(ctx.tx, ctx.caller, input)),

  rename: tenantProcedure
    .input(renameConversationInput)
    .output(conversationSchema)
    .mutation(({ ctx, input }) => conversations.renameConversation(ctx.tx, ctx.caller, input)),

  archive: tenantProcedure
    .input(archiveConversationInput)
    .output(conversationSchema)
    .mutation(({ ctx, input }) => conversations.archiveConversation(ctx.tx, ctx.caller, input)),

  messages: tenantProcedure
    .input(listMessagesInput)
    .output(messagePageSchema)
    .query(({ ctx, input }) => conversations.listMessages(ctx.tx, ctx.caller, input)),

  appendMessage: tenantProcedure
    .input(appendMessageInput)
    .output(messageSchema)
    .mutation(({ ctx, input }) => conversations.appendMessage(ctx.tx, ctx.caller, input)),

  delete: tenantProcedure
    .input(conversationIdInput)
    .output(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => conversations.deleteConversation(ctx.tx, ctx.caller, input.id)),
} satisfies TRPCRouterRecord;
