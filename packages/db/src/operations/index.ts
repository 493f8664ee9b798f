/**
 * Operations on a live database: migration status (health), retention, stuck executions, usage
 * compaction, the monitoring report and tenant export/import. Edge-safe (no Node built-ins): the
 * staff procedures in `admin.*` call these from the edge function too. pg_dump/pg_restore live in
 * ./backup (Node only) and are imported from there directly.
 */
export * from "./migration-status";
export * from "./report";
export * from "./retention";
export { actAsTenant } from "./scope";
export * from "./stuck";
export * from "./tenant-transfer";
export * from "./usage-compaction";
