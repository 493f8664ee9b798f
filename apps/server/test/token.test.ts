/** `pnpm -s dev:token` as a person types it: bad usage is explained, never a stack trace. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

const serverDir = fileURLToPath(new URL("..", import.meta.url));

function devToken(...args: string[]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", "src/token.ts", ...args], {
    cwd: serverDir,
    env: { ...process.env, AUTH_JWT_SECRET: "", AUTH_JWKS_URL: "" },
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const stackFrame = /^\s+at .+:\d+:\d+\)?$/m;

describe("dev:token", () => {
  it("prints a token", () => {
    const run = devToken("--tenant", "globex", "--role", "service", "--expires", "30m");
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it("prints the usage on --help, exit 0", () => {
    const run = devToken("--help");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Usage: pnpm -s dev:token/);
    expect(run.stdout).toContain("--expires D");
    expect(run.stderr).toBe("");
  });

  it.each([
    [["--expires", "soon"], /--expires must be a number and a unit \(30m, 12h, 7d\), got "soon"/],
    [["--tenant"], /Option '--tenant <value>' argument missing/],
    [["--role", "owner"], /--role must be one of member, service, admin, got "owner"/],
    [["--user", "nope"], /--user: /],
    [["--colour"], /Unknown option '--colour'/],
    [["acme"], /Unexpected argument 'acme'/],
  ])("explains %j with the usage, exit 2, no stack trace", (args, problem) => {
    const run = devToken(...args);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(problem);
    expect(run.stderr).toMatch(/^dev:token: /);
    expect(run.stderr).toContain("Usage: pnpm -s dev:token");
    expect(run.stderr).not.toMatch(stackFrame);
  });
});
