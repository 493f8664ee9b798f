import {
  type AppendMessageInput,
  type ArchiveConversationInput,
  type Conversation,
  type ConversationMessage,
  type CreateConversationInput,
  conversationTitleDefault,
  type ListConversationsInput,
  type ListMessagesInput,
  type RenameConversationInput,
} from "@agent-builder/contracts";
import { and, conversations, desc, eq, isNotNull, isNull, queryRows, type SQL, sql, type Tx } from "@agent-builder/db";

import type { Caller } from "../auth";
import { BadRequest, NotFound, PreconditionFailed } from "../domain-errors";
import { notFound } from "../errors";
import { decodeCursor, toPage } from "../pagination";
import "./constraints"; // this domain's constraint messages (errors.ts reads them)

/**
 * Who sees a conversation: a member only their own (someone else's is NOT_FOUND, as another
 * tenant's is); service and admin tokens every conversation of the tenant.
 */
function visibleTo(caller: Caller): SQL[] {
  const tenant = eq(conversations.tenantId, caller.tenantId);
  return caller.role === "member" ? [tenant, eq(conversations.userId, caller.userId)] : [tenant];
}

/** The same rule as raw SQL, for the statements written by hand. */
function visibleSql(caller: Caller, conversationId: string): SQL {
  const owner = caller.role === "member" ? sql` and user_id = ${caller.userId}::uuid` : sql``;
  return sql`tenant_id = ${caller.tenantId} and id = ${conversationId}::uuid${owner}`;
}

const byId = (caller: Caller, id: string) => and(...visibleTo(caller), eq(conversations.id, id));

type ConversationRow = typeof conversations.$inferSelect;

function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    userId: row.userId,
    agentId: row.agentId,
    crewId: row.crewId,
    title: row.title,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    messageCount: row.messageCount,
    executionCount: row.executionCount,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    totalTokens: row.inputTokens + row.outputTokens,
    costUsd: Number(row.costUsd),
    lastMessageAt: row.lastMessageAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function createConversation(tx: Tx, caller: Caller, input: CreateConversationInput): Promise<Conversation> {
  // The agent or crew is the tenant's or the foreign key refuses it (constraints.ts: NOT_FOUND).
  const [created] = await tx
    .insert(conversations)
    .values({
      tenantId: caller.tenantId,
      userId: caller.userId,
      agentId: input.agentId ?? null,
      crewId: input.crewId ?? null,
      title: input.title ?? conversationTitleDefault,
    })
    .returning();
  if (!created) throw new Error("insert into conversations returned no row");
  return toConversation(created);
}

export async function getConversation(tx: Tx, caller: Caller, id: string): Promise<Conversation> {
  const [row] = await tx.select().from(conversations).where(byId(caller, id));
  if (!row) throw notFound("conversation", id);
  return toConversation(row);
}

const conversationOrdering = "createdAt:desc";

export async function listConversations(tx: Tx, caller: Caller, input: ListConversationsInput) {
  const conditions: SQL[] = visibleTo(caller);
  if (input.agentId) conditions.push(eq(conversations.agentId, input.agentId));
  if (input.crewId) conditions.push(eq(conversations.crewId, input.crewId));
  if (input.userId) conditions.push(eq(conversations.userId, input.userId));
  if (input.archived === true) conditions.push(isNotNull(conversations.archivedAt));
  if (input.archived === false) conditions.push(isNull(conversations.archivedAt));
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, conversationOrdering);
    conditions.push(sql`(${conversations.createdAt}, ${conversations.id}) < (${cursor.v}::timestamptz, ${cursor.id}::uuid)`);
  }
  const rows = await tx
    .select({ row: conversations, cursorKey: sql<string>`(${conversations.createdAt})::text`, id: conversations.id })
    .from(conversations)
    .where(and(...conditions))
    .orderBy(desc(conversations.createdAt), desc(conversations.id))
    .limit(input.limit + 1);
  return toPage(rows, input.limit, conversationOrdering, (r) => toConversation(r.row));
}

