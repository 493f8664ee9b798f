// Everything edge code may use, then what needs Node (drivers over TCP, PGlite, files).

export * from "./client";
export * from "./edge";
export * from "./migrations";
export * from "./neon";
export { defaultPgliteDir } from "./paths";
export { DatabaseFolderLockedError, type LockHolder } from "./pglite-lock";
export * from "./prices/shipped";
export * from "./prices/sync";
export * from "./seed";
