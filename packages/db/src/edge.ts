/**
 * The package as edge code sees it (`@agent-builder/db/edge`, and `@agent-builder/db` under the
 * `edge-light` export condition Vercel's edge bundler uses): schema, tenant scope, query helpers
 * and the Neon pool. Nothing here imports a Node built-in, pg or PGlite; index.ts adds those.
 */

export type { SQL } from "drizzle-orm";
// Re-exported so packages above never import drizzle-orm directly (one version, one place).
export { and, arrayContains, asc, desc, eq, getTableColumns, gt, gte, inArray, isNotNull, isNull, lt, lte, ne, or, sql } from "drizzle-orm";
export type { PgColumn } from "drizzle-orm/pg-core";

export * from "./database";
export * from "./neon-edge";
// Migration status (health), retention, stuck executions: the staff procedures call them on edge too.
export * from "./operations";
export * from "./schema";
export * from "./tenant-scope";