export async function renameConversation(tx: Tx, caller: Caller, input: RenameConversationInput): Promise<Conversation> {
  const [row] = await tx.update(conversations).set({ title: input.title }).where(byId(caller, input.id)).returning();
  if (!row) throw notFound("conversation", input.id);
  return toConversation(row);
}

/** Archives (keeping the first archiving time when archived again) or brings back a conversation. */
export async function archiveConversation(tx: Tx, caller: Caller, input: ArchiveConversationInput): Promise<Conversation> {
  const [row] = await tx
    .update(conversations)
    .set({ archivedAt: input.archived ? sql`coalesce(${conversations.archivedAt}, now())` : null })
    .where(byId(caller, input.id))
    .returning();
  if (!row) throw notFound("conversation", input.id);
  return toConversation(row);
}

/**
 * Deletes a conversation and its messages (by cascade). Its runs stay, with their usage in the
 * tenant's, agents' and crews' counters, and lose the link (conversation_id set null).
 */
export async function deleteConversation(tx: Tx, caller: Caller, id: string): Promise<{ id: string }> {
  const [deleted] = await tx.delete(conversations).where(byId(caller, id)).returning({ id: conversations.id });
  if (!deleted) throw notFound("conversation", id);
  return deleted;
}

/** A message's columns, cast so that every driver (pg, PGlite, Neon) returns the same JavaScript values. */
const messageColumns = sql.raw(`id, conversation_id as "conversationId", seq, parent_message_id as "parentMessageId", role,
  content, parts::text as parts, input_tokens as "inputTokens", output_tokens as "outputTokens",
  cost_usd::text as "costUsd", execution_id as "executionId",
  to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt"`);

interface MessageRow {
  id: string;
  conversationId: string;
  seq: number;
  parentMessageId: string | null;
  role: ConversationMessage["role"];
  content: string | null;
  parts: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: string;
  executionId: string | null;
  createdAt: string;
}

function toMessage(row: MessageRow): ConversationMessage {
  return {
    id: row.id,
    conversationId: row.conversationId,
    seq: Number(row.seq),
    parentMessageId: row.parentMessageId,
    role: row.role,
    content: row.content,
    parts: row.parts === null ? null : JSON.parse(row.parts),
    inputTokens: Number(row.inputTokens),
    outputTokens: Number(row.outputTokens),
    costUsd: Number(row.costUsd),
    executionId: row.executionId,
    createdAt: row.createdAt,
  };
}

/**
 * Appends a message as the conversation's newest. One statement takes the next `seq` from the
 * conversation's `message_count` and inserts the message: the UPDATE locks the conversation's
 * row, so concurrent appends queue on it (and on the usage trigger's updates of the same row),
 * and the counters stay exact.
 *
 * Every token once: an assistant message's usage is added to the conversation unless the message
 * names a run made in this conversation (or a child run of a crew run made in it), whose usage
 * the usage trigger adds when it (the crew run) finishes.
 * A run of no conversation may be named (its usage is not in the conversation otherwise, so the
 * message's counts); a run of another conversation may not (BAD_REQUEST). An archived
 * conversation takes no messages (PRECONDITION_FAILED).
 */
