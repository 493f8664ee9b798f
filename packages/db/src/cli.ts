/**
 * `pnpm db:migrate | db:rollback [--steps N] | db:seed | db:reset | db:status`, and the operations:
 * `pnpm db:report [--stuck-minutes N] [--json]`, `pnpm db:retention --days N [--tenant T] [--batch N] [--pause-ms N]`,
 * `pnpm db:close-stuck --minutes N [--tenant T]`, `pnpm db:compact-usage [--keep-days N] [--tenant T] [--batch N] [--pause-ms N]`,
 * `pnpm db:export-tenant --tenant T --out FILE`,
 * `pnpm db:import-tenant --in FILE` (docs/operations.md).
 * Targets DATABASE_URL when set, else the embedded PGlite in .data/pglite (the one `pnpm dev` uses).
 */
import { once } from "node:events";
import { createReadStream, createWriteStream, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

import { openDatabase } from "./client";
import type { DatabaseHandle } from "./database";
import { appliedMigrations, readJournal, rollbackLast } from "./migrations";
import {
  closeStuckExecutions,
  collectReport,
  compactUsage,
  deleteOldExecutions,
  exportTenant,
  formatReport,
  importTenant,
} from "./operations";
import { defaultPgliteDir } from "./paths";
import { DatabaseFolderLockedError } from "./pglite-lock";
import { seedDemoData } from "./seed";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    steps: { type: "string", default: "1" },
    days: { type: "string" },
    minutes: { type: "string" },
    "keep-days": { type: "string", default: "1" },
    "stuck-minutes": { type: "string", default: "60" },
    tenant: { type: "string" },
    batch: { type: "string" },
    "pause-ms": { type: "string" },
    json: { type: "boolean", default: false },
    out: { type: "string" },
    in: { type: "string" },
  },
});
const command = positionals[0];
const url = process.env.DATABASE_URL;
const target = url ? url.replace(/\/\/[^@]*@/, "//***@") : `PGlite at ${defaultPgliteDir}`;

/** A positive whole number from a flag, or undefined when the flag is absent. */
function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

/** A positive whole number from a flag the command needs. */
function requiredPositive(name: string, value: string | undefined): number {
  const n = positive(name, value);
  if (n === undefined) throw new Error(`--${name} N is required`);
  return n;
}

