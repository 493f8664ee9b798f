import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

const sdkDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = join(sdkDir, "../..");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

/**
 * The SDK as another team installs it, built the way a fresh clone builds it: the repository's
 * files (as they are in the working tree, so uncommitted edits count) are copied to a
 * temporary folder, installed, and `pnpm pack` runs there with nothing built (its prepack builds
 * the SDK alone). The tarball is installed with npm into a project outside any workspace (no
 * workspace links, no source), strict code is typechecked against it and both module formats
 * are loaded.
 */
describe("the packed SDK, built from a fresh clone and installed outside the workspace", () => {
  let clone: string;
  let project: string;
  let builtBeforePack: string[];

  beforeAll(() => {
    clone = mkdtempSync(join(tmpdir(), "sdk-clone-"));
    // Tracked files plus new ones not yet added (not ignored ones: no node_modules, no dist), so a
    // change that adds a file is packed as it will be committed.
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot });
    for (const file of files.toString().split("\0").filter(Boolean)) {
      const from = join(repoRoot, file);
      if (!existsSync(from)) continue; // deleted in the working tree, not yet committed
      mkdirSync(dirname(join(clone, file)), { recursive: true });
      copyFileSync(from, join(clone, file));
    }
    execFileSync("pnpm", ["install", "--offline", "--frozen-lockfile"], { cwd: clone, stdio: "pipe" });
    builtBeforePack = ["apps", "packages"].flatMap((group) =>
      readdirSync(join(clone, group))
        .filter((name) => existsSync(join(clone, group, name, "dist")))
        .map((name) => `${group}/${name}/dist`),
    );

    project = mkdtempSync(join(tmpdir(), "sdk-consumer-"));
    execFileSync("pnpm", ["pack", "--pack-destination", project], { cwd: join(clone, "packages/sdk"), stdio: "pipe" });
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
  }, 240_000);
  afterAll(() => {
    for (const dir of [clone, project]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("was packed from a clone in which nothing was built", () => {
    expect(builtBeforePack).toEqual([]);
  });

  it("depends on @trpc/client and @trpc/server only: no server code, ORM or validator", () => {
    const manifest = JSON.parse(readFileSync(join(project, "node_modules/@agent-builder/sdk/package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["@trpc/client", "@trpc/server"]);
    const installed = readdirSync(join(project, "node_modules")).filter((n) => !n.startsWith("."));
    // npm also installs tRPC's optional peers (typescript); nothing of the server side may appear.
    for (const serverSide of ["drizzle-orm", "zod", "pg", "@electric-sql", "jose", "@neondatabase"])
      expect(installed).not.toContain(serverSide);
    expect(readdirSync(join(project, "node_modules/@agent-builder/sdk/dist")).sort()).toEqual([
      "index.cjs",
      "index.d.cts",
      "index.d.ts",
      "index.js",
    ]);
  });

  it("declarations import no workspace package: every type is inlined", () => {
    // Such an import is `any` for a consumer with skipLibCheck, and TS2307 without it.
    const packageDir = join(project, "node_modules/@agent-builder/sdk");
    const declarations = readdirSync(packageDir, { recursive: true, encoding: "utf8" }).filter((f) => /\.d\.[cm]?ts$/.test(f));
    expect(declarations.sort()).toEqual(["dist/index.d.cts", "dist/index.d.ts"]);
    const specifier =
      /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*|<reference\s+types\s*=\s*)["'](@agent-builder\/[^"']*)["']/g;
    const workspaceImports = declarations.flatMap((file) =>
      [...readFileSync(join(packageDir, file), "utf8").matchAll(specifier)].map((match) => `${file}: ${match[1]}`),
    );
    expect(workspaceImports).toEqual([]);
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
    const esm = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "const m = await import('@agent-builder/sdk'); console.log(typeof m.createAgentBuilderClient, typeof m.isApiError)",
      ],
      { cwd: project },
    );
    expect(String(esm).trim()).toBe("function function");
    const cjs = execFileSync(
      process.execPath,
      ["-e", "const m = require('@agent-builder/sdk'); console.log(typeof m.createAgentBuilderClient)"],
      { cwd: project },
    );
    expect(String(cjs).trim()).toBe("function");
  });
});
