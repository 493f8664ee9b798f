import { text, timestamp } from "drizzle-orm/pg-core";

/** Every tenant-owned row carries the tenant; row-level security filters on it. */
export const tenantIdColumn = () => text("tenant_id").notNull();

/** `updated_at` is maintained by the `set_updated_at` trigger, so raw SQL cannot forget it. */
export const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};
