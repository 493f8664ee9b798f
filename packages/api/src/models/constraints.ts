import { constraintMessages } from "../constraint-messages";

// The models table's constraints, as a caller should read them (errors.ts maps the codes).
constraintMessages({
  unique: {
    models_tenant_provider_model_valid_from_key:
      "a price for this provider and model with this validFrom already exists in this scope: give the new price a later validFrom, or correct that row with update",
  },
});
