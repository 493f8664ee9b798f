import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";

import { crewLimits, messageRoles } from "@agent-builder/contracts";

import { agents } from "./agents";
import { sqlLiteral, tenantIdColumn, timestamps } from "./columns";
import { crews } from "./crews";
// executions.ts imports this module too: the reference below is read lazily, after both load.
import { agentExecutions } from "./executions";
import { tenants, users } from "./tenancy";

export const messageRole = pgEnum("message_role", messageRoles);

/**
 * A conversation of a user with an agent or a crew (exactly one). Its usage is kept on the row:
 * `message_count` also hands out message sequence numbers (so appends never race), and the
 * tokens and cost add up the runs made in it (by the usage trigger) and the assistant messages
 * not produced by a run (by `conversations.appendMessage`): each token is counted once.
 */
export const conversations = pgTable(
  "conversations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    userId: uuid("user_id").notNull(),
    agentId: uuid("agent_id"),
    crewId: uuid("crew_id"),
    title: text("title").notNull(),
    archivedAt: timestamp("archived_at", { withTimezone: true }),
    messageCount: integer("message_count").notNull().default(0),
    executionCount: integer("execution_count").notNull().default(0),
    inputTokens: bigint("input_tokens", { mode: "number" }).notNull().default(0),
    outputTokens: bigint("output_tokens", { mode: "number" }).notNull().default(0),
    costUsd: numeric("cost_usd", { precision: 18, scale: 6 }).notNull().default("0"),
    lastMessageAt: timestamp("last_message_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    check("conversations_title_length", sql`length(${t.title}) between 1 and ${sqlLiteral(crewLimits.conversationTitleMax)}`),
    check("conversations_one_subject", sql`(${t.agentId} is null) <> (${t.crewId} is null)`),
    check(
      "conversations_counts_non_negative",
      sql`${t.messageCount} >= 0 and ${t.executionCount} >= 0 and ${t.inputTokens} >= 0 and ${t.outputTokens} >= 0 and ${t.costUsd} >= 0`,
    ),
    unique("conversations_tenant_id_id_key").on(t.tenantId, t.id),
    foreignKey({ name: "conversations_tenant_id_fkey", columns: [t.tenantId], foreignColumns: [tenants.id] }),
    foreignKey({
      name: "conversations_tenant_user_fkey",
      columns: [t.tenantId, t.userId],
      foreignColumns: [users.tenantId, users.id],
    }),
    // A conversation belongs to its agent or crew: deleting that deletes it, messages included.
    foreignKey({
      name: "conversations_tenant_agent_fkey",
      columns: [t.tenantId, t.agentId],
      foreignColumns: [agents.tenantId, agents.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "conversations_tenant_crew_fkey",
      columns: [t.tenantId, t.crewId],
      foreignColumns: [crews.tenantId, crews.id],
    }).onDelete("cascade"),
    // Keyset pages: the tenant's (service and admin tokens) and one user's (members).
    index("conversations_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("conversations_tenant_user_created_idx").on(t.tenantId, t.userId, t.createdAt, t.id),
    index("conversations_tenant_agent_idx").on(t.tenantId, t.agentId),
    index("conversations_tenant_crew_idx").on(t.tenantId, t.crewId),
  ],
);

/**
 * A message of a conversation. `seq` orders them (handed out by the conversation's
 * `message_count`, newest first is `seq desc`); `parent_message_id` makes branches (an edited
 * question, a regenerated answer), always within the same conversation. Content is text or
 * parts (JSON), exactly one. Tokens and cost are an assistant message's; when the message names
 * the run that produced it, the run's usage is what counts (the message repeats it).
 */
export const conversationMessages = pgTable(
  "conversation_messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    conversationId: uuid("conversation_id").notNull(),
    seq: integer("seq").notNull(),
    parentMessageId: uuid("parent_message_id"),
    role: messageRole("role").notNull(),
    content: text("content"),
    parts: jsonb("parts"),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    costUsd: numeric("cost_usd", { precision: 12, scale: 6 }).notNull().default("0"),
    executionId: uuid("execution_id"),
    ...timestamps,
  },
  (t) => [
    check("conversation_messages_seq_positive", sql`${t.seq} >= 1`),
    check("conversation_messages_content_or_parts", sql`(${t.content} is null) <> (${t.parts} is null)`),
    check("conversation_messages_content_length", sql`length(${t.content}) <= ${sqlLiteral(crewLimits.messageContentMax)}`),
    check("conversation_messages_counts_non_negative", sql`${t.inputTokens} >= 0 and ${t.outputTokens} >= 0 and ${t.costUsd} >= 0`),
    // Only assistant messages carry usage.
    check(
      "conversation_messages_usage_only_assistant",
      sql`${t.role} = 'assistant' or (${t.inputTokens} = 0 and ${t.outputTokens} = 0 and ${t.costUsd} = 0)`,
    ),
    unique("conversation_messages_conversation_seq_key").on(t.conversationId, t.seq),
    unique("conversation_messages_tenant_conversation_id_key").on(t.tenantId, t.conversationId, t.id),
    foreignKey({
      name: "conversation_messages_tenant_conversation_fkey",
      columns: [t.tenantId, t.conversationId],
      foreignColumns: [conversations.tenantId, conversations.id],
    }).onDelete("cascade"),
    // A branch starts from a message of the same conversation.
    foreignKey({
      name: "conversation_messages_parent_fkey",
      columns: [t.tenantId, t.conversationId, t.parentMessageId],
      foreignColumns: [t.tenantId, t.conversationId, t.id],
    }),
    // Deleting a run keeps the message; it loses the link.
    foreignKey({
      name: "conversation_messages_tenant_execution_fkey",
      columns: [t.tenantId, t.executionId],
      foreignColumns: [agentExecutions.tenantId, agentExecutions.id],
    }).onDelete("set null"),
    index("conversation_messages_tenant_execution_idx").on(t.tenantId, t.executionId),
  ],
);