let handle: DatabaseHandle;
try {
  if (command === "reset" && url) {
    console.error("db:reset starts the embedded database over; for Postgres, drop and create the database, then pnpm db:seed");
    process.exit(2);
  }
  handle = await openDatabase({ url, dataDir: defaultPgliteDir, fresh: command === "reset" });
} catch (error) {
  // The folder is locked by another process (the dev server): its message says what to do.
  console.error(error instanceof DatabaseFolderLockedError ? error.message : `cannot open ${target}: ${describeFailure(error)}`);
  process.exit(error instanceof DatabaseFolderLockedError ? 3 : 1);
}
try {
  switch (command) {
    case "migrate": {
      await handle.migrate();
      console.log(`migrated ${target}: ${(await appliedMigrations(handle.db)).join(", ")}`);
      break;
    }
    case "rollback": {
      const steps = Number(values.steps);
      if (!Number.isInteger(steps) || steps < 1) throw new Error("--steps must be a positive integer");
      for (let i = 0; i < steps; i++) {
        const tag = await rollbackLast(handle.db);
        if (!tag) {
          console.log("nothing to roll back");
          break;
        }
        console.log(`rolled back ${tag}`);
      }
      break;
    }
    case "seed": {
      await handle.migrate();
      const result = await seedDemoData(handle.db);
      console.log(
        result.seeded
          ? `seeded ${target}: ${result.tenants} tenants, ${result.agents} agents, ${result.executions} executions, ${result.steps} steps`
          : `${target} already has the demo data; nothing to do`,
      );
      break;
    }
    case "reset": {
      // The folder was emptied under its lock as it opened (a running `pnpm dev` makes this refuse).
      await handle.migrate();
      const result = await seedDemoData(handle.db);
      console.log(
        `reset ${target}: ${result.tenants} tenants, ${result.agents} agents, ${result.executions} executions, ${result.steps} steps`,
      );
      break;
    }
    case "status": {
      const applied = new Set(await appliedMigrations(handle.db));
      for (const entry of readJournal()) console.log(`${applied.has(entry.tag) ? "applied" : "pending"}  ${entry.tag}`);
      break;
    }
    case "report": {
      const report = await collectReport(handle.db, { stuckMinutes: requiredPositive("stuck-minutes", values["stuck-minutes"]) });
      console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
      break;
    }
    case "retention": {
      const olderThanDays = requiredPositive("days", values.days);
      const started = performance.now();
      const result = await deleteOldExecutions(handle.db, {
        olderThanDays,
        tenantId: values.tenant,
        batchSize: positive("batch", values.batch),
        pauseMs: values["pause-ms"] === undefined ? undefined : Number(values["pause-ms"]),
        onBatch: (t) => console.log(`  ${t.tenantId}: ${t.executions} executions deleted so far (batch ${t.batches})`),
      });
      for (const t of result.tenants) console.log(`${t.tenantId}: ${t.executions} executions, ${t.steps} steps, ${t.batches} batches`);
      console.log(
        `retention on ${target}: deleted ${result.executions} executions and ${result.steps} steps created before ${result.cutoff} ` +
          `in ${Math.round(performance.now() - started)} ms; usage stats and daily rollups unchanged`,
      );
      break;
    }
    case "close-stuck": {
      const olderThanMinutes = requiredPositive("minutes", values.minutes);
      const result = await closeStuckExecutions(handle.db, { olderThanMinutes, tenantId: values.tenant });
      for (const t of result.tenants) console.log(`${t.tenantId}: ${t.closed} closed (${t.executionIds.join(", ")})`);
      console.log(`close-stuck on ${target}: ${result.closed} executions running since before ${result.cutoff} marked failed ("stuck")`);
      break;
    }
    case "compact-usage": {
      const keepDays = Number(values["keep-days"]);
      if (!Number.isInteger(keepDays) || keepDays < 0) throw new Error("--keep-days must be a whole number, 0 or more");
      const started = performance.now();
      const result = await compactUsage(handle.db, {
        keepDays,
        tenantId: values.tenant,
        batchSize: positive("batch", values.batch),
        pauseMs: values["pause-ms"] === undefined ? undefined : Number(values["pause-ms"]),
      });
      for (const [table, t, subject] of [
        ["agent_usage_daily", result.agentDays, "agent"],
        ["crew_usage_daily", result.crewDays, "crew"],
        ["tenant_usage_daily", result.tenantDays, "tenant"],
      ] as const) {
        console.log(
          `${table}: ${t.rowsBefore} rows before, ${t.rowsAfter} after; folded ${t.rowsFolded} slot rows of ${t.groups} ` +
            `${subject}-days into slot 0 (${t.rowsCreated} slot-0 rows created) in ${t.batches} batches`,
        );
      }
      console.log(
        `compact-usage on ${target}: days before ${result.foldedBefore} (UTC) folded for ${result.tenants.length} tenants ` +
          `in ${Math.round(performance.now() - started)} ms; sums unchanged, today${keepDays > 0 ? ` and the ${keepDays} day(s) before` : ""} still slotted`,
      );
      break;
    }
    case "export-tenant": {
      if (!values.tenant || !values.out) throw new Error("--tenant T and --out FILE are required");
      // "wx": never overwrite an earlier export.
      const file = createWriteStream(values.out, { flags: "wx" });
      await once(file, "open");
      try {
        const trailer = await exportTenant(handle.db, values.tenant, async (line) => {
          if (!file.write(`${line}\n`)) await once(file, "drain");
        });
        await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
        const rows = Object.entries(trailer.rows).map(([table, n]) => `${n} ${table}`);
        console.log(`exported tenant ${values.tenant} from ${target} to ${values.out}: ${rows.join(", ")}`);
      } catch (error) {
        file.destroy();
        rmSync(values.out, { force: true });
        throw error;
      }
      break;
    }
    case "import-tenant": {
      if (!values.in) throw new Error("--in FILE is required");
      const lines = createInterface({ input: createReadStream(values.in), crlfDelay: Infinity });
      const result = await importTenant(handle.db, lines);
      const rows = Object.entries(result.rows).map(([table, n]) => `${n} ${table}`);
      console.log(`imported tenant ${result.tenantId} into ${target}: ${rows.join(", ")}`);
      break;
    }
    default:
      console.error(
        "usage: cli.ts migrate | rollback [--steps N] | seed | reset | status | report [--stuck-minutes N] [--json]\n" +
          "       | retention --days N [--tenant T] [--batch N] [--pause-ms N] | close-stuck --minutes N [--tenant T]\n" +
          "       | compact-usage [--keep-days N] [--tenant T] [--batch N] [--pause-ms N]\n" +
          "       | export-tenant --tenant T --out FILE | import-tenant --in FILE",
      );
      process.exitCode = 2;
  }
} catch (error) {
  console.error(`${command} on ${target} failed: ${describeFailure(error)}`);
  process.exitCode = 1;
} finally {
  await handle.close();
}

/**
 * What went wrong, in the database's words. Drizzle wraps driver errors ("Failed query: … params:
 * …") and keeps the Postgres error (SQLSTATE, message, detail, hint) in `cause`: print that.
 */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const database = findDatabaseError(error);
  if (!database) return error.message;
  const parts = [`database error ${database.code}: ${database.message}`];
  if (database.detail) parts.push(`detail: ${database.detail}`);
  if (database.hint) parts.push(`hint: ${database.hint}`);
  const query = /^Failed query: ([\s\S]*?)\nparams:/.exec(error.message)?.[1];
  if (query) parts.push(`while running: ${query.replace(/\s+/g, " ").slice(0, 200)}`);
  return parts.join("\n  ");
}

function findDatabaseError(error: unknown): { code: string; message: string; detail?: string; hint?: string } | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
      return current as Error & { code: string; detail?: string; hint?: string };
    }
    current = current.cause;
  }
  return undefined;
}
