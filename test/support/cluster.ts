/**
 * A throwaway PostgreSQL cluster for fault tests: its own data directory in a temp folder, its
 * own free TCP port on 127.0.0.1, its unix socket in that folder. Tests may stop and start it at
 * will; the shared server on port 5432 is never touched.
 *
 * Uses the Debian PostgreSQL binaries (/usr/lib/postgresql/<version>/bin, newest version found).
 * initdb refuses to run as root, so as root every binary runs as the `postgres` OS user
 * (`runuser -u postgres --`) and the temp folder is handed to that user.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type StopMode = "smart" | "fast" | "immediate";

export interface ThrowawayCluster {
  /** Superuser (`postgres`, trust auth) connection string to the `postgres` database. */
  url: string;
  /** The same server, another database. */
  urlFor(database: string): string;
  port: number;
  /** PostgreSQL major version of the binaries used, e.g. "15". */
  version: string;
  /** Milliseconds that initdb and the first start took. */
  initMs: number;
  startMs: number;
  /** Whether the last stop()/start() left it running. */
  readonly running: boolean;
  /** `pg_ctl stop -m <mode>` (default fast), waiting until the server is down. */
  stop(mode?: StopMode): Promise<void>;
  /** `pg_ctl start`, waiting until it accepts connections; same port as before. */
  start(): Promise<void>;
  /** Stops it (immediate) if running and deletes its folder. */
  destroy(): Promise<void>;
}

const sharedPort = 5432;
const live = new Set<{ pgCtl: string[]; dataDir: string; dir: string }>();

/**
 * If the test process is killed (a cancelled run, a worker terminated by a signal), neither
 * afterAll nor an 'exit' handler runs. A detached shell polls the process and, once it is gone,
 * stops the cluster and deletes its folder.
 */
function startWatchdog(pgCtl: string[], dataDir: string, dir: string): ChildProcess {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const stop = [...pgCtl, "stop", "-D", dataDir, "-m", "immediate", "-w"].map(quote).join(" ");
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${stop} >/dev/null 2>&1; rm -rf ${quote(dir)}`;
  const watchdog = spawn("sh", ["-c", script], { detached: true, stdio: "ignore" });
  watchdog.unref();
  return watchdog;
}

/** Last resort if a test process ends without destroy(): no cluster outlives it. */
process.once("exit", () => {
  for (const cluster of live) {
    try {
      execFileSync(cluster.pgCtl[0]!, [...cluster.pgCtl.slice(1), "stop", "-D", cluster.dataDir, "-m", "immediate", "-w"], {
        stdio: "ignore",
      });
    } catch {
      // already stopped
    }
    rmSync(cluster.dir, { recursive: true, force: true });
  }
});

export function postgresBinDir(): { dir: string; version: string } {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")) && existsSync(join(root, v, "bin", "pg_ctl")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions.length) throw new Error(`no PostgreSQL binaries (initdb, pg_ctl) under ${root}/<version>/bin`);
  return { dir: join(root, versions[0]!, "bin"), version: versions[0]! };
}

function run(command: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command[0]!, command.slice(1), { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line) throw new Error("running as root needs the `postgres` OS user (Debian's postgresql package creates it)");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startThrowawayCluster(options: { settings?: Record<string, string> } = {}): Promise<ThrowawayCluster> {
  const { dir: bin, version } = postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const prefix = asRoot ? ["runuser", "-u", "postgres", "--"] : [];
  const pgCtl = [...prefix, join(bin, "pg_ctl")];

  const dir = mkdtempSync(join(tmpdir(), "agent-builder-pg-"));
  chmodSync(dir, 0o700);
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  const dataDir = join(dir, "data");
  const logFile = join(dir, "postgres.log");
  const entry = { pgCtl, dataDir, dir };
  live.add(entry);

  let port = 0;
  let running = false;
  const settings: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    unix_socket_directories: dir,
    fsync: "off", // only the server process is ever killed, never the machine
    full_page_writes: "off",
    max_connections: "60",
    ...options.settings,
  };
  const start = async () => {
    const flags = [`-p ${port}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(" ");
    await run([...pgCtl, "start", "-D", dataDir, "-w", "-t", "60", "-l", logFile, "-o", flags], dir);
    running = true;
  };

  try {
    const initStarted = performance.now();
    await run(
      [...prefix, join(bin, "initdb"), "-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
      dir,
    );
    const initMs = performance.now() - initStarted;

    const startStarted = performance.now();
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      if (port === sharedPort) continue;
      try {
        await start();
        break;
      } catch (error) {
        // Someone took the port between the probe and the start: try another one.
        if (attempt >= 3) throw new Error(`${(error as Error).message}\n${existsSync(logFile) ? readFileSync(logFile, "utf8") : ""}`);
      }
    }
    const startMs = performance.now() - startStarted;
    const watchdog = startWatchdog(pgCtl, dataDir, dir);

    const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
    return {
      url: urlFor("postgres"),
      urlFor,
      port,
      version,
      initMs,
      startMs,
      get running() {
        return running;
      },
      stop: async (mode: StopMode = "fast") => {
        await run([...pgCtl, "stop", "-D", dataDir, "-m", mode, "-w", "-t", "60"], dir);
        running = false;
      },
      start,
      destroy: async () => {
        watchdog.kill();
        if (running) await run([...pgCtl, "stop", "-D", dataDir, "-m", "immediate", "-w"], dir).catch(() => undefined);
        running = false;
        live.delete(entry);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    live.delete(entry);
    if (running) await run([...pgCtl, "stop", "-D", dataDir, "-m", "immediate", "-w"], dir).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
