/**
 * Executions stuck in `running`: the caller died (crash, deploy, lost network) before it
 * completed, failed or cancelled the run. They would stay running forever and never be counted.
 * Closing one marks it failed with error code "stuck" through the ordinary status change
 * (running → failed), so the usage trigger counts it exactly once, like any failure; a run
 * that finishes concurrently wins or loses on the row lock, never both.
 */
import { sql } from "drizzle-orm";

import { type Database, queryRows } from "../database";
import { type Tx, withStaff, withTenant } from "../tenant-scope";
import { cutoffBefore } from "./cutoff";
import { actAsTenant } from "./scope";

export const stuckErrorCode = "stuck";

export interface StuckOptions {
  /** Running for longer than this (by `started_at`); pick more than the longest legitimate run. */
  olderThanMinutes: number;
  tenantId?: string;
  batchSize?: number;
}

export interface TenantStuck {
  tenantId: string;
  closed: number;
  executionIds: string[];
}

export interface StuckResult {
  /** Executions started before this instant (database clock) and still running were in scope. */
  cutoff: string;
  tenants: TenantStuck[];
  closed: number;
  /** False when `maxRows` stopped the run before everything in scope was closed. */
  complete: boolean;
}

/** Tenants with executions running since before `cutoff`, via the (tenant_id, status, created_at) index. */
async function tenantsWithStuckExecutions(tx: Tx, cutoff: string, tenantId?: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`select t.id from tenants t
        where ${tenantId === undefined ? sql`true` : sql`t.id = ${tenantId}`}
          and exists (select 1 from agent_executions e
                      where e.tenant_id = t.id and e.status = 'running' and e.started_at < ${cutoff}::timestamptz)
        order by t.id`,
  );
  return rows.map((r) => r.id);
}

/**
 * Marks up to `limit` of the tenant's executions running since before `cutoff` as failed. Runs
 * in that tenant's scope (app role). `duration_ms` stays NULL: when the run died is unknown, and
 * the hours it sat in `running` are not a response time (they would swamp the average).
 * SKIP LOCKED passes over a run being completed right now; the `status = 'running'` re-check
 * after the lock means a run finished meanwhile is left alone. MATERIALIZED: one fixed set of
 * ids per batch (see deleteExecutionBatch).
 */
export async function closeStuckBatch(
  tx: Tx,
  tenantId: string,
  cutoff: string,
  olderThanMinutes: number,
  limit: number,
): Promise<string[]> {
  const closed = await queryRows<{ id: string }>(
    tx,
    sql`with stuck as materialized (
          select id from agent_executions
          where tenant_id = ${tenantId} and status = 'running' and started_at < ${cutoff}::timestamptz
          order by started_at, id
          limit ${limit}
          for update skip locked
        )
        update agent_executions e
        set status = 'failed',
            completed_at = greatest(now(), e.started_at),
            error_code = ${stuckErrorCode},
            error_message = ${`closed by maintenance: still running after ${olderThanMinutes} minutes`}
        from stuck
        where e.id = stuck.id and e.status = 'running'
        returning e.id`,
  );
  return closed.map((r) => r.id);
}

/** The CLI's version (`pnpm db:close-stuck`): one short transaction per batch, as each tenant. */
export async function closeStuckExecutions(db: Database, options: StuckOptions): Promise<StuckResult> {
  const batchSize = options.batchSize ?? 500;
  const cutoff = await cutoffBefore(db, options.olderThanMinutes, "mins", "olderThanMinutes");
  const tenantIds = await withStaff(db, (tx) => tenantsWithStuckExecutions(tx, cutoff, options.tenantId));
  const tenants: TenantStuck[] = [];
  for (const tenantId of tenantIds) {
    const done: TenantStuck = { tenantId, closed: 0, executionIds: [] };
    tenants.push(done);
    for (;;) {
      const ids = await withTenant(db, tenantId, (tx) => closeStuckBatch(tx, tenantId, cutoff, options.olderThanMinutes, batchSize));
      done.closed += ids.length;
      done.executionIds.push(...ids);
      if (ids.length < batchSize) break;
    }
  }
  return { cutoff, tenants, closed: tenants.reduce((n, t) => n + t.closed, 0), complete: true };
}

/** Inside one staff transaction (`admin.closeStuckExecutions`): at most `maxRows`, as each tenant in turn. */
export async function closeStuckExecutionsAsStaff(tx: Tx, options: StuckOptions & { maxRows: number }): Promise<StuckResult> {
  const cutoff = await cutoffBefore(tx, options.olderThanMinutes, "mins", "olderThanMinutes");
  const tenantIds = await tenantsWithStuckExecutions(tx, cutoff, options.tenantId);
  const tenants: TenantStuck[] = [];
  let budget = options.maxRows;
  let complete = true;
  for (const tenantId of tenantIds) {
    if (budget === 0) {
      complete = false;
      break;
    }
    const limit = budget;
    const ids = await actAsTenant(tx, tenantId, () => closeStuckBatch(tx, tenantId, cutoff, options.olderThanMinutes, limit));
    tenants.push({ tenantId, closed: ids.length, executionIds: ids });
    budget -= ids.length;
    // The budget ran out on this tenant: it may have more.
    if (ids.length === limit) complete = false;
  }
  return { cutoff, tenants, closed: tenants.reduce((n, t) => n + t.closed, 0), complete };
}
