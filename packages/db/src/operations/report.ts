/**
 * The monitoring report (`pnpm db:report`): table and index sizes, unused indexes, the slowest
 * statements, executions stuck in `running`, and migration status. Each query is exported as
 * it runs, and docs/operations.md shows the same text (a test keeps them equal).
 *
 * Catalog and statistics queries run as the connecting role; the stuck-executions query reads
 * tenant data, so it runs as the staff role (withStaff), whose policies read every tenant.
 * Works on Postgres, Neon and PGlite; where a view or extension is missing it says so.
 */
import { sql } from "drizzle-orm";

import { type Database, queryRow, queryRows } from "../database";
import { withStaff } from "../tenant-scope";
import { type MigrationStatus, migrationStatus } from "./migration-status";
import { sqlState } from "./sql-state";

export const reportQueries = {
  server: sql`select version() as version, current_setting('server_version_num')::int as "versionNum", current_database() as database,
         current_setting('track_counts')::bool as "trackCounts",
         (select stats_reset from pg_stat_database where datname = current_database()) as "statsReset"`,

  /** Every table: total = heap + indexes + other (TOAST, free space and visibility maps). */
  tableSizes: sql`select c.relname as "table",
         pg_total_relation_size(c.oid)::float8 as "totalBytes",
         pg_relation_size(c.oid)::float8 as "heapBytes",
         pg_indexes_size(c.oid)::float8 as "indexBytes",
         (pg_total_relation_size(c.oid) - pg_relation_size(c.oid) - pg_indexes_size(c.oid))::float8 as "otherBytes",
         case when c.reltuples < 0 then null else c.reltuples::float8 end as "rowsEstimate"
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = 'public' and c.relkind in ('r', 'p')
  order by pg_total_relation_size(c.oid) desc, c.relname`,

  /** Every index with its scans since the statistics were reset; which ones enforce a constraint. */
  indexUsage: sql`select s.relname as "table", s.indexrelname as "index",
         pg_relation_size(s.indexrelid)::float8 as bytes, s.idx_scan::float8 as scans,
         i.indisprimary as "primary",
         (i.indisunique or exists (select 1 from pg_constraint k where k.conindid = s.indexrelid and k.contype in ('p', 'u', 'x'))) as "enforcesConstraint"
  from pg_stat_user_indexes s join pg_index i on i.indexrelid = s.indexrelid
  where s.schemaname = 'public'
  order by pg_relation_size(s.indexrelid) desc, s.indexrelname`,

  statementsInstalled: sql`select exists (select 1 from pg_extension where extname = 'pg_stat_statements') as installed,
         coalesce(current_setting('shared_preload_libraries', true), '') as preload`,

  /** Slowest by mean time, this database only. Needs pg_read_all_stats to see other roles' query text. */
  slowestStatements: (limit: number) => sql`select regexp_replace(left(query, 300), '\\s+', ' ', 'g') as query, calls::float8 as calls,
         total_exec_time::float8 as "totalMs", mean_exec_time::float8 as "meanMs", rows::float8 as rows
  from pg_stat_statements
  where dbid = (select oid from pg_database where datname = current_database())
  order by mean_exec_time desc
  limit ${limit}`,

  /** Per tenant, executions running since before now - $1 minutes: one probe of (tenant_id, status, created_at) per tenant. */
  stuckExecutions: (olderThanMinutes: number) => sql`select t.id as "tenantId", s.running, s.oldest as "oldestStartedAt"
  from tenants t
  cross join lateral (
    select count(*)::int as running, min(e.started_at) as oldest
    from agent_executions e
    where e.tenant_id = t.id and e.status = 'running' and e.started_at < now() - make_interval(mins => ${olderThanMinutes}::int)
  ) s
  where s.running > 0
  order by s.running desc, t.id`,
};

export interface TableSize {
  table: string;
  totalBytes: number;
  heapBytes: number;
  indexBytes: number;
  otherBytes: number;
  /** The planner's estimate (pg_class.reltuples); null until the table is first analyzed. */
  rowsEstimate: number | null;
}

