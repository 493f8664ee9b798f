/**
 * Usage compaction (`pnpm db:compact-usage`): folds the counter slots of past days into slot 0.
 *
 * The usage trigger spreads a day's completions over 16 counter slots (usage_slot(execution id))
 * so that concurrent completions of one agent or tenant do not queue on one row lock. The slots
 * are only needed while a day is being written; afterwards they cost reads: a busy agent's month
 * was up to 16 × 31 rows. This folds every (agent, day) of `agent_usage_daily`, every (crew, day)
 * of `crew_usage_daily` and every (tenant, day) of `tenant_usage_daily` before the cutoff day into
 * one row, slot 0, summing every counter. `agent_usage_stats` and `crew_usage_stats` (lifetime,
 * at most 16 rows each) stay slotted. Crew days are folded exactly as agent days (below).
 *
 * - Exact under concurrent completions. Each batch is ONE statement: `DELETE … WHERE slot <> 0
 *   RETURNING` feeding `INSERT … slot 0 … ON CONFLICT DO UPDATE SET x = x + excluded.x`. A
 *   completion that updated a slot row first makes the DELETE wait for it; READ COMMITTED then
 *   re-reads the row and deletes (and returns, so folds) the version that includes it. A
 *   completion that comes second finds the row deleted, waits for the fold to commit and
 *   inserts a fresh slot row, folded by the next run. Slot 0 is never deleted, only added to,
 *   and concurrent additions to it serialise on its row lock.
 * - Days before `today - keepDays` (UTC, database clock). Today is never folded. An execution is
 *   counted on its start day when it finishes, so yesterday still receives the completions of
 *   runs that started before midnight; the default keepDays = 1 folds a day once it is a full
 *   day old, when late completions (closed stuck runs aside) are over. Folding earlier is still
 *   exact, it only leaves fresh slot rows behind for the next run.
 * - Batches: per tenant, up to `batchSize` agent days per transaction (whole consecutive days, or
 *   `batchSize` agents of one day that has more), and up to `batchSize` tenant days. Locks: the batch's usage rows and a KEY SHARE lock on
 *   its agents, for one short transaction (no table lock; readers never wait, MVCC). The agents
 *   are locked first so that deleting an agent at the same moment (its cascade deletes these
 *   rows) waits for the batch instead of deadlocking with it. `lock_timeout` keeps a batch from
 *   holding its rows while it waits behind a long transaction; a batch that times out or loses a
 *   deadlock is retried.
 * - Privileges: it runs as the connecting role, which must own the tables (the role that runs
 *   `pnpm db:migrate`), with each batch scoped to its tenant by `app.tenant_id`: under FORCE
 *   ROW LEVEL SECURITY the owner is held to the tenant policy like the app role (a superuser
 *   skips it; the WHERE clauses carry the tenant anyway). The app and staff roles have no DELETE
 *   on usage rows and keep it that way: compaction is maintenance, not a request, so there is
 *   no `admin.*` procedure for it. Tenants are listed as the staff role (reads every tenant).
 */
import { type SQL, sql } from "drizzle-orm";

import { type Database, queryRow, queryRows } from "../database";
import { scopedTransaction, type Tx, withStaff } from "../tenant-scope";
import { sqlState } from "./sql-state";

export interface UsageCompactionOptions {
  /** Days before today that stay slotted (default 1: yesterday). 0 folds every day before today; today is never folded. */
  keepDays?: number;
  /** Only this tenant; default every tenant with something to fold. */
  tenantId?: string;
  /** Agent days (whole days, or this many agents of a bigger day) or tenant days per batch: one transaction each. */
  batchSize?: number;
  /** Pause between batches, to leave the database room. */
  pauseMs?: number;
  /** Sees each committed batch. */
  onBatch?: (batch: FoldedBatch) => void | Promise<void>;
}

export interface FoldedBatch {
  tenantId: string;
  table: UsageDailyTable;
  /** (agent, day) or (tenant, day) groups that had slot rows. */
  groups: number;
  /** Rows of slots 1–15 deleted into slot 0. */
  rowsFolded: number;
  /** Slot-0 rows that had to be created (the group had none yet). */
  rowsCreated: number;
}

export interface FoldedTable {
  groups: number;
  rowsFolded: number;
  rowsCreated: number;
  batches: number;
  /** Rows in the table (of the tenant, with `tenantId`) before and after the run. */
  rowsBefore: number;
  rowsAfter: number;
}

export interface UsageCompactionResult {
  /** Days before this UTC date (database clock) were folded; it and later days stay slotted. */
  foldedBefore: string;
  /** Tenants that had something to fold. */
  tenants: string[];
  agentDays: FoldedTable;
  crewDays: FoldedTable;
  tenantDays: FoldedTable;
}

