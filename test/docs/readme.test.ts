/**
 * The READMEs as a newcomer uses them, so they cannot drift from the code:
 * - every ```ts block compiles, strict, against the SDK an app installs;
 * - blocks tagged `run` (```sh run, ```ts run) run as written against a fresh `pnpm dev`
 *   (only its port differs: `localhost:3000` is pointed at the test's server);
 * - the sizes the README quotes are what the commands it names print.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { demoTenants } from "@agent-builder/db";

import { e2eSecret, type RunningApi, startApiServer } from "../support/api-server";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const readmes = ["README.md", "packages/sdk/README.md"];

interface CodeBlock {
  file: string;
  line: number;
  lang: string;
  tags: string[];
  code: string;
}

function codeBlocks(file: string): CodeBlock[] {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    // Fences may be indented (a block inside a list item): the indent is not part of the code.
    const open = /^( *)```(\w+)(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent = "", lang = "", info = ""] = open;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && lines[i] !== `${indent}\`\`\``) body.push(lines[i]!.slice(indent.length));
    blocks.push({ file, line: start + 1, lang, tags: info.trim().split(/\s+/).filter(Boolean), code: body.join("\n") });
  }
  return blocks;
}

const blocks = readmes.flatMap(codeBlocks);
const acme = demoTenants[0]!;
const member = acme.users.find((u) => u.role === "member")!;
const where = (b: CodeBlock) => `${b.file}:${b.line}`;

describe("the READMEs' code", () => {
  // Inside the workspace, so `@agent-builder/sdk` resolves as it does for a sibling app.
  const dir = join(root, ".data", `readme-${process.pid}`);
  let api: RunningApi;
  let port: string;

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    api = await startApiServer("pglite", { seed: true });
    port = new URL(api.url).port;
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("has TypeScript and runnable shell examples (the extraction finds them)", () => {
    expect(blocks.filter((b) => b.lang === "ts").length).toBeGreaterThanOrEqual(2);
    expect(blocks.filter((b) => b.lang === "sh" && b.tags.includes("run")).length).toBeGreaterThanOrEqual(1);
  });

  it("compiles every TypeScript block, strict, against the SDK", async () => {
    const files = blocks
      .filter((b) => b.lang === "ts")
      .map((b) => {
        const name = `${b.file.replace(/\W/g, "_")}_${b.line}.ts`;
        writeFileSync(join(dir, name), b.code);
        return name;
      });
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noUncheckedIndexedAccess: true,
          module: "ESNext",
          moduleResolution: "Bundler",
          moduleDetection: "force",
          target: "ES2022",
          lib: ["ES2022", "DOM", "ESNext.Disposable"],
          types: ["node"],
          typeRoots: [join(root, "node_modules/@types")],
          noEmit: true,
        },
        files,
      }),
    );
    const output = await run(process.execPath, [tsc, "-p", dir], { cwd: dir }).then(
      () => "",
      (error: { stdout: string }) => error.stdout,
    );
    expect(output).toBe("");
  }, 120_000);

  for (const block of blocks.filter((b) => b.tags.includes("run"))) {
    it(`runs ${block.lang} block at ${where(block)} against pnpm dev`, async () => {
      const env = {
        ...process.env,
        AUTH_JWT_SECRET: e2eSecret, // the test server's; `pnpm -s dev:token` signs with it
        AGENT_BUILDER_URL: api.url,
        AGENT_BUILDER_TOKEN: await api.token({ sub: member.id, tid: acme.id, role: "member" }),
        PGLITE_DIR: join(dir, "unused-pglite"),
        DATABASE_URL: "",
      };
      const code = block.code.replaceAll("localhost:3000", `localhost:${port}`);
      const result =
        block.lang === "sh"
          ? await run("bash", ["-euo", "pipefail", "-c", code], { cwd: root, env })
          : await run(process.execPath, ["--import", "tsx", writeBlock(dir, block, code)], { cwd: root, env });
      // Every curl answered with a tRPC result, none with an error.
      for (const line of result.stdout.split("\n").filter((l) => l.startsWith("{"))) {
        expect(JSON.parse(line), `${where(block)}: ${line}`).toHaveProperty("result");
      }
    }, 120_000);
  }
});

function writeBlock(dir: string, block: CodeBlock, code: string): string {
  const file = join(dir, `run_${block.line}.ts`);
  writeFileSync(file, code);
  return file;
}

describe("the figures the README quotes", () => {
  // Compared with line breaks as spaces: the figures may wrap.
  const readme = readFileSync(join(root, "README.md"), "utf8").replace(/\s+/g, " ");

  // The edge bundle moves with every change to the API, so the docs quote it "about", in whole kB,
  // and this holds them to within 1% of what the command prints now.
  it("edge bundle size: what `pnpm --filter @agent-builder/server edge:size` prints, to 1%", async () => {
    const { buildEdgeBundleInMemory, describeSize } = await import("../../apps/server/scripts/edge-bundle");
    const printed = describeSize(await buildEdgeBundleInMemory());
    const [, minified, gzipped] = /edge bundle: ([\d.]+) kB minified, ([\d.]+) kB gzipped/.exec(printed)!.map(Number);
    const deploy = readFileSync(join(root, "docs/deploy.md"), "utf8");
    const quoted = [
      ["README.md", /is about (\d+) kB minified, (\d+) kB gzipped/.exec(readme)],
      ["docs/deploy.md", /\| about (\d+) kB \| about (\d+) kB \|/.exec(deploy)],
    ] as const;
    for (const [file, match] of quoted) {
      expect(match, `${file} quotes the edge bundle as "about N kB"`).not.toBeNull();
      const [quotedMin, quotedGzip] = [Number(match![1]), Number(match![2])];
      const near = Math.abs(quotedMin - minified!) <= minified! / 100 && Math.abs(quotedGzip - gzipped!) <= gzipped! / 100;
      expect(near, `${file} should say about ${Math.round(minified!)} kB minified, ${Math.round(gzipped!)} kB gzipped (${printed})`).toBe(
        true,
      );
    }
  }, 120_000);

  it("SDK size: what `pnpm --filter @agent-builder/sdk size` prints", async () => {
    const { stdout } = await run("pnpm", ["-s", "--filter", "@agent-builder/sdk", "size"], { cwd: root });
    const [, ownMin, ownGzip] = /code only.*: ([\d.]+ kB) minified, ([\d.]+ kB) gzipped/.exec(stdout)!;
    const [, , allGzip] = /bundled: +([\d.]+ kB) minified, ([\d.]+ kB) gzipped/.exec(stdout)!;
    expectQuoted(readme, `${ownGzip} gzipped of our own code (${ownMin} minified)`);
    expectQuoted(readme, `${allGzip} gzipped with \`@trpc/client\` bundled in`);
  }, 120_000);
});

function expectQuoted(readme: string, figure: string) {
  expect(readme.includes(figure), `README.md should say "${figure}" (what the command prints now)`).toBe(true);
}
