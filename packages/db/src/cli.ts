/**
 * `pnpm db:migrate | db:rollback [--steps N] | db:seed | db:status`
 * Targets DATABASE_URL when set, else the embedded PGlite in .data/pglite (the one `pnpm dev` uses).
 */
import { parseArgs } from "node:util";

import { openDatabase } from "./client";
import { appliedMigrations, readJournal, rollbackLast } from "./migrations";
import { defaultPgliteDir } from "./paths";
import { seedDemoData } from "./seed";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { steps: { type: "string", default: "1" } },
});
const command = positionals[0];
const url = process.env.DATABASE_URL;
const target = url ? url.replace(/\/\/[^@]*@/, "//***@") : `PGlite at ${defaultPgliteDir}`;

const handle = await openDatabase({ url, dataDir: defaultPgliteDir });
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
    case "status": {
      const applied = new Set(await appliedMigrations(handle.db));
      for (const entry of readJournal()) console.log(`${applied.has(entry.tag) ? "applied" : "pending"}  ${entry.tag}`);
      break;
    }
    default:
      console.error("usage: cli.ts migrate | rollback [--steps N] | seed | status");
      process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await handle.close();
}
