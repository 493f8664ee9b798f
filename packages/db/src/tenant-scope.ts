import type { ExtractTablesWithRelations } from "drizzle-orm";
import { sql } from "drizzle-orm";
import type { PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";

import { type Database, hasScopedTransactions, isPlainSetting, type Schema, type ScopeSettings } from "./database";

/** The role every request runs as: no BYPASSRLS, owns no table (see migration 0001_security). */
export const appRole = "agent_builder_app";

export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export interface TenantScopeOptions {
  /** Per-transaction statement timeout, so one slow query cannot hold a connection forever. */
  statementTimeoutMs?: number;
}

/**
 * Runs `work` in one transaction, as the app role, seeing only `tenantId`'s rows.
 * Everything is transaction-local (`set_config(..., true)` is `SET LOCAL`), so nothing survives
 * into the next user of a pooled connection. Tenant, role and timeout are set in the same round
 * trip as BEGIN (node-postgres, Neon) or in one statement right after it (PGlite).
 */
export function withTenant<T>(db: Database, tenantId: string, work: (tx: Tx) => Promise<T>, options: TenantScopeOptions = {}): Promise<T> {
  const timeout = String(options.statementTimeoutMs ?? 10_000);
  return scopedTransaction(
    db,
    [
      ["app.tenant_id", tenantId],
      ["statement_timeout", timeout],
      ["role", appRole],
    ],
    work,
  );
}

/**
 * One transaction with `settings` applied first (transaction-local): in the same round trip as
 * BEGIN where the driver allows it and the values are plain, else as a parameterised
 * `set_config` statement. withTenant and withStaff are this with their role; maintenance that
 * runs as the connecting role (usage compaction) calls it directly.
 */
export function scopedTransaction<T>(db: Database, settings: ScopeSettings, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (hasScopedTransactions(db) && settings.every(([, value]) => isPlainSetting(value))) return db.scopedTransaction(settings, work);
  const assignments = sql.join(
    settings.map(([name, value]) => sql`set_config(${sql.raw(`'${name}'`)}, ${value}, true)`),
    sql`, `,
  );
  return db.transaction(async (tx) => {
    await tx.execute(sql`select ${assignments}`);
    return work(tx);
  });
}

/** The role of staff requests (`admin.*`): reads every tenant, writes only agents' status and the audit log (0004_admin_role). */
export const staffRole = "agent_builder_admin";

/**
 * Runs `work` in one transaction as the staff role, with no tenant set. Cross-tenant by design,
 * so only procedures behind the admin check call it.
 */
export function withStaff<T>(db: Database, work: (tx: Tx) => Promise<T>, options: TenantScopeOptions = {}): Promise<T> {
  const timeout = String(options.statementTimeoutMs ?? 10_000);
  return scopedTransaction(
    db,
    [
      ["app.tenant_id", ""],
      ["statement_timeout", timeout],
      ["role", staffRole],
    ],
    work,
  );
}
