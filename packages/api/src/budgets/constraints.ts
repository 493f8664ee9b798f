import { constraintMessages } from "../constraint-messages";

// The budgets table's constraints, as a caller should read them (errors.ts maps the codes). The
// composite keys (tenant_id, target) make another tenant's space, agent or crew a missing one.
constraintMessages({
  missingReference: {
    budgets_tenant_space_fkey: "space not found: a space budget needs a space of your tenant",
    budgets_tenant_agent_fkey: "agent not found: an agent budget needs an agent of your tenant",
    budgets_tenant_crew_fkey: "crew not found: a crew budget needs a crew of your tenant",
  },
});
