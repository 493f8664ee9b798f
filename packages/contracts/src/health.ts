import { z } from "zod";

/** Applied and pending schema migrations, as the database records them. */
export const migrationHealthSchema = z.object({
  /** Tag of the newest applied migration (`unknown(<when>)` if newer than this build); null if none. */
  current: z.string().nullable(),
  appliedCount: z.number().int(),
  /** Migrations this build ships that the database does not have, oldest first. */
  pending: z.array(z.string()),
});
export type MigrationHealth = z.infer<typeof migrationHealthSchema>;

export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  database: z.object({
    reachable: z.boolean(),
    version: z.string().nullable(),
    latencyMs: z.number().nullable(),
  }),
  /**
   * Left out when the database is unreachable (nothing is known, and the answer keeps its old
   * shape); null when the database answers but this role may not read the migrations table.
   */
  migration: migrationHealthSchema.nullable().optional(),
});
export type Health = z.infer<typeof healthSchema>;
