import { fileURLToPath } from "node:url";

import { defineConfig, type Options } from "tsup";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The edge function as one minified IIFE for Vercel's edge-runtime emulator (tests) and the size
 * check. Resolved as Vercel's edge bundler resolves (export conditions edge-light, worker,
 * browser): @agent-builder/db is its Node-free entry, jose its Web Crypto build. Absolute paths,
 * so scripts/edge-bundle.ts can build it from any working directory.
 */
export const edgeBundle = {
  entry: { worker: here("src/edge-worker.ts") },
  outDir: here("dist/edge"),
  tsconfig: here("tsconfig.json"),
  format: ["iife"],
  outExtension: () => ({ js: ".js" }),
  platform: "browser",
  target: "es2022",
  noExternal: [/.*/],
  minify: true,
  clean: true,
  esbuildOptions(options) {
    options.conditions = ["edge-light", "worker", "browser"];
  },
} satisfies Options;

export default defineConfig(edgeBundle);
