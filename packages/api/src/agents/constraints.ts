import { constraintMessages } from "../constraint-messages";

// The agents and agent_resources tables' constraints, as a caller should read them (errors.ts maps the codes).
constraintMessages({
  unique: {
    agent_resources_tenant_agent_tool_key: "this tool is already attached to this agent: change it with agents.updateTool",
  },
  missingReference: {
    agent_resources_tenant_agent_fkey: "agent not found",
    agent_resources_tenant_tool_fkey: "tool not found",
    agents_tenant_space_fkey: "space not found",
    agents_tenant_owner_fkey: "owner not found: upsert the user through directory.upsertUser first",
    agents_tenant_parent_fkey: "parent agent not found",
  },
});
