import { constraintMessages } from "../constraint-messages";

// The conversation tables' constraints, as a caller should read them (errors.ts maps the codes).
constraintMessages({
  missingReference: {
    conversations_tenant_agent_fkey: "agent not found",
    conversations_tenant_crew_fkey: "crew not found",
    conversations_tenant_user_fkey: "owner not found: upsert the user through directory.upsertUser first",
    conversation_messages_tenant_conversation_fkey: "conversation not found",
    conversation_messages_parent_fkey: "parentMessageId: no such message in this conversation",
    conversation_messages_tenant_execution_fkey: "executionId: execution not found",
  },
  unique: {
    // seq comes from the conversation's message_count in the same statement: only a bypass of the API can hit this.
    conversation_messages_conversation_seq_key: "a message with this sequence number already exists in the conversation",
  },
});
