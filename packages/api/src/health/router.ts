import { type Health, healthSchema, type MigrationHealth } from "@agent-builder/contracts";
import { type Database, migrationStatus, queryRows, sql } from "@agent-builder/db";

import { publicProcedure } from "../trpc";

/**
 * Public: is the database reachable, which version, how long one round trip took, and which
 * migrations it has. `latencyMs` times the first query alone; the migration read is a second
 * query so that a role without access to the migrations table still gets a health answer.
 */
export const healthProcedure = publicProcedure.output(healthSchema).query(async ({ ctx }): Promise<Health> => {
  const started = performance.now();
  let version: string | null;
  try {
    const [row] = await queryRows<{ version: string }>(ctx.deps.db, sql`select current_setting('server_version') as version`);
    version = row?.version ?? null;
  } catch {
    return { status: "degraded", database: { reachable: false, version: null, latencyMs: null } };
  }
  const latencyMs = Math.round((performance.now() - started) * 100) / 100;
  return { status: "ok", database: { reachable: true, version, latencyMs }, migration: await readMigrations(ctx.deps.db) };
});

/** null, not a failed health check, when the migrations table cannot be read (see migrationStatus). */
async function readMigrations(db: Database): Promise<MigrationHealth | null> {
  try {
    return await migrationStatus(db);
  } catch {
    return null;
  }
}
