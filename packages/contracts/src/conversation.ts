import { z } from "zod";

import { idSchema, isoDateTimeSchema, pageInput, pageSchema, tenantIdSchema, textSchema } from "./common";
import { crewLimits, limits, messageRoles } from "./domain";
import { boundedJson, type JsonValue } from "./json";

export const messageRoleSchema = z.enum(messageRoles);

const titleSchema = textSchema(crewLimits.conversationTitleMax, 1);

/** The title a conversation gets when `create` sends none (a chat UI names it later with `rename`). */
export const conversationTitleDefault = "New conversation";

/**
 * A conversation with an agent or with a crew: exactly one of `agentId`, `crewId`. The caller
 * becomes its owner (`userId`).
 */
export const createConversationInput = z
  .strictObject({
    agentId: idSchema.optional(),
    crewId: idSchema.optional(),
    title: titleSchema.optional(),
  })
  .refine((c) => (c.agentId === undefined) !== (c.crewId === undefined), {
    message: "a conversation is with an agent or a crew: send exactly one of agentId, crewId",
    path: ["agentId"],
  });
export type CreateConversationInput = z.output<typeof createConversationInput>;

export const conversationIdInput = z.strictObject({ id: idSchema });
export type ConversationIdInput = z.output<typeof conversationIdInput>;

export const renameConversationInput = z.strictObject({ id: idSchema, title: titleSchema });
export type RenameConversationInput = z.output<typeof renameConversationInput>;

/** `archived: true` archives (kept, hidden from `archived: false` lists, takes no messages); `false` brings it back. */
export const archiveConversationInput = z.strictObject({ id: idSchema, archived: z.boolean().default(true) });
export type ArchiveConversationInput = z.output<typeof archiveConversationInput>;

const conversationFilters = {
  ...pageInput,
  agentId: idSchema.optional(),
  crewId: idSchema.optional(),
  /** The owner's. A member sees only their own conversations whatever this says. */
  userId: idSchema.optional(),
  /** true: only archived ones; false: only active ones; left out: both. */
  archived: z.boolean().optional(),
};

/** Newest first (by creation, then id). Filters combine with AND. */
export const listConversationsInput = z.strictObject(conversationFilters).default({ limit: limits.pageSizeDefault });
export type ListConversationsInput = z.output<typeof listConversationsInput>;

export const conversationSchema = z.object({
  id: idSchema,
  /** The owner: who created it. */
  userId: idSchema,
  agentId: idSchema.nullable(),
  crewId: idSchema.nullable(),
  title: z.string(),
  archivedAt: isoDateTimeSchema.nullable(),
  /** Messages appended (also the newest message's `seq`). */
  messageCount: z.number().int(),
  /** Finished top-level runs made in the conversation. */
  executionCount: z.number().int(),
  /**
   * Every token and dollar once: the finished runs made in it, plus assistant messages that name
   * no run of this conversation (a run's own usage is counted when it finishes).
   */
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  totalTokens: z.number().int(),
  costUsd: z.number(),
  lastMessageAt: isoDateTimeSchema.nullable(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type Conversation = z.infer<typeof conversationSchema>;

export const conversationPageSchema = pageSchema(conversationSchema);

const tokenCount = z.number().int().min(0).max(limits.tokensMax);
// A message's cost is numeric(12, 6): below a million dollars, micro-dollar precision.
const messageCostUsd = z
  .number()
  .min(0)
  .lt(limits.costUsdMax, `costUsd must be below ${limits.costUsdMax}`)
  .refine((n) => Math.abs(n * 1e6 - Math.round(n * 1e6)) < 1e-3, "costUsd has at most 6 decimal places");

/** Structured content (text, images, tool calls, ...): a non-empty array of JSON objects, at most `limits.jsonBytesMax`. */
const partsSchema = boundedJson({ maxBytes: limits.jsonBytesMax }).refine(
  (v) => Array.isArray(v) && v.length > 0 && v.every((p) => typeof p === "object" && p !== null && !Array.isArray(p)),
  { message: "parts must be a non-empty array of JSON objects" },
) as unknown as z.ZodType<JsonValue[], JsonValue[]>;

/**
 * One message, appended as the conversation's newest (`seq` = its message count + 1). Content is
 * text or parts, exactly one. Usage (tokens, cost) only on assistant messages. `parentMessageId`
 * branches from a message of the same conversation; `executionId` names the tenant's run that
 * produced it: a run of this conversation or of none.
 */
export const appendMessageInput = z
  .strictObject({
    conversationId: idSchema,
    role: messageRoleSchema,
    content: textSchema(crewLimits.messageContentMax).optional(),
    parts: partsSchema.optional(),
    parentMessageId: idSchema.optional(),
    executionId: idSchema.optional(),
    inputTokens: tokenCount.optional(),
    outputTokens: tokenCount.optional(),
    costUsd: messageCostUsd.optional(),
  })
  .superRefine((m, ctx) => {
    if ((m.content === undefined) === (m.parts === undefined)) {
      ctx.addIssue({ code: "custom", path: ["content"], message: "send exactly one of content (text) and parts (JSON)" });
    }
    if (m.role !== "assistant") {
      for (const field of ["inputTokens", "outputTokens", "costUsd"] as const) {
        if (m[field] !== undefined) {
          ctx.addIssue({ code: "custom", path: [field], message: `only assistant messages carry usage, not ${m.role} messages` });
        }
      }
    }
  });
export type AppendMessageInput = z.output<typeof appendMessageInput>;

const messageFilters = {
  ...pageInput,
  /** Only messages older than this one (Dify's `first_id`): how a chat view loads what came before. */
  before: idSchema.optional(),
};

/** A conversation's messages, newest first (`seq` descending). */
export const listMessagesInput = z.strictObject({ conversationId: idSchema, ...messageFilters });
export type ListMessagesInput = z.output<typeof listMessagesInput>;

export const messageSchema = z.object({
  id: idSchema,
  conversationId: idSchema,
  /** 1, 2, 3, ... in the order they were appended, without gaps. */
  seq: z.number().int(),
  /** The message this one branches from (an edited question, a regenerated answer), or null. */
  parentMessageId: idSchema.nullable(),
  role: messageRoleSchema,
  content: z.string().nullable(),
  parts: z.array(z.record(z.string(), z.unknown())).nullable(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costUsd: z.number(),
  /** The run that produced it; null when none was named or the run was deleted. */
  executionId: idSchema.nullable(),
  createdAt: isoDateTimeSchema,
});
export type ConversationMessage = z.infer<typeof messageSchema>;

export const messagePageSchema = pageSchema(messageSchema);

/** `admin.conversations`: one tenant's conversations, as a service token of that tenant lists them. */
export const adminListConversationsInput = z.strictObject({ tenantId: tenantIdSchema, ...conversationFilters });
export type AdminListConversationsInput = z.output<typeof adminListConversationsInput>;

/** `admin.conversationMessages`: any tenant's conversation's messages, newest first, with their branches. */
export const adminListMessagesInput = listMessagesInput;
export type AdminListMessagesInput = z.output<typeof adminListMessagesInput>;