export async function appendMessage(tx: Tx, caller: Caller, input: AppendMessageInput): Promise<ConversationMessage> {
  let counts = true;
  if (input.executionId) {
    // A child run's conversation is its crew run's (whose completion sums the children's usage).
    const [run] = await queryRows<{ conversationId: string | null }>(
      tx,
      sql`select coalesce(e.conversation_id, p.conversation_id) as "conversationId"
          from agent_executions e
          left join agent_executions p on p.tenant_id = e.tenant_id and p.id = e.parent_execution_id
          where e.tenant_id = ${caller.tenantId} and e.id = ${input.executionId}::uuid`,
    );
    if (!run) throw notFound("execution", input.executionId);
    if (run.conversationId !== null && run.conversationId !== input.conversationId) {
      throw new BadRequest(
        `executionId: execution ${input.executionId} was made in another conversation; name a run of this conversation or of none`,
      );
    }
    counts = run.conversationId === null;
  }
  const inputTokens = input.inputTokens ?? 0;
  const outputTokens = input.outputTokens ?? 0;
  const costUsd = (input.costUsd ?? 0).toFixed(6);
  // What the conversation's counters gain: nothing when the run's completion counts it.
  const added = counts ? { inputTokens, outputTokens, costUsd } : { inputTokens: 0, outputTokens: 0, costUsd: "0" };
  const [message] = await queryRows<MessageRow>(
    tx,
    sql`with c as (
          update conversations set
            message_count = message_count + 1,
            last_message_at = now(),
            input_tokens = input_tokens + ${added.inputTokens}::bigint,
            output_tokens = output_tokens + ${added.outputTokens}::bigint,
            cost_usd = cost_usd + ${added.costUsd}::numeric
          where ${visibleSql(caller, input.conversationId)} and archived_at is null
          returning tenant_id, id, message_count
        )
        insert into conversation_messages (tenant_id, conversation_id, seq, parent_message_id, role, content, parts,
                                           input_tokens, output_tokens, cost_usd, execution_id)
        select c.tenant_id, c.id, c.message_count, ${input.parentMessageId ?? null}::uuid, ${input.role}::message_role,
               ${input.content ?? null}::text, ${input.parts === undefined ? null : JSON.stringify(input.parts)}::jsonb,
               ${inputTokens}::int, ${outputTokens}::int, ${costUsd}::numeric, ${input.executionId ?? null}::uuid
        from c
        returning ${messageColumns}`,
  );
  if (!message) throw await appendMiss(tx, caller, input.conversationId);
  return toMessage(message);
}

/** Why the append matched no conversation: it is not the caller's to see, or it is archived. */
async function appendMiss(tx: Tx, caller: Caller, id: string): Promise<NotFound | PreconditionFailed> {
  const [row] = await tx.select({ archivedAt: conversations.archivedAt }).from(conversations).where(byId(caller, id));
  if (!row) return notFound("conversation", id);
  return new PreconditionFailed(
    `conversation ${id} is archived: unarchive it (conversations.archive with archived: false) to add messages`,
  );
}

const messageOrdering = "seq:desc";

/**
 * A conversation's messages, newest first. `before` (a message id) starts below that message,
 * as a chat view loads older history; the cursor pages on from there.
 */
export async function listMessages(tx: Tx, caller: Caller, input: ListMessagesInput) {
  const [found] = await queryRows<{ beforeSeq: number | null }>(
    tx,
    sql`select (select seq from conversation_messages m
                where m.tenant_id = c.tenant_id and m.conversation_id = c.id and m.id = ${input.before ?? null}::uuid) as "beforeSeq"
        from conversations c where ${visibleSql(caller, input.conversationId)}`,
  );
  if (!found) throw notFound("conversation", input.conversationId);
  const conditions: SQL[] = [sql`tenant_id = ${caller.tenantId}`, sql`conversation_id = ${input.conversationId}::uuid`];
  if (input.before) {
    if (found.beforeSeq === null) throw new NotFound(`before: message ${input.before} not found in this conversation`);
    conditions.push(sql`seq < ${Number(found.beforeSeq)}`);
  }
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, messageOrdering);
    const seq = Number(cursor.v);
    if (!Number.isSafeInteger(seq)) throw new BadRequest("invalid cursor: it is not a cursor this API issued");
    conditions.push(sql`seq < ${seq}`);
  }
  const rows = await queryRows<MessageRow>(
    tx,
    sql`select ${messageColumns}, seq::text as "cursorKey" from conversation_messages
        where ${sql.join(conditions, sql` and `)}
        order by seq desc limit ${input.limit + 1}`,
  );
  return toPage(rows as (MessageRow & { cursorKey: string })[], input.limit, messageOrdering, toMessage);
}
