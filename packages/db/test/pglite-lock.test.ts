import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DatabaseFolderLockedError, openPglite, queryRows, sql } from "../src";
import { lockDatabaseFolder, takeOver } from "../src/pglite-lock";

const dbDir = fileURLToPath(new URL("..", import.meta.url));

interface Holder {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** A second process opening the folder, as `pnpm db:*` or a second dev server would. */
function openInChild(folder: string): Holder {
  const child = spawn(process.execPath, ["--import", "tsx", "test/fixtures/hold-pglite.ts"], {
    cwd: dbDir,
    env: { ...process.env, PGLITE_DIR: folder },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { process: child, output: () => output, exited };
}

async function holding(holder: Holder): Promise<void> {
  for (let waited = 0; !holder.output().includes("holding"); waited += 50) {
    if (holder.process.exitCode !== null) throw new Error(`holder exited: ${holder.output()}`);
    if (waited > 60_000) throw new Error(`holder did not open the folder: ${holder.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Field 22 of /proc/<pid>/stat, as the lock records it. */
function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;
}

function writeLock(folder: string, holder: { pid: number; startTime: string | null }) {
  writeFileSync(
    `${folder}.lock`,
    JSON.stringify({ ...holder, hostname: hostname(), command: "node src/dev.ts", since: "2026-12-01T00:00:00.000Z" }),
  );
}

describe("the embedded database folder is held by one process at a time", () => {
  const root = mkdtempSync(join(tmpdir(), "agent-builder-lock-"));
  const folder = join(root, "pglite");

  beforeAll(async () => {
    const handle = await openPglite({ dataDir: folder });
    await handle.db.execute(sql`create table kept (n int)`);
    await handle.db.execute(sql`insert into kept values (1), (2), (3)`);
    await handle.close();
    expect(existsSync(`${folder}.lock`)).toBe(false);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("refuses a second process at once, naming the holder, and frees the folder on close", async () => {
    const first = await openPglite({ dataDir: folder });
    try {
      const second = openInChild(folder);
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain(`The embedded database at ${folder} is in use by process ${process.pid}`);
      expect(second.output()).toMatch(/stop that process .*kill \d+/);
      expect(second.output()).toContain("DATABASE_URL");
      // The holder's data is untouched and it keeps working.
      await first.db.execute(sql`insert into kept values (4)`);
    } finally {
      await first.close();
    }
    expect(existsSync(`${folder}.lock`)).toBe(false);
    const reopened = await openPglite({ dataDir: folder });
    expect(await queryRows<{ n: number }>(reopened.db, sql`select count(*)::int as n from kept`)).toEqual([{ n: 4 }]);
    await reopened.close();
  });

  it("refuses in the same process too, with the holder's details on the error", async () => {
    const holder = openInChild(folder);
    try {
      await holding(holder);
      const error = await openPglite({ dataDir: folder }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DatabaseFolderLockedError);
      expect((error as DatabaseFolderLockedError).holder).toMatchObject({
        pid: holder.process.pid,
        command: expect.stringContaining("hold-pglite.ts"),
      });
    } finally {
      holder.process.stdin!.end();
      expect(await holder.exited).toBe(0);
    }
  });

  it("takes over the stale lock of a killed holder, with the data intact", async () => {
    const holder = openInChild(folder);
    await holding(holder);
    holder.process.kill("SIGKILL");
    await holder.exited;
    // SIGKILL runs no exit handler: the lock file names a dead process.
    expect(JSON.parse(readFileSync(`${folder}.lock`, "utf8"))).toMatchObject({ pid: holder.process.pid });

    const handle = await openPglite({ dataDir: folder });
    try {
      expect(JSON.parse(readFileSync(`${folder}.lock`, "utf8"))).toMatchObject({ pid: process.pid });
      expect(await queryRows<{ n: number }>(handle.db, sql`select count(*)::int as n from kept`)).toEqual([{ n: 4 }]);
    } finally {
      await handle.close();
    }
  });

  it("treats a lock whose pid now names another process (same pid, other start time) as stale", async () => {
    writeLock(folder, { pid: process.ppid, startTime: "1" });
    const handle = await openPglite({ dataDir: folder });
    await handle.close();

    // The same pid with its real start time is a live holder.
    writeLock(folder, { pid: process.ppid, startTime: startTime(process.ppid) });
    await expect(openPglite({ dataDir: folder })).rejects.toThrow(`is in use by process ${process.ppid} (node src/dev.ts)`);
    rmSync(`${folder}.lock`);
  });

  it("never lets a contender that read the stale lock late remove the lock taken since", () => {
    writeLock(folder, { pid: 2 ** 22 + 12_345, startTime: null }); // above pid_max: no such process
    const stale = readFileSync(`${folder}.lock`, "utf8");
    const taken = lockDatabaseFolder(folder); // the first contender takes it over
    try {
      takeOver(`${folder}.lock`, `${folder}.lock.takeover`, stale); // the second acts on what it read before
      expect(JSON.parse(readFileSync(`${folder}.lock`, "utf8"))).toMatchObject({ pid: process.pid });
      expect(existsSync(`${folder}.lock.takeover`)).toBe(false);
    } finally {
      taken.release();
    }
    expect(existsSync(`${folder}.lock`)).toBe(false);
  });

  it("lets exactly one of two processes take over the same stale lock", async () => {
    writeLock(folder, { pid: 2 ** 22 + 12_345, startTime: null }); // above pid_max: no such process
    const contenders = [openInChild(folder), openInChild(folder)];
    const outcome = await Promise.race([
      // Both holding would be the bug; a contender that exits instead rejects here, harmlessly.
      Promise.all(
        contenders.map((c) =>
          holding(c).then(
            () => "both hold",
            () => new Promise<never>(() => {}),
          ),
        ),
      ),
      Promise.any(contenders.map((c) => c.exited.then((code) => (code === 1 ? "refused" : `exited ${code}`)))),
    ]);
    expect(outcome).toBe("refused");
    const refused = contenders.find((c) => c.process.exitCode === 1)!;
    const winner = contenders.find((c) => c !== refused)!;
    await holding(winner);
    expect(refused.output()).toContain(`is in use by process ${winner.process.pid}`);
    winner.process.stdin!.end();
    expect(await winner.exited).toBe(0);
    expect(existsSync(`${folder}.lock`)).toBe(false);
  });
});