export type UsageDailyTable = "agent_usage_daily" | "crew_usage_daily" | "tenant_usage_daily";

/** The daily tables kept per subject (an agent, a crew): the subject's column and the table whose rows are locked while they fold. */
const subjectDaily = {
  agent_usage_daily: { column: "agent_id", owner: "agents" },
  crew_usage_daily: { column: "crew_id", owner: "crews" },
} as const;
type SubjectDailyTable = keyof typeof subjectDaily;

export const defaultCompactionBatchSize = 500;

/** The counter columns every usage table shares (agent_usage_stats adds last_executed_at). */
export const usageCounterColumns = [
  "total_executions",
  "successful_executions",
  "failed_executions",
  "cancelled_executions",
  "input_tokens",
  "output_tokens",
  "total_tokens",
  "total_cost_usd",
  "total_duration_ms",
  "unpriced_executions",
] as const;

/** A batch that waited too long for a row lock (55P03) or lost a deadlock (40P01): nothing of it committed; run it again. */
const retryableStates = new Set(["55P03", "40P01"]);
const attempts = 5;

/**
 * One statement: the group's slot rows out, their sums into slot 0. `where` picks the groups
 * (alias `u`); the statement adds `slot <> 0`. Returns what it folded.
 */
function foldStatement(table: UsageDailyTable, where: SQL): SQL {
  const group = table === "tenant_usage_daily" ? ["tenant_id", "day"] : [subjectDaily[table].column, "day", "tenant_id"];
  const conflict = table === "tenant_usage_daily" ? "tenant_id, day, slot" : `${subjectDaily[table].column}, day, slot`;
  const list = (columns: readonly string[]) => sql.raw(columns.join(", "));
  return sql`with moved as (
      delete from ${sql.raw(table)} u where ${where} and u.slot <> 0
      returning u.*
    ), folded as (
      insert into ${sql.raw(table)} as d (${list(group)}, slot, ${list(usageCounterColumns)}, created_at, updated_at)
      select ${list(group)}, 0, ${sql.raw(usageCounterColumns.map((c) => `sum(${c})`).join(", "))}, min(created_at), now()
      from moved group by ${list(group)}
      on conflict (${sql.raw(conflict)}) do update set
        ${sql.raw(usageCounterColumns.map((c) => `${c} = d.${c} + excluded.${c}`).join(", "))},
        created_at = least(d.created_at, excluded.created_at)
      returning xmax = 0 as created
    )
    select (select count(*) from moved)::int as "rowsFolded", count(*)::int as groups, (count(*) filter (where created))::int as "rowsCreated"
    from folded`;
}

type Folded = Pick<FoldedBatch, "groups" | "rowsFolded" | "rowsCreated">;

/**
 * Folds the slots of the agent days of up to `limit` agents in [fromDay, toDay], agents after
 * `afterAgentId` in id order. Runs in the tenant's scope, as the owner; returns the agents it
 * took (fewer than `limit`: the range is done).
 */
export async function foldAgentDayBatch(
  tx: Tx,
  tenantId: string,
  range: { fromDay: string; toDay: string },
  afterAgentId: string,
  limit: number,
): Promise<Folded & { agentIds: string[] }> {
  const { ids, ...folded } = await foldSubjectDayBatch(tx, "agent_usage_daily", tenantId, range, afterAgentId, limit);
  return { agentIds: ids, ...folded };
}

/** foldAgentDayBatch for crews: the crew days (`crew_usage_daily`) of up to `limit` crews after `afterCrewId`. */
export async function foldCrewDayBatch(
  tx: Tx,
  tenantId: string,
  range: { fromDay: string; toDay: string },
  afterCrewId: string,
  limit: number,
): Promise<Folded & { crewIds: string[] }> {
  const { ids, ...folded } = await foldSubjectDayBatch(tx, "crew_usage_daily", tenantId, range, afterCrewId, limit);
  return { crewIds: ids, ...folded };
}

async function foldSubjectDayBatch(
  tx: Tx,
  table: SubjectDailyTable,
  tenantId: string,
  range: { fromDay: string; toDay: string },
  afterId: string,
  limit: number,
): Promise<Folded & { ids: string[] }> {
  const { column, owner } = subjectDaily[table];
  const days = sql`u.tenant_id = ${tenantId} and u.day between ${range.fromDay}::date and ${range.toDay}::date`;
  const subjects = await queryRows<{ id: string }>(
    tx,
    sql`select a.id from ${sql.raw(owner)} a
        where a.tenant_id = ${tenantId} and a.id > ${afterId}::uuid
          and a.id in (select u.${sql.raw(column)} from ${sql.raw(table)} u where ${days} and u.slot <> 0)
        order by a.id
        limit ${limit}
        for key share of a`,
  );
  const ids = subjects.map((a) => a.id);
  if (ids.length === 0) return { ids, groups: 0, rowsFolded: 0, rowsCreated: 0 };
  const folded = await queryRow<Folded>(
    tx,
    foldStatement(table, sql`${days} and u.${sql.raw(column)} = any(${`{${ids.join(",")}}`}::uuid[])`),
  );
  return { ids, ...folded };
}

