/**
 * One tenant's data out of one database and into another (`pnpm db:export-tenant`,
 * `pnpm db:import-tenant`): moving a tenant between regions or projects, or restoring one
 * tenant without rolling back the others.
 *
 * The document is JSON lines: a header, one line per row (`{"table":…,"row":…}`) table by
 * table in foreign-key order, and a trailer with the row count of every table, so a truncated
 * file is refused. Rows are Postgres' own `to_jsonb` text, and go back in through
 * `jsonb_populate_record`: numerics, bigints and microsecond timestamps never pass through
 * JavaScript numbers or dates, so they come back exactly.
 *
 * Usage counters are imported as they were, not rebuilt from the executions: after retention
 * has deleted old executions, the lifetime counters and daily rollups are the only record of
 * them, and the tenant's rollup the only record of its deleted agents. The usage trigger still
 * fires while the executions go in, so the counter rows of the tenant are reset to their
 * defaults afterwards and then set to the exported values (upsert that assigns, never adds).
 * Nothing needs superuser (session_replication_role is not available to the app role on Neon),
 * and the import runs as the app role under the tenant's row-level security: a row of any other
 * tenant in the file fails the whole import.
 */
import { type SQL, sql } from "drizzle-orm";

import { type Database, queryRows } from "../database";
import { appRole, type Tx, withTenant } from "../tenant-scope";
import { migrationStatus } from "./migration-status";

export const tenantExportFormat = "agent-builder.tenant-export";
export const tenantExportVersion = 1;

/** Every table with a tenant's rows, parents first. A test fails if a tenant table is missing here. */
export const tenantTables = [
  "tenants",
  "users",
  "spaces",
  "tools",
  "agents",
  "agent_resources",
  "crews",
  "crew_members",
  "tasks",
  "task_context",
  "conversations",
  "agent_executions",
  "agent_execution_steps",
  "conversation_messages",
  "agent_usage_stats",
  "agent_usage_daily",
  "crew_usage_stats",
  "crew_usage_daily",
  "tenant_usage_daily",
  "models",
  "budgets",
  "budget_reservations",
  "budget_crossings",
] as const;
export type TenantTable = (typeof tenantTables)[number];

/** Written only by the usage trigger; imported after the executions, as they were. */
const counterTables: ReadonlySet<string> = new Set<TenantTable>([
  "agent_usage_stats",
  "agent_usage_daily",
  "crew_usage_stats",
  "crew_usage_daily",
  "tenant_usage_daily",
]);

export interface TenantExportHeader {
  format: typeof tenantExportFormat;
  version: number;
  tenantId: string;
  /** Migration the source database was at; the target must be at the same one. */
  migration: string | null;
  exportedAt: string;
  tables: readonly string[];
}

export interface TenantExportTrailer {
  end: true;
  rows: Record<string, number>;
}

interface TableShape {
  table: TenantTable;
  /** Columns that can be inserted (generated columns left out), in table order. */
  columns: string[];
  key: string[];
}

const tenantColumn = (table: TenantTable) => (table === "tenants" ? "id" : "tenant_id");
const ident = (name: string) => sql.identifier(name);
const list = (names: string[], prefix?: string) =>
  sql.join(
    names.map((n) => (prefix ? sql`${sql.identifier(prefix)}.${ident(n)}` : ident(n))),
    sql`, `,
  );

/** Insertable columns and primary key of every tenant table, from the catalog (so new columns travel too). */
/** Each tenant table's columns and key, as this database has them; throws for a missing table. */
async function tableShapes(tx: Tx | Database): Promise<(table: TenantTable) => TableShape> {
  const rows = await queryRows<{ table: TenantTable; columns: string[]; key: string[] }>(
    tx,
    sql`select c.relname as "table",
               array(select a.attname::text from pg_attribute a
                     where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
                     order by a.attnum) as columns,
               array(select a.attname::text from pg_index i cross join lateral unnest(i.indkey) with ordinality k(attnum, ord)
                     join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
                     where i.indrelid = c.oid and i.indisprimary order by k.ord) as key
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relname in (${sql.join(
          tenantTables.map((t) => sql`${t}`),
          sql`, `,
        )})`,
  );
  const shapes = new Map(rows.map((r) => [r.table, r]));
  for (const table of tenantTables) if (!shapes.has(table)) throw new Error(`table ${table} is missing from this database`);
  return (table) => {
    const shape = shapes.get(table);
    if (!shape) throw new Error(`table ${table} is missing from this database`);
    return shape;
  };
}