export interface IndexUsage {
  table: string;
  index: string;
  bytes: number;
  scans: number;
  primary: boolean;
  /** Primary key, unique or exclusion constraint: needed whatever its scan count. */
  enforcesConstraint: boolean;
  /**
   * No scans since the statistics were reset, and no constraint depends on it. null on PGlite,
   * where the counters belong to this process alone (see `indexStatistics.perProcess`).
   */
  unused: boolean | null;
}

export type SlowStatements =
  | { available: true; statements: Array<{ query: string; calls: number; totalMs: number; meanMs: number; rows: number }> }
  | { available: false; reason: string };

export interface DatabaseReport {
  server: { version: string; database: string; pglite: boolean };
  tables: TableSize[];
  indexes: IndexUsage[];
  /** Whether scan counts mean anything here, and since when they count. */
  indexStatistics: {
    collected: boolean;
    since: string | null;
    /**
     * PGlite keeps its statistics in the process that opened it, from zero at every open: the
     * dev server's scans are invisible to a later `db:report`, so "no scans" says nothing.
     */
    perProcess: boolean;
  };
  slowStatements: SlowStatements;
  stuck: { olderThanMinutes: number; tenants: Array<{ tenantId: string; running: number; oldestStartedAt: string }>; total: number };
  /** null when the migrations table cannot be read by this role. */
  migrations: MigrationStatus | null;
}

export interface ReportOptions {
  /** Executions running longer than this count as stuck; default 60. */
  stuckMinutes?: number;
  /** How many statements to list; default 10. */
  statementLimit?: number;
}

const iso = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string).toISOString());

export async function collectReport(db: Database, options: ReportOptions = {}): Promise<DatabaseReport> {
  const stuckMinutes = options.stuckMinutes ?? 60;
  const server = await queryRow<{ version: string; versionNum: number; database: string; trackCounts: boolean; statsReset: unknown }>(
    db,
    reportQueries.server,
  );
  const pglite = /PGlite/.test(server.version);
  // This session's pending counters go out now (PG 15+), so its own recent scans are included;
  // other sessions flush theirs within seconds. PGlite has only this session, and flushes lazily.
  if (server.versionNum >= 150000) await db.execute(sql`select pg_stat_force_next_flush()`);

  const tables = await queryRows<TableSize>(db, reportQueries.tableSizes);
  const indexes = (await queryRows<Omit<IndexUsage, "unused">>(db, reportQueries.indexUsage)).map((i) => ({
    ...i,
    unused: pglite ? null : i.scans === 0 && !i.enforcesConstraint,
  }));
  const stuckTenants = await withStaff(db, (tx) =>
    queryRows<{ tenantId: string; running: number; oldestStartedAt: unknown }>(tx, reportQueries.stuckExecutions(stuckMinutes)),
  );
  return {
    server: { version: server.version, database: server.database, pglite },
    tables,
    indexes,
    indexStatistics: { collected: server.trackCounts, since: iso(server.statsReset), perProcess: pglite },
    slowStatements: await slowStatements(db, pglite, options.statementLimit ?? 10),
    stuck: {
      olderThanMinutes: stuckMinutes,
      tenants: stuckTenants.map((t) => ({ ...t, oldestStartedAt: iso(t.oldestStartedAt) ?? "" })),
      total: stuckTenants.reduce((n, t) => n + t.running, 0),
    },
    migrations: await migrationStatus(db).catch(() => null),
  };
}