/**
 * Consecutive days packed into ranges of at most `limit` agent days; a day with more agents than
 * that is a range of its own, which foldAgentDayBatch then takes `limit` agents at a time.
 */
export function packDays(days: Array<{ day: string; agents: number }>, limit: number): Array<{ fromDay: string; toDay: string }> {
  const ranges: Array<{ fromDay: string; toDay: string; agentDays: number }> = [];
  for (const { day, agents } of days) {
    const last = ranges.at(-1);
    if (last && last.agentDays + agents <= limit) {
      last.toDay = day;
      last.agentDays += agents;
    } else ranges.push({ fromDay: day, toDay: day, agentDays: agents });
  }
  return ranges.map(({ fromDay, toDay }) => ({ fromDay, toDay }));
}

/**
 * Folds the slots of the tenant's next `limit` days (before `before`, after `afterDay`) that
 * have slot rows. Runs in the tenant's scope, as the owner; `lastDay` null: nothing left.
 */
export async function foldTenantDayBatch(
  tx: Tx,
  tenantId: string,
  before: string,
  afterDay: string,
  limit: number,
): Promise<Folded & { lastDay: string | null }> {
  const [span] = await queryRows<{ first: string | null; last: string | null }>(
    tx,
    sql`select to_char(min(day), 'YYYY-MM-DD') as first, to_char(max(day), 'YYYY-MM-DD') as last from (
          select distinct day from tenant_usage_daily
          where tenant_id = ${tenantId} and day < ${before}::date and day > ${afterDay}::date and slot <> 0
          order by day limit ${limit}) x`,
  );
  if (!span?.first || !span.last) return { lastDay: null, groups: 0, rowsFolded: 0, rowsCreated: 0 };
  const folded = await queryRow<Folded>(
    tx,
    foldStatement("tenant_usage_daily", sql`u.tenant_id = ${tenantId} and u.day between ${span.first}::date and ${span.last}::date`),
  );
  return { lastDay: span.last, ...folded };
}

/**
 * One short transaction as the connecting role (the owner), held to `tenantId` by row-level
 * security. Retried when it timed out on a lock or lost a deadlock: it committed nothing then.
 */
