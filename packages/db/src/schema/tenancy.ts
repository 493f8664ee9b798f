import { sql } from "drizzle-orm";
import { check, foreignKey, index, pgEnum, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";

import { userRoles } from "@agent-builder/contracts";

import { tenantIdColumn, timestamps } from "./columns";

/**
 * The local mirror of the platform's identity. Tenants and users are created on a caller's
 * first verified request and filled in by `directory.*`, so foreign keys always hold.
 */
export const tenants = pgTable(
  "tenants",
  {
    id: text("id").primaryKey(),
    name: text("name"),
    ...timestamps,
  },
  (t) => [check("tenants_id_not_empty", sql`length(${t.id}) between 1 and 255`)],
);

export const userRole = pgEnum("user_role", userRoles);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey(),
    tenantId: tenantIdColumn().references(() => tenants.id),
    email: text("email"),
    displayName: text("display_name"),
    role: userRole("role").notNull().default("member"),
    ...timestamps,
  },
  (t) => [
    // Target of the composite (tenant_id, user) foreign keys: a row can only point at a user of its own tenant.
    unique("users_tenant_id_id_key").on(t.tenantId, t.id),
    index("users_tenant_id_email_idx").on(t.tenantId, t.email),
  ],
);

export const spaces = pgTable(
  "spaces",
  {
    id: uuid("id").primaryKey(),
    tenantId: tenantIdColumn(),
    name: text("name").notNull(),
    ...timestamps,
  },
  (t) => [
    unique("spaces_tenant_id_id_key").on(t.tenantId, t.id),
    index("spaces_tenant_id_name_idx").on(t.tenantId, t.name, t.id),
    foreignKey({ name: "spaces_tenant_id_fkey", columns: [t.tenantId], foreignColumns: [tenants.id] }),
  ],
);