async function slowStatements(db: Database, pglite: boolean, limit: number): Promise<SlowStatements> {
  if (pglite) return { available: false, reason: "PGlite has no pg_stat_statements extension" };
  const state = await queryRow<{ installed: boolean; preload: string }>(db, reportQueries.statementsInstalled);
  const preloaded = state.preload
    .split(",")
    .map((s) => s.trim())
    .includes("pg_stat_statements");
  if (!state.installed) {
    return {
      available: false,
      reason:
        `pg_stat_statements is not installed in this database (shared_preload_libraries = '${state.preload}'). ` +
        (preloaded
          ? "Run CREATE EXTENSION pg_stat_statements as the owner."
          : "It needs shared_preload_libraries = 'pg_stat_statements' (a server restart), then CREATE EXTENSION pg_stat_statements."),
    };
  }
  try {
    return { available: true, statements: await queryRows(db, reportQueries.slowestStatements(limit)) };
  } catch (error) {
    // Installed but not loaded (55000 "must be loaded via shared_preload_libraries"), or no privilege.
    const message = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return { available: false, reason: `pg_stat_statements is installed but cannot be read (${sqlState(error) ?? "error"}): ${message}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Text output
// ---------------------------------------------------------------------------------------------

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function table(headers: string[], rows: string[][], rightAligned: number[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.includes(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const count = (n: number) => Math.round(n).toLocaleString("en-US");

export function formatReport(report: DatabaseReport): string {
  const out: string[] = [];
  out.push(`Database report: ${report.server.database} on ${report.server.version.split(" on ")[0]}`);

  out.push("", "Tables, largest first (rows: planner estimate, '?' until analyzed)");
  out.push(
    table(
      ["table", "total", "heap", "indexes", "other", "rows"],
      report.tables.map((t) => [
        t.table,
        formatBytes(t.totalBytes),
        formatBytes(t.heapBytes),
        formatBytes(t.indexBytes),
        formatBytes(t.otherBytes),
        t.rowsEstimate === null ? "?" : count(t.rowsEstimate),
      ]),
      [1, 2, 3, 4, 5],
    ),
  );

  const stats = report.indexStatistics;
  const scansSince = stats.perProcess ? "this command opened the embedded database" : (stats.since ?? "the server started");
  out.push(
    "",
    `Indexes, largest first (scans since ${scansSince}${stats.collected ? "" : "; track_counts is off, so scans are not counted"})`,
  );
  out.push(
    table(
      ["table", "index", "size", "scans", "note"],
      report.indexes.map((i) => [
        i.table,
        i.index,
        formatBytes(i.bytes),
        count(i.scans),
        i.primary ? "primary key" : i.enforcesConstraint ? "constraint" : i.unused ? "UNUSED" : "",
      ]),
      [2, 3],
    ),
  );
  const unused = report.indexes.filter((i) => i.unused);
  out.push(
    "",
    stats.perProcess
      ? "Unused indexes: not reported on PGlite. Its scan counters live in the process that opened it and start at zero each time, " +
          "so the dev server's scans are not counted here; run `pnpm db:report` against Postgres (DATABASE_URL) to find unused indexes."
      : unused.length
        ? `Unused indexes (no scans, no constraint; check every replica and a full business cycle before dropping): ${unused.map((i) => i.index).join(", ")}`
        : "Unused indexes: none",
  );

  out.push("", "Slowest statements by mean time (pg_stat_statements)");
  if (report.slowStatements.available) {
    out.push(
      report.slowStatements.statements.length
        ? table(
            ["mean ms", "calls", "total ms", "rows", "query"],
            report.slowStatements.statements.map((s) => [
              s.meanMs.toFixed(2),
              count(s.calls),
              s.totalMs.toFixed(1),
              count(s.rows),
              s.query.slice(0, 120),
            ]),
            [0, 1, 2, 3],
          )
        : "  (no statements recorded yet)",
    );
  } else out.push(`  not available: ${report.slowStatements.reason}`);

  out.push("", `Executions running longer than ${report.stuck.olderThanMinutes} minutes: ${report.stuck.total}`);
  if (report.stuck.tenants.length) {
    out.push(
      table(
        ["tenant", "running", "oldest start"],
        report.stuck.tenants.map((t) => [t.tenantId, count(t.running), t.oldestStartedAt]),
        [1],
      ),
    );
    out.push(`  close them: pnpm db:close-stuck --minutes ${report.stuck.olderThanMinutes}`);
  }

  const m = report.migrations;
  out.push(
    "",
    m === null
      ? "Migrations: unknown (this role may not read drizzle.__drizzle_migrations)"
      : `Migrations: ${m.appliedCount} applied, current ${m.current ?? "none"}; pending: ${m.pending.length ? m.pending.join(", ") : "none"}`,
  );
  return out.join("\n");
}
