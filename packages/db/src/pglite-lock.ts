/**
 * An exclusive lock on an embedded database folder, held by one process at a time.
 *
 * PGlite is single-process: two processes that open one data folder (the dev server and a
 * `pnpm db:*` command) do not see each other's writes, and the second one's writes are lost or
 * leave the folder inconsistent. Whatever opens a folder takes `<folder>.lock` first; a second
 * process refuses at once, naming the holder.
 *
 * Written here rather than taken from a library: `proper-lockfile` (the usual choice) decides
 * staleness by the lock's age, so it needs a timer refreshing the lock in every holder, makes a
 * killed holder's lock block for the stale period, and records nothing about who holds it. We
 * know more: the holder is a process on this machine, so it is alive exactly when its pid is and
 * that pid still names the same process (same start time).
 *
 * - Acquire: create the lock file exclusively (`wx`) with the holder's pid, start time, command.
 * - Stale (holder dead, or its pid now names another process): taken over under a guard
 *   directory (`mkdir` is atomic), so two processes that find the same stale lock cannot both
 *   take it: only the guard's holder may remove a lock file, and it removes it only while it
 *   still holds the stale content it read.
 * - Release: remove the lock file if it is still ours; also on process exit, for `process.exit`
 *   paths that skip `close()`. A SIGKILLed holder leaves a stale lock, taken over next time.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmdirSync, statSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";

export interface LockHolder {
  pid: number;
  /** The holder's start time as the kernel counts it (Linux), so a reused pid is not mistaken for it. */
  startTime: string | null;
  hostname: string;
  command: string;
  since: string;
}

export class DatabaseFolderLockedError extends Error {
  constructor(
    readonly folder: string,
    readonly holder: LockHolder,
  ) {
    const who = holder.pid === process.pid ? "this process" : `process ${holder.pid}`;
    super(
      `The embedded database at ${folder} is in use by ${who} (${holder.command}), since ${holder.since}.\n` +
        "PGlite can be opened by one process at a time: a second one would lose writes. Either\n" +
        `  - stop that process (Ctrl-C in its terminal, or \`kill ${holder.pid}\`) and run this again, or\n` +
        "  - if it is `pnpm dev`, run retention or close-stuck through it, as staff (docs/operations.md):\n" +
        "      TOKEN=$(pnpm -s dev:token --role admin)\n" +
        "      curl -s -H \"Authorization: Bearer $TOKEN\" -H 'content-type: application/json' \\\n" +
        '        -d \'{"olderThanDays":30}\' localhost:3000/trpc/admin.runRetention   # or admin.closeStuckExecutions, {"olderThanMinutes":60}\n' +
        "  - or point this command and the server at a Postgres server with DATABASE_URL=postgres://…",
    );
    this.name = "DatabaseFolderLockedError";
  }
}

export interface FolderLock {
  readonly file: string;
  release(): void;
}

/** How long a takeover guard may live before it counts as left behind by a killed process. */
const guardStaleMs = 10_000;

export function lockDatabaseFolder(folder: string): FolderLock {
  const file = `${resolve(folder)}.lock`;
  const guard = `${file}.takeover`;
  const mine = JSON.stringify(describeThisProcess());

  for (let attempt = 0; ; attempt++) {
    if (tryCreate(file, mine)) return holding(file, mine);
    const content = readLock(file);
    if (content === undefined) continue; // released between our create and read: try again
    const holder = parseHolder(content);
    // A lock being written right now is briefly empty or partial; give its writer a moment.
    if (!holder && attempt < 20 && Date.now() - mtimeMs(file) < 2_000) {
      sleep(25);
      continue;
    }
    if (holder && isRunning(holder)) throw new DatabaseFolderLockedError(resolve(folder), holder);
    takeOver(file, guard, content);
    if (attempt > 50) throw new Error(`could not take over the stale lock ${file}`);
  }
}

function tryCreate(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Removes the stale lock file if it still holds `staleContent`, under the takeover guard.
 * Exported for its test: a contender that read the stale lock late must not remove the lock
 * another contender has taken since.
 */
export function takeOver(file: string, guard: string, staleContent: string) {
  try {
    mkdirSync(guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    // Someone else is taking over; their guard is removed within milliseconds unless they died.
    if (Date.now() - mtimeMs(guard) > guardStaleMs) rmdirQuiet(guard);
    else sleep(25);
    return;
  }
  try {
    if (readLock(file) === staleContent) unlinkSync(file);
  } finally {
    rmdirQuiet(guard);
  }
}

function holding(file: string, content: string): FolderLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off("exit", release);
    if (readLock(file) === content) unlinkSync(file);
  };
  process.on("exit", release);
  return { file, release };
}

function describeThisProcess(): LockHolder {
  return {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    hostname: hostname(),
    command: commandLine(),
    since: new Date().toISOString(),
  };
}

/** What a person recognises: `pnpm dev` runs `…/tsx src/dev.ts`, db commands `…/tsx src/cli.ts retention …`. */
function commandLine(): string {
  const npmScript = process.env.npm_lifecycle_event;
  const args = process.argv.slice(1).map((a) => a.replace(/^.*\/(?=[^/]+\/[^/]+$)/, ""));
  return `${npmScript ? `pnpm ${npmScript}: ` : ""}${["node", ...args].join(" ")}`.slice(0, 300);
}

function isRunning(holder: LockHolder): boolean {
  // A lock from another machine (a shared folder) cannot be checked: treat it as held.
  if (holder.hostname !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const startTime = processStartTime(holder.pid);
  return startTime === null || holder.startTime === null || startTime === holder.startTime;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks after boot); null where there is no /proc. */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain spaces: count after the last ")".
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

function parseHolder(content: string): LockHolder | null {
  try {
    const holder = JSON.parse(content) as Partial<LockHolder>;
    return typeof holder.pid === "number" && typeof holder.command === "string" ? (holder as LockHolder) : null;
  } catch {
    return null;
  }
}

function readLock(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function rmdirQuiet(path: string) {
  try {
    rmdirSync(path);
  } catch {
    // already gone
  }
}

/** A short synchronous wait: only on the rare contended paths, never while a lock is held. */
function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