async function inTenant<T>(db: Database, tenantId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await scopedTransaction(
        db,
        [
          ["app.tenant_id", tenantId],
          ["statement_timeout", "60000"],
          ["lock_timeout", "2000"],
        ],
        work,
      );
    } catch (error) {
      const state = sqlState(error);
      if (state === "42501") {
        throw new Error(
          "permission denied on the usage tables: compaction must run as their owner (the role that runs `pnpm db:migrate`), not the API's role",
          { cause: error },
        );
      }
      if (attempt >= attempts || !state || !retryableStates.has(state)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

const emptyTable = (): FoldedTable => ({ groups: 0, rowsFolded: 0, rowsCreated: 0, batches: 0, rowsBefore: 0, rowsAfter: 0 });

/** `today - keepDays` on the database clock (UTC), as YYYY-MM-DD. */
async function foldBefore(db: Database, keepDays: number): Promise<string> {
  if (!Number.isInteger(keepDays) || keepDays < 0) throw new Error("keepDays must be a whole number of days, 0 or more");
  const row = await queryRow<{ day: string }>(
    db,
    sql`select to_char((now() at time zone 'UTC')::date - ${keepDays}::int, 'YYYY-MM-DD') as day`,
  );
  return row.day;
}

/** Row counts of the daily tables (of one tenant, or all), as staff. */
async function countRows(db: Database, tenantId?: string): Promise<{ agentDays: number; crewDays: number; tenantDays: number }> {
  const tenant = tenantId === undefined ? sql`true` : sql`tenant_id = ${tenantId}`;
  return withStaff(
    db,
    (tx) =>
      queryRow<{ agentDays: number; crewDays: number; tenantDays: number }>(
        tx,
        sql`select (select count(*) from agent_usage_daily where ${tenant})::float8 as "agentDays",
                   (select count(*) from crew_usage_daily where ${tenant})::float8 as "crewDays",
                   (select count(*) from tenant_usage_daily where ${tenant})::float8 as "tenantDays"`,
      ),
    { statementTimeoutMs: 120_000 },
  );
}

/**
 * Tenants with slot rows before `before`, in either table (staff role: reads every tenant).
 * One probe of each table's tenant-led index per tenant.
 */
async function tenantsWithSlots(db: Database, before: string, tenantId?: string): Promise<string[]> {
  const rows = await withStaff(
    db,
    (tx) =>
      queryRows<{ id: string }>(
        tx,
        sql`select t.id from tenants t
            where ${tenantId === undefined ? sql`true` : sql`t.id = ${tenantId}`}
              and (exists (select 1 from tenant_usage_daily u where u.tenant_id = t.id and u.day < ${before}::date and u.slot <> 0)
                or exists (select 1 from agent_usage_daily u where u.tenant_id = t.id and u.day < ${before}::date and u.slot <> 0)
                or exists (select 1 from crew_usage_daily u where u.tenant_id = t.id and u.day < ${before}::date and u.slot <> 0))
            order by t.id`,
      ),
    { statementTimeoutMs: 120_000 },
  );
  return rows.map((r) => r.id);
}

/** The CLI's compaction: every batch its own transaction, tenant by tenant, tenant days, then agent days, then crew days. */
export async function compactUsage(db: Database, options: UsageCompactionOptions = {}): Promise<UsageCompactionResult> {
  const batchSize = options.batchSize ?? defaultCompactionBatchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error("batchSize must be a positive integer");
  const foldedBefore = await foldBefore(db, options.keepDays ?? 1);
  const before = await countRows(db, options.tenantId);
  const result: UsageCompactionResult = {
    foldedBefore,
    tenants: [],
    agentDays: emptyTable(),
    crewDays: emptyTable(),
    tenantDays: emptyTable(),
  };
  const pause = () => (options.pauseMs ? new Promise((resolve) => setTimeout(resolve, options.pauseMs)) : undefined);
  const record = async (tenantId: string, table: UsageDailyTable, { groups, rowsFolded, rowsCreated }: Folded) => {
    const total = { agent_usage_daily: result.agentDays, crew_usage_daily: result.crewDays, tenant_usage_daily: result.tenantDays }[table];
    total.groups += groups;
    total.rowsFolded += rowsFolded;
    total.rowsCreated += rowsCreated;
    total.batches++;
    await options.onBatch?.({ tenantId, table, groups, rowsFolded, rowsCreated });
    await pause();
  };

  for (const tenantId of await tenantsWithSlots(db, foldedBefore, options.tenantId)) {
    result.tenants.push(tenantId);
    // Keyset over days (and agents within a day): a run ends even while late completions keep adding slot rows behind it.
    for (let afterDay = "0001-01-01"; ; ) {
      const batch = await inTenant(db, tenantId, (tx) => foldTenantDayBatch(tx, tenantId, foldedBefore, afterDay, batchSize));
      if (batch.lastDay === null) break;
      afterDay = batch.lastDay;
      await record(tenantId, "tenant_usage_daily", batch);
    }
    // Agents (then crews) per day with slot rows: one pass over the tenant's past rows, then batches of whole days where they are small.
    for (const table of ["agent_usage_daily", "crew_usage_daily"] as const) {
      const column = sql.raw(subjectDaily[table].column);
      const days = await inTenant(db, tenantId, (tx) =>
        queryRows<{ day: string; agents: number }>(
          tx,
          sql`select to_char(day, 'YYYY-MM-DD') as day, count(distinct ${column})::int as agents from ${sql.raw(table)}
              where tenant_id = ${tenantId} and day < ${foldedBefore}::date and slot <> 0 group by day order by day`,
        ),
      );
      for (const range of packDays(days, batchSize)) {
        for (let afterId = "00000000-0000-0000-0000-000000000000"; ; ) {
          const batch = await inTenant(db, tenantId, (tx) => foldSubjectDayBatch(tx, table, tenantId, range, afterId, batchSize));
          if (batch.ids.length === 0) break;
          afterId = batch.ids.at(-1) ?? afterId;
          await record(tenantId, table, batch);
          if (batch.ids.length < batchSize) break;
        }
      }
    }
  }

  const after = await countRows(db, options.tenantId);
  Object.assign(result.agentDays, { rowsBefore: before.agentDays, rowsAfter: after.agentDays });
  Object.assign(result.crewDays, { rowsBefore: before.crewDays, rowsAfter: after.crewDays });
  Object.assign(result.tenantDays, { rowsBefore: before.tenantDays, rowsAfter: after.tenantDays });
  return result;
}
