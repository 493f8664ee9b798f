import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

const sdkDir = fileURLToPath(new URL("..", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

/**
 * The SDK as another team installs it: `pnpm pack`, installed with npm into a project outside
 * this workspace (no workspace links, no source), then strict code is typechecked against it
 * and both module formats are loaded.
 */
describe("the packed SDK, installed outside the workspace", () => {
  let project: string;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), "sdk-consumer-"));
    execFileSync("pnpm", ["pack", "--pack-destination", project], { cwd: sdkDir, stdio: "pipe" });
    const tarball = readdirSync(project).find((f) => f.endsWith(".tgz"))!;
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module", dependencies: { "@agent-builder/sdk": `file:./${tarball}` } }),
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: false, // the SDK's own declarations must check too
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          // tRPC's own declarations use Disposable / AsyncDisposable.
          lib: ["ES2022", "DOM", "ESNext.Disposable"],
          noEmit: true,
          noUnusedLocals: false,
        },
        files: ["consumer.ts"],
      }),
    );
    mkdirSync(join(project, "node_modules"), { recursive: true });
    copyFileSync(join(sdkDir, "test/consumer/consumer.ts"), join(project, "consumer.ts"));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], { cwd: project, stdio: "pipe" });
  }, 180_000);
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it("depends on @trpc/client and @trpc/server only: no server code, ORM or validator", () => {
    const manifest = JSON.parse(readFileSync(join(project, "node_modules/@agent-builder/sdk/package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["@trpc/client", "@trpc/server"]);
    const installed = readdirSync(join(project, "node_modules")).filter((n) => !n.startsWith("."));
    // npm also installs tRPC's optional peers (typescript); nothing of the server side may appear.
    for (const serverSide of ["drizzle-orm", "zod", "pg", "@electric-sql", "jose", "@neondatabase"]) expect(installed).not.toContain(serverSide);
    expect(readdirSync(join(project, "node_modules/@agent-builder/sdk/dist")).sort()).toEqual([
      "index.cjs",
      "index.d.cts",
      "index.d.ts",
      "index.js",
    ]);
  });

  it("typechecks strict code calling every namespace, and rejects wrong inputs", () => {
    let output = "";
    try {
      execFileSync(process.execPath, [tsc, "-p", project], { cwd: project, stdio: "pipe" });
    } catch (error) {
      output = String((error as { stdout?: Buffer }).stdout ?? error);
    }
    expect(output).toBe("");
  });

  it("loads as ESM and as CommonJS", () => {
    const esm = execFileSync(process.execPath, ["--input-type=module", "-e", "const m = await import('@agent-builder/sdk'); console.log(typeof m.createAgentBuilderClient, typeof m.isApiError)"], { cwd: project });
    expect(String(esm).trim()).toBe("function function");
    const cjs = execFileSync(process.execPath, ["-e", "const m = require('@agent-builder/sdk'); console.log(typeof m.createAgentBuilderClient)"], { cwd: project });
    expect(String(cjs).trim()).toBe("function");
  });
});
