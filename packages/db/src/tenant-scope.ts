import { sql } from "drizzle-orm";
import type { PgTransaction, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { ExtractTablesWithRelations } from "drizzle-orm";

import type { Database, Schema } from "./database";

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
 * into the next user of a pooled connection. One round trip sets tenant, role and timeout.
 */
export function withTenant<T>(
  db: Database,
  tenantId: string,
  work: (tx: Tx) => Promise<T>,
  options: TenantScopeOptions = {},
): Promise<T> {
  const timeout = String(options.statementTimeoutMs ?? 10_000);
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('app.tenant_id', ${tenantId}, true), set_config('statement_timeout', ${timeout}, true), set_config('role', ${appRole}, true)`,
    );
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
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('app.tenant_id', '', true), set_config('statement_timeout', ${timeout}, true), set_config('role', ${staffRole}, true)`,
    );
    return work(tx);
  });
}
