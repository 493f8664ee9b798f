export * from "./schema";
export * from "./client";
export * from "./tenant-scope";
export * from "./migrations";
export * from "./seed";
export { defaultPgliteDir } from "./paths";
// Re-exported so packages above never import drizzle-orm directly (one version, one place).
export { and, asc, desc, eq, gt, gte, inArray, lt, lte, ne, or, sql, isNull, isNotNull, arrayContains, getTableColumns } from "drizzle-orm";
export type { SQL } from "drizzle-orm";
