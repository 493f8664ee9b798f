/**
 * Which migrations a database has, compared with the ones this build ships. Edge-safe: the
 * journal is imported as JSON (bundled), not read from disk, so `health` can report it from
 * the edge function too. `migrations.ts` (Node) reads the same journal with node:fs.
 */
import { sql } from "drizzle-orm";

import journal from "../../migrations/meta/_journal.json" with { type: "json" };
import { type Database, queryRows } from "../database";
import type { Tx } from "../tenant-scope";
import { sqlState } from "./sql-state";

/** The migrations this build ships, oldest first. `when` is what drizzle's migrator records. */
export const shippedMigrations: ReadonlyArray<{ tag: string; when: number }> = journal.entries.map((e) => ({ tag: e.tag, when: e.when }));

export interface MigrationStatus {
  /** Tag of the newest applied migration; `unknown(<when>)` if this build does not know it; null if none. */
  current: string | null;
  appliedCount: number;
  /** Shipped migrations the database does not have, oldest first. */
  pending: string[];
}

/** Status from the `created_at` values drizzle's migrator wrote (one per applied migration). */
export function migrationStatusOf(appliedWhen: readonly number[]): MigrationStatus {
  const applied = new Set(appliedWhen);
  const tagOf = new Map(shippedMigrations.map((m) => [m.when, m.tag]));
  const newest = appliedWhen.length ? Math.max(...appliedWhen) : null;
  return {
    current: newest === null ? null : (tagOf.get(newest) ?? `unknown(${newest})`),
    appliedCount: appliedWhen.length,
    pending: shippedMigrations.filter((m) => !applied.has(m.when)).map((m) => m.tag),
  };
}

/**
 * Reads drizzle's migrations table. A database nobody migrated has no such table: everything
 * is pending. Throws when the table exists but this role may not read it (SQLSTATE 42501): on
 * Neon the request role reads it through agent_builder_app, which needs `USAGE ON SCHEMA
 * drizzle` and `SELECT ON drizzle.__drizzle_migrations`.
 */
export async function migrationStatus(db: Database | Tx): Promise<MigrationStatus> {
  try {
    const rows = await queryRows<{ when: string | number }>(db, sql`select created_at as "when" from drizzle.__drizzle_migrations`);
    return migrationStatusOf(rows.map((r) => Number(r.when)));
  } catch (error) {
    // 3F000: no schema "drizzle"; 42P01: no table. Both mean "never migrated".
    if (["3F000", "42P01"].includes(sqlState(error) ?? "")) return migrationStatusOf([]);
    throw error;
  }
}
