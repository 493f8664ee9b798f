import { constraintMessages } from "../constraint-messages";

// The agent_executions table's constraints, as a caller should read them (errors.ts maps the codes).
constraintMessages({
  missingReference: {
    agent_executions_tenant_agent_fkey: "agent not found",
    agent_executions_tenant_user_fkey: "user not found",
  },
  unique: {
    agent_executions_tenant_idempotency_key_idx: "an execution with this idempotency key already exists",
  },
});
