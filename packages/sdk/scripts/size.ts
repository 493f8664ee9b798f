/**
 * `pnpm --filter @agent-builder/sdk size`: what the SDK adds to an app, minified and gzipped.
 * Bundles the built ESM entry twice with esbuild: once with @trpc/client left external (our
 * own code), once with it included (what a browser bundle pays in all).
 */

import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import { build } from "esbuild";

const entry = fileURLToPath(new URL("../dist/index.js", import.meta.url));

async function measure(external: string[]) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    external,
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error("esbuild wrote no bundle");
  const code = output.contents;
  return { min: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

const own = await measure(["@trpc/client", "@trpc/server", "@trpc/server/*"]);
const total = await measure([]);
const kb = (n: number) => `${(n / 1024).toFixed(2)} kB`;
console.log(`SDK code only (@trpc/client external): ${kb(own.min)} minified, ${kb(own.gzip)} gzipped`);
console.log(`SDK with @trpc/client bundled:         ${kb(total.min)} minified, ${kb(total.gzip)} gzipped`);
console.log(`target: under 8 kB gzipped of our own code -> ${own.gzip < 8 * 1024 ? "met" : "NOT met"}`);
