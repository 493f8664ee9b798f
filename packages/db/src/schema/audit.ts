import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * What staff did through `admin.*`: who, what, when, to which tenant. Append-only: the admin
 * role may insert and read, nobody may update or delete (no grant), tenants cannot see it.
 */
export const adminAuditLog = pgTable(
  "admin_audit_log",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    actorId: uuid("actor_id").notNull(),
    actorTenantId: text("actor_tenant_id").notNull(),
    action: text("action").notNull(),
    targetTenantId: text("target_tenant_id"),
    targetType: text("target_type"),
    targetId: text("target_id"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("admin_audit_log_created_idx").on(t.createdAt, t.id),
    index("admin_audit_log_target_tenant_idx").on(t.targetTenantId, t.createdAt),
  ],
);
