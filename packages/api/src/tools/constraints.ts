import { constraintMessages } from "../constraint-messages";

// The tools table's constraints, as a caller should read them (errors.ts maps the codes).
constraintMessages({
  unique: { tools_tenant_name_key: "a tool with this name already exists: choose another name" },
  missingReference: {
    tools_tenant_creator_fkey: "creator not found: upsert the user through directory.upsertUser first",
  },
});
