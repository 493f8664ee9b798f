import { constraintMessages } from "../constraint-messages";

// The agents table's constraints, as a caller should read them (errors.ts maps the codes).
constraintMessages({
  missingReference: {
    agents_tenant_space_fkey: "space not found",
    agents_tenant_owner_fkey: "owner not found: upsert the user through directory.upsertUser first",
  },
});