/**
 * Writes the tenant's rows, as JSON lines, to `write`. One repeatable-read, read-only
 * transaction as the app role in the tenant's scope: a consistent snapshot even while the
 * tenant keeps working. Tables are read in keyset pages along their primary key.
 */
export async function exportTenant(
  db: Database,
  tenantId: string,
  write: (line: string) => void | Promise<void>,
  options: { pageSize?: number; statementTimeoutMs?: number } = {},
): Promise<TenantExportTrailer> {
  const pageSize = options.pageSize ?? 500;
  const migration = (await migrationStatus(db)).current;
  return db.transaction(
    async (tx) => {
      // As withTenant does, but withTenant cannot open a repeatable-read transaction.
      await tx.execute(
        sql`select set_config('app.tenant_id', ${tenantId}, true), set_config('statement_timeout', ${String(options.statementTimeoutMs ?? 60_000)}, true), set_config('role', ${appRole}, true)`,
      );
      const [exists] = await queryRows(tx, sql`select 1 from tenants where id = ${tenantId}`);
      if (!exists) throw new Error(`tenant ${tenantId} does not exist in this database`);
      const shapes = await tableShapes(tx);
      const header: TenantExportHeader = {
        format: tenantExportFormat,
        version: tenantExportVersion,
        tenantId,
        migration,
        exportedAt: new Date().toISOString(),
        tables: tenantTables,
      };
      await write(JSON.stringify(header));
      const counts: Record<string, number> = {};
      for (const table of tenantTables) {
        const { key } = shapes(table);
        counts[table] = 0;
        let last: string | undefined;
        for (;;) {
          // The next page starts after the last row's key, read back from that row's own JSON.
          const after =
            last === undefined
              ? sql`true`
              : sql`(${list(key, "t")}) > (select ${list(key)} from jsonb_populate_record(null::${ident(table)}, ${last}::jsonb))`;
          const page = await queryRows<{ row: string }>(
            tx,
            sql`select to_jsonb(t)::text as row from ${ident(table)} t
                where t.${ident(tenantColumn(table))} = ${tenantId} and ${after}
                order by ${list(key, "t")} limit ${pageSize}`,
          );
          for (const { row } of page) await write(`{"table":${JSON.stringify(table)},"row":${row}}`);
          counts[table] += page.length;
          if (page.length < pageSize) break;
          last = page.at(-1)?.row;
        }
      }
      const trailer: TenantExportTrailer = { end: true, rows: counts };
      await write(JSON.stringify(trailer));
      return trailer;
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/**
 * Imports one tenant's export into this database, in one transaction as that tenant: all of it
 * or nothing. Refuses a tenant that already exists here, a file from another migration, rows out
 * of foreign-key order, and a file without its trailer or with other row counts than it says.
 */
export async function importTenant(
  db: Database,
  lines: AsyncIterable<string> | Iterable<string>,
  options: { batchSize?: number; statementTimeoutMs?: number } = {},
): Promise<{ tenantId: string; rows: Record<string, number> }> {
  const batchSize = options.batchSize ?? 500;
  const iterator = (Symbol.asyncIterator in lines ? lines[Symbol.asyncIterator]() : (lines as Iterable<string>)[Symbol.iterator]()) as
    | AsyncIterator<string>
    | Iterator<string>;
  const next = async (): Promise<string | undefined> => {
    for (;;) {
      const { value, done } = await iterator.next();
      if (done) return undefined;
      if (value.trim()) return value;
    }
  };

  const header = JSON.parse((await next()) ?? "null") as TenantExportHeader | null;
  if (header?.format !== tenantExportFormat)
    throw new Error(`not a tenant export (expected a first line with format "${tenantExportFormat}")`);
  if (header.version !== tenantExportVersion)
    throw new Error(`tenant export version ${header.version} is not supported (this build reads ${tenantExportVersion})`);
  const here = (await migrationStatus(db)).current;
  if (header.migration !== here) {
    throw new Error(
      `the export was made at migration ${header.migration}; this database is at ${here}: bring both to the same migration first`,
    );
  }

  const { tenantId } = header;
  return withTenant(
    db,
    tenantId,
    async (tx) => {
      const [exists] = await queryRows(tx, sql`select 1 from tenants where id = ${tenantId}`);
      if (exists) throw new Error(`tenant ${tenantId} already exists in this database; import only into a database without it`);
      // Rows come in key order, not tree order: the keys of a table to itself (an agent's parent, a
      // child run's crew run, a message's parent) are checked at commit. And the runs are written as
      // they were: the crew-run and usage triggers stand aside (app.restoring), the counters are
      // restored from the export.
      await tx.execute(sql`set constraints all deferred`);
      await tx.execute(sql`select set_config('app.restoring', 'on', true)`);
      const shapes = await tableShapes(tx);
      const counts: Record<string, number> = Object.fromEntries(tenantTables.map((t) => [t, 0]));
      let trailer: TenantExportTrailer | undefined;
      let position = 0;
      let pending: { table: TenantTable; lines: string[] } | undefined;
      let countersReset = false;

      const flush = async () => {
        const current = pending;
        if (!current?.lines.length) return;
        const { table, lines: batch } = current;
        const shape = shapes(table);
        const rows = sql`jsonb_array_elements(${`[${batch.join(",")}]`}::jsonb) e, jsonb_populate_record(null::${ident(table)}, e -> 'row') r`;
        let statement: SQL = sql`insert into ${ident(table)} (${list(shape.columns)}) select ${list(shape.columns, "r")} from ${rows}`;
        if (counterTables.has(table)) {
          if (!countersReset) {
            await resetCounters(tx, tenantId, shapes);
            countersReset = true;
          }
          const values = shape.columns.filter((c) => !shape.key.includes(c));
          statement = sql`${statement} on conflict (${list(shape.key)}) do update set ${sql.join(
            values.map((c) => sql`${ident(c)} = excluded.${ident(c)}`),
            sql`, `,
          )}`;
        }
        await tx.execute(statement);
        counts[table] = (counts[table] ?? 0) + batch.length;
        current.lines = [];
      };

      for (let line = await next(); line !== undefined; line = await next()) {
        if (trailer) throw new Error("the export has lines after its trailer");
        const parsed = JSON.parse(line) as { table?: string; row?: unknown; end?: boolean; rows?: Record<string, number> };
        if (parsed.end) {
          trailer = parsed as TenantExportTrailer;
          continue;
        }
        const index = tenantTables.indexOf(parsed.table as TenantTable);
        if (index < 0 || typeof parsed.row !== "object") throw new Error(`unexpected line in the export: ${line.slice(0, 120)}`);
        if (index < position) throw new Error(`rows of ${parsed.table} after rows of ${tenantTables[position]}: not in foreign-key order`);
        if (index !== position || pending === undefined) {
          await flush();
          position = index;
          pending = { table: parsed.table as TenantTable, lines: [] };
        }
        pending.lines.push(line);
        if (pending.lines.length >= batchSize) await flush();
      }
      await flush();

      if (!trailer) throw new Error("the export has no trailer: the file is incomplete");
      for (const table of tenantTables) {
        if ((trailer.rows[table] ?? 0) !== counts[table]) {
          throw new Error(
            `the export says ${trailer.rows[table] ?? 0} rows of ${table}, it holds ${counts[table]}: the file is incomplete or edited`,
          );
        }
      }
      return { tenantId, rows: counts };
    },
    { statementTimeoutMs: options.statementTimeoutMs ?? 60_000 },
  );
}

/**
 * The usage trigger counted the imported executions into the tenant's counter rows; set every
 * counter back to its default so the exported rows can be assigned over them.
 */
async function resetCounters(tx: Tx, tenantId: string, shapes: (table: TenantTable) => TableShape) {
  for (const table of tenantTables.filter((t) => counterTables.has(t))) {
    const shape = shapes(table);
    const counters = shape.columns.filter((c) => !shape.key.includes(c) && !["tenant_id", "created_at", "updated_at"].includes(c));
    await tx.execute(
      sql`update ${ident(table)} set ${sql.join(
        counters.map((c) => sql`${ident(c)} = default`),
        sql`, `,
      )} where tenant_id = ${tenantId}`,
    );
  }
}
