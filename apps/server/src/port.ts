/**
 * Binding the server's port, before anything slow happens (opening and seeding the database), and
 * explaining a busy one: which process holds it when the system says, and a free port to use.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";

/** Thrown when the port cannot be bound; the message is for a person, no stack trace needed. */
export class PortUnavailableError extends Error {
  override name = "PortUnavailableError";
}

/**
 * Listens on `port` (0: any free one) and resolves with the bound port. `command` is what the
 * person typed (`pnpm dev`), so the advice can be pasted back.
 */
export async function listenOn(server: Server, port: number, hostname: string, command: string): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, hostname, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new PortUnavailableError(await explainBusyPort(port, hostname, command));
    if (code === "EACCES") {
      throw new PortUnavailableError(`Port ${port} needs elevated privileges on this system. Use a port above 1023: PORT=3000 ${command}`);
    }
    if (code === "EADDRNOTAVAIL")
      throw new PortUnavailableError(`HOST=${hostname} is not an address of this machine. Try HOST=0.0.0.0 ${command}`);
    throw error;
  }
  const address = server.address();
  return typeof address === "object" && address ? address.port : port;
}

async function explainBusyPort(port: number, hostname: string, command: string): Promise<string> {
  const [holder, free] = await Promise.all([portHolder(port), freePortNear(port, hostname)]);
  const by = holder ? ` by ${holder}` : "";
  return [`Port ${port} is already in use${by}.`, `Stop that process, or start on another port: PORT=${free ?? 0} ${command}`].join("\n");
}

/** "pid 1234 (node src/dev.ts)", from ss (Linux) or lsof (macOS, BSDs); undefined when neither says. */
async function portHolder(port: number): Promise<string | undefined> {
  const fromSs = await run("ss", ["-Hltnp", `sport = :${port}`]);
  const pid =
    /pid=(\d+)/.exec(fromSs ?? "")?.[1] ??
    /^p(\d+)$/m.exec((await run("lsof", ["-nP", `-iTCP:${port}`, "-sTCP:LISTEN", "-Fp"])) ?? "")?.[1];
  if (!pid) return undefined;
  const commandLine = await commandOf(pid);
  return commandLine ? `pid ${pid} (${commandLine})` : `pid ${pid}`;
}

async function commandOf(pid: string): Promise<string | undefined> {
  const proc = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => undefined);
  const line = proc ? proc.split("\0").filter(Boolean).join(" ") : (await run("ps", ["-o", "command=", "-p", pid]))?.trim();
  return line ? line.slice(0, 160) : undefined;
}

/** Output of a short-lived system command, or undefined if it is missing, fails or hangs. */
function run(file: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 1_000, encoding: "utf8" }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}

/** The first of the next 20 ports that can be bound now. */
async function freePortNear(port: number, hostname: string): Promise<number | undefined> {
  for (let candidate = port + 1; candidate <= Math.min(port + 20, 65535); candidate++) {
    const probe = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      probe.once("error", () => resolve(false));
      probe.listen(candidate, hostname, () => resolve(true));
    });
    if (bound) {
      await new Promise((resolve) => probe.close(resolve));
      return candidate;
    }
  }
  return undefined;
}
