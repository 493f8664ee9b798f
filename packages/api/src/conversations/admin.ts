import type { TRPCRouterRecord } from "@trpc/server";

import {
  type AdminListConversationsInput,
  type AdminListMessagesInput,
  adminListConversationsInput,
  adminListMessagesInput,
  type Conversation,
  type ConversationMessage,
  conversationPageSchema,
  messagePageSchema,
} from "@agent-builder/contracts";
import { queryRows, sql, type Tx } from "@agent-builder/db";

import { requireTenant, scopeOf } from "../admin/scope";
import type { Caller } from "../auth";
import { notFound } from "../errors";
import { adminProcedure } from "../trpc";
import { listConversations, listMessages } from "./service";

/**
 * Staff procedures on conversations (`admin.conversations`, `admin.conversationMessages`): any
 * tenant's, as a service token of that tenant sees them (every user's), read only.
 */
export const conversationStaffProcedures = {
  conversations: adminProcedure
    .input(adminListConversationsInput)
    .output(conversationPageSchema)
    .query(({ ctx, input }) => listTenantConversations(ctx.tx, ctx.caller, input)),

  conversationMessages: adminProcedure
    .input(adminListMessagesInput)
    .output(messagePageSchema)
    .query(({ ctx, input }) => conversationMessages(ctx.tx, ctx.caller, input)),
} satisfies TRPCRouterRecord;

export async function listTenantConversations(
  tx: Tx,
  actor: Caller,
  input: AdminListConversationsInput,
): Promise<{ items: Conversation[]; nextCursor: string | null }> {
  const { tenantId, ...filters } = input;
  await requireTenant(tx, tenantId);
  return listConversations(tx, scopeOf(actor, tenantId), filters);
}

/** Any tenant's conversation's messages, newest first; `parentMessageId` in each shows the branches. */
export async function conversationMessages(
  tx: Tx,
  actor: Caller,
  input: AdminListMessagesInput,
): Promise<{ items: ConversationMessage[]; nextCursor: string | null }> {
  const [row] = await queryRows<{ tenantId: string }>(
    tx,
    sql`select tenant_id as "tenantId" from conversations where id = ${input.conversationId}::uuid`,
  );
  if (!row) throw notFound("conversation", input.conversationId);
  return listMessages(tx, scopeOf(actor, row.tenantId), input);
}
