// Everything edge code may use, then what needs Node (drivers over TCP, PGlite, files).
export * from "./edge";
export * from "./client";
export * from "./neon";
export * from "./migrations";
export * from "./seed";
export { defaultPgliteDir } from "./paths";
export { DatabaseFolderLockedError, type LockHolder } from "./pglite-lock";
