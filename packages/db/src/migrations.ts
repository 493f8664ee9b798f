import { readFileSync } from "node:fs";

import { sql } from "drizzle-orm";

import { type Database, queryRows } from "./database";
import { migrationsFolder } from "./paths";

/**
 * drizzle-kit generates and applies "up" migrations (`<tag>.sql`, listed in meta/_journal.json);
 * it has no down migrations. Every migration here has a hand-written `down/<tag>.sql`, and
 * `rollbackLast` applies it and removes the row drizzle's migrator recorded, so a later
 * `migrate()` re-applies the migration.
 */
export { migrationsFolder };

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

export function readJournal(): JournalEntry[] {
  const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, "utf8")) as {
    entries: JournalEntry[];
  };
  return journal.entries;
}

export function readDownSql(tag: string): string[] {
  return splitStatements(readFileSync(`${migrationsFolder}/down/${tag}.sql`, "utf8"));
}

function splitStatements(file: string): string[] {
  return file
    .split("--> statement-breakpoint")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Tags of applied migrations, oldest first. */
export async function appliedMigrations(db: Database): Promise<string[]> {
  const [table] = await queryRows<{ present: boolean }>(db, sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
  if (!table?.present) return [];
  const rows = await queryRows<{ created_at: string }>(db, sql`select created_at from drizzle.__drizzle_migrations order by created_at`);
  const byWhen = new Map(readJournal().map((e) => [e.when, e.tag]));
  return rows.map((r) => byWhen.get(Number(r.created_at)) ?? `unknown(${r.created_at})`);
}

/** Rolls back the newest applied migration in one transaction. Returns its tag, or null if none. */
export async function rollbackLast(db: Database): Promise<string | null> {
  const applied = await appliedMigrations(db);
  const tag = applied.at(-1);
  if (!tag) return null;
  const entry = readJournal().find((e) => e.tag === tag);
  if (!entry) throw new Error(`applied migration ${tag} is not in the journal; refusing to guess its rollback`);
  const statements = readDownSql(tag);
  await db.transaction(async (tx) => {
    for (const statement of statements) await tx.execute(sql.raw(statement));
    await tx.execute(sql`delete from drizzle.__drizzle_migrations where created_at = ${entry.when}`);
  });
  return tag;
}
