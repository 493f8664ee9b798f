/**
 * Retention: delete finished executions older than N days, tenant by tenant, in small batches.
 *
 * - Steps go with their execution (ON DELETE CASCADE).
 * - Lifetime stats and daily rollups stay as they are: the usage trigger counts an execution
 *   when it finishes and nothing subtracts on delete, so history survives the raw rows.
 * - Running executions are never deleted, however old (closeStuckExecutions deals with them).
 * - Each batch is its own short transaction (the CLI) or a bounded number of rows inside one
 *   staff request (`admin.runRetention`): only the deleted rows are locked, and only briefly;
 *   readers are never blocked (row locks do not block MVCC reads), and there is no table lock.
 * - Deletes run as the app role inside the tenant's scope, under row-level security.
 */
import { sql } from "drizzle-orm";

import { type Database, queryRows } from "../database";
import { type Tx, withStaff, withTenant } from "../tenant-scope";
import { cutoffBefore } from "./cutoff";
import { actAsTenant } from "./scope";

export interface TenantRetention {
  tenantId: string;
  executions: number;
  /** Steps deleted with those executions (their `step_count`s). */
  steps: number;
  batches: number;
}

export interface RetentionResult {
  /** Executions created before this instant (database clock) were in scope. */
  cutoff: string;
  tenants: TenantRetention[];
  executions: number;
  steps: number;
  /** False when `maxRows` stopped the run before everything in scope was deleted. */
  complete: boolean;
}

export interface RetentionOptions {
  olderThanDays: number;
  /** Only this tenant; default every tenant that has something to delete. */
  tenantId?: string;
  /** Executions per batch (one statement, one transaction in the CLI). */
  batchSize?: number;
}

export const defaultRetentionBatchSize = 1000;

/** Tenants with finished executions created before `cutoff` (staff role: reads every tenant). One index probe per tenant. */
async function tenantsWithOldExecutions(tx: Tx, cutoff: string, tenantId?: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`select t.id from tenants t
        where ${tenantId === undefined ? sql`true` : sql`t.id = ${tenantId}`}
          and exists (select 1 from agent_executions e
                      where e.tenant_id = t.id and e.created_at < ${cutoff}::timestamptz and e.status <> 'running')
        order by t.id`,
  );
  return rows.map((r) => r.id);
}

/**
 * Deletes up to `limit` of the tenant's oldest finished executions created before `cutoff`.
 * Must run in that tenant's scope (app role). Oldest first, along the (tenant_id, created_at, id)
 * index; SKIP LOCKED passes over a row another transaction holds instead of waiting for it.
 * MATERIALIZED makes the batch one fixed set of ids: written as `id in (… limit n)` the LIMIT
 * subquery is not guaranteed to run once, and a batch deleted more than `limit` (25 rows in 2
 * batches of 10, on PGlite and on Postgres 15).
 */
export async function deleteExecutionBatch(tx: Tx, tenantId: string, cutoff: string, limit: number) {
  const deleted = await queryRows<{ steps: number }>(
    tx,
    sql`with doomed as materialized (
          select id from agent_executions
          where tenant_id = ${tenantId} and created_at < ${cutoff}::timestamptz and status <> 'running'
          order by created_at, id
          limit ${limit}
          for update skip locked
        )
        delete from agent_executions e using doomed where e.id = doomed.id
        returning e.step_count as steps`,
  );
  return { executions: deleted.length, steps: deleted.reduce((n, r) => n + Number(r.steps), 0) };
}

function tally(tenants: TenantRetention[]) {
  return {
    executions: tenants.reduce((n, t) => n + t.executions, 0),
    steps: tenants.reduce((n, t) => n + t.steps, 0),
  };
}

/**
 * The CLI's retention (`pnpm db:retention`): every batch its own transaction, optionally with a
 * pause between batches to leave the database room (replication, autovacuum, other traffic).
 * `onBatch` sees the running totals after each committed batch.
 */
export async function deleteOldExecutions(
  db: Database,
  options: RetentionOptions & { pauseMs?: number; onBatch?: (tenant: TenantRetention) => void | Promise<void> },
): Promise<RetentionResult> {
  const batchSize = options.batchSize ?? defaultRetentionBatchSize;
  const cutoff = await cutoffBefore(db, options.olderThanDays, "days", "olderThanDays");
  const tenantIds = await withStaff(db, (tx) => tenantsWithOldExecutions(tx, cutoff, options.tenantId));
  const tenants: TenantRetention[] = [];
  for (const tenantId of tenantIds) {
    const done: TenantRetention = { tenantId, executions: 0, steps: 0, batches: 0 };
    tenants.push(done);
    for (;;) {
      const batch = await withTenant(db, tenantId, (tx) => deleteExecutionBatch(tx, tenantId, cutoff, batchSize));
      if (batch.executions === 0) break;
      done.executions += batch.executions;
      done.steps += batch.steps;
      done.batches++;
      await options.onBatch?.({ ...done });
      if (batch.executions < batchSize) break;
      if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  }
  return { cutoff, tenants, ...tally(tenants), complete: true };
}

/**
 * Retention inside one staff transaction (`admin.runRetention`): deletes at most `maxRows`
 * executions, in batches, as each tenant in turn, so one request stays short and its audit entry
 * commits with exactly what it deleted. `complete: false` means: call again for the rest.
 */
export async function deleteOldExecutionsAsStaff(tx: Tx, options: RetentionOptions & { maxRows: number }): Promise<RetentionResult> {
  const batchSize = Math.min(options.batchSize ?? defaultRetentionBatchSize, options.maxRows);
  const cutoff = await cutoffBefore(tx, options.olderThanDays, "days", "olderThanDays");
  const tenantIds = await tenantsWithOldExecutions(tx, cutoff, options.tenantId);
  const tenants: TenantRetention[] = [];
  let budget = options.maxRows;
  let complete = true;
  for (const tenantId of tenantIds) {
    if (budget === 0) {
      complete = false;
      break;
    }
    const done: TenantRetention = { tenantId, executions: 0, steps: 0, batches: 0 };
    tenants.push(done);
    await actAsTenant(tx, tenantId, async () => {
      while (budget > 0) {
        const limit = Math.min(batchSize, budget);
        const batch = await deleteExecutionBatch(tx, tenantId, cutoff, limit);
        done.executions += batch.executions;
        done.steps += batch.steps;
        if (batch.executions > 0) done.batches++;
        budget -= batch.executions;
        if (batch.executions < limit) return;
      }
      // The budget ran out exactly at a batch boundary: there may be more of this tenant's rows.
      complete = false;
    });
  }
  return { cutoff, tenants, ...tally(tenants), complete };
}
