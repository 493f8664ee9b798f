import { constraintMessages } from "../constraint-messages";

// The crews and crew_members tables' constraints, as a caller should read them (errors.ts maps the codes).
constraintMessages({
  unique: {
    crews_tenant_name_key: "a crew with this name already exists: choose another name",
  },
  missingReference: {
    crews_tenant_space_fkey: "space not found",
    crews_tenant_owner_fkey: "owner not found: upsert the user through directory.upsertUser first",
    crews_tenant_manager_fkey: "manager agent not found",
    crew_members_tenant_agent_fkey: "member agent not found",
    crew_members_tenant_crew_fkey: "crew not found",
  },
  // An agent delete refused by a crew that still needs the agent (no-action keys). agents.delete
  // names the crews first (crewsOfAgent, crews/service.ts); these answer a crew that takes the
  // agent on meanwhile, whose key error cannot name the crews.
  stillReferenced: {
    crew_members_tenant_agent_fkey:
      "this agent is a member of one or more crews: remove it from them first (crews.list with memberAgentId lists them)",
    crews_tenant_manager_fkey: "this agent manages one or more crews: give them another manager or make them sequential first",
  },
});
