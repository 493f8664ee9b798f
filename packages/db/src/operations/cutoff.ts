import { sql } from "drizzle-orm";

import { type Database, queryRow } from "../database";
import type { Tx } from "../tenant-scope";

/**
 * `now() - amount unit` on the database's clock (not this process's), as ISO 8601 UTC, taken
 * once per run so every batch of a maintenance run works against the same instant.
 */
export async function cutoffBefore(db: Database | Tx, amount: number, unit: "days" | "mins", option: string): Promise<string> {
  if (!Number.isInteger(amount) || amount < 1) throw new Error(`${option} must be a positive integer`);
  const interval = unit === "days" ? sql`make_interval(days => ${amount}::int)` : sql`make_interval(mins => ${amount}::int)`;
  const row = await queryRow<{ cutoff: string }>(
    db,
    sql`select to_char((now() - ${interval}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cutoff`,
  );
  return row.cutoff;
}
