import { sql } from "drizzle-orm";
import { text, timestamp } from "drizzle-orm/pg-core";

/** Every tenant-owned row carries the tenant; row-level security filters on it. */
export const tenantIdColumn = () => text("tenant_id").notNull();

/** `updated_at` is maintained by the `set_updated_at` trigger, so raw SQL cannot forget it. */
export const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

/**
 * A bound from the contracts' vocabulary written into a check constraint's SQL (drizzle-kit cannot
 * put a parameter there), so the database restates the limit instead of copying the number.
 */
export const sqlLiteral = (value: number) => sql.raw(String(value));
