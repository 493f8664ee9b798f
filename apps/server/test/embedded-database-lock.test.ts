import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { afterAll, describe, expect, it } from "vitest";

import { demoTenants, openPglite, queryRows, sql } from "@agent-builder/db";

import { startApiServer } from "../../../test/support/api-server";

const run = promisify(execFile);
const dbDir = fileURLToPath(new URL("../../../packages/db", import.meta.url));
const acme = demoTenants[0]!;
const acmeAdmin = acme.users.find((u) => u.role === "admin")!;

/** A `pnpm db:*` command on the same folder, as a second terminal runs it. */
async function dbCommand(dataDir: string, ...args: string[]) {
  return run(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
    cwd: dbDir,
    env: { ...process.env, PGLITE_DIR: dataDir, DATABASE_URL: "" },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

async function countRows(dataDir: string) {
  const handle = await openPglite({ dataDir });
  try {
    const [counts] = await queryRows<{ executions: number; steps: number; orphanSteps: number }>(
      handle.db,
      sql`select (select count(*)::int from agent_executions) as executions,
                 (select count(*)::int from agent_execution_steps) as steps,
                 (select count(*)::int from agent_execution_steps s where not exists (select 1 from agent_executions e where e.id = s.execution_id)) as "orphanSteps"`,
    );
    return counts!;
  } finally {
    await handle.close();
  }
}

describe("pnpm dev and a db command on the same embedded database", () => {
  const root = mkdtempSync(join(tmpdir(), "agent-builder-lock-dev-"));
  const dataDir = join(root, "pglite");
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("refuses the second process, loses nothing, and runs retention through the server instead", async () => {
    const server = await startApiServer("pglite", { seed: true, dataDir });
    let before: number;
    let deleted: number;
    try {
      const seeded = /seeded demo data: \d+ agents, (\d+) executions/.exec(server.output());
      expect(seeded).not.toBeNull();
      before = Number(seeded![1]);

      // The command the issue reproduced the loss with: it must refuse at once, and say why.
      const retention = await dbCommand(dataDir, "retention", "--days", "30");
      expect(retention.code).toBe(3);
      expect(retention.stdout).not.toMatch(/deleted/);
      expect(retention.stderr).toContain(`The embedded database at ${dataDir} is in use by process ${server.pid}`);
      expect(retention.stderr).toContain("src/dev.ts");
      expect(retention.stderr).toContain("admin.runRetention");
      // Every other command takes the same lock; the one that empties the folder above all.
      expect((await dbCommand(dataDir, "migrate")).code).toBe(3);
      expect((await dbCommand(dataDir, "reset")).code).toBe(3);

      // A second dev server on the folder refuses too.
      await expect(startApiServer("pglite", { seed: true, dataDir })).rejects.toThrow(/in use by process/);

      // The documented way while the server runs: the staff procedure, over HTTP.
      const token = await server.token({ sub: acmeAdmin.id, tid: acme.id, role: "admin" });
      const response = await fetch(`${server.url}/admin.runRetention`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ olderThanDays: 30, maxRows: 50_000 }),
      });
      expect(response.status).toBe(200);
      const result = ((await response.json()) as { result: { data: { executions: number; complete: boolean } } }).result.data;
      expect(result.complete).toBe(true);
      deleted = result.executions;
      expect(deleted).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
    expect(existsSync(`${dataDir}.lock`)).toBe(false);

    // After the server stopped, what it reported is what the folder holds, and it is consistent.
    const after = await countRows(dataDir);
    expect(after.executions).toBe(before - deleted);
    expect(after.orphanSteps).toBe(0);

    // With the server gone, the command runs (nothing older than 30 days is left).
    const retention = await dbCommand(dataDir, "retention", "--days", "30");
    expect(retention.code).toBe(0);
    expect(retention.stdout).toMatch(/deleted 0 executions/);

    // `pnpm db:reset` starts the demo data over.
    const reset = await dbCommand(dataDir, "reset");
    expect(reset.stdout).toMatch(new RegExp(`reset PGlite at .*: 2 tenants, 20 agents, ${before} executions`));
    expect((await countRows(dataDir)).executions).toBe(before);
  });

  it("prints the database's own error (code and message), not only Drizzle's 'Failed query'", async () => {
    const empty = join(root, "never-migrated");
    const retention = await dbCommand(empty, "retention", "--days", "30");
    expect(retention.code).toBe(1);
    expect(retention.stderr).toMatch(/retention on PGlite at .* failed: database error 22023: role "agent_builder_admin" does not exist/);
    expect(retention.stderr).not.toMatch(/Failed query/);
    expect(retention.stderr).not.toMatch(/^\s+at /m); // no stack trace
  });
});
