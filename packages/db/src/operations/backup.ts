/**
 * Whole-database backup and restore with PostgreSQL's own tools (Node only: runs binaries).
 * docs/operations.md gives the same commands for a shell; packages/db/test/backup.test.ts
 * restores a dump into a fresh database and compares it with the original.
 *
 * The dump holds every schema object and row, the RLS policies, the grants to
 * agent_builder_app / agent_builder_admin and drizzle's migrations table. It does not hold the
 * roles themselves (they are cluster-wide): a different cluster needs them created first.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** The newest Debian install (/usr/lib/postgresql/<version>/bin), else the tool on PATH. */
export function postgresTool(name: "pg_dump" | "pg_restore"): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  return newest === undefined ? name : join(root, newest, "bin", name);
}

function run(tool: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      // The URL may hold a password: name the tool and its stderr, not the command line.
      if (error) reject(new Error(`${tool} failed (exit ${error.code}): ${stderr.trim() || error.message.split("\n")[0]}`));
      else resolve(stdout);
    });
  });
}

/** `pg_dump --format=custom`: compressed, and pg_restore can restore it selectively or in parallel. */
export function dumpDatabase(url: string, file: string): Promise<string> {
  return run(postgresTool("pg_dump"), ["--format=custom", `--file=${file}`, `--dbname=${url}`]);
}

/**
 * Restores into an existing, empty database, all or nothing (`--single-transaction`, stop at the
 * first error). `noOwner` makes the restoring role own everything (a provider's owner role,
 * e.g. Neon's, instead of the source's); grants and policies are restored either way.
 */
export function restoreDatabase(file: string, url: string, options: { noOwner?: boolean } = {}): Promise<string> {
  return run(postgresTool("pg_restore"), [
    "--exit-on-error",
    "--single-transaction",
    ...(options.noOwner ? ["--no-owner"] : []),
    `--dbname=${url}`,
    file,
  ]);
}
