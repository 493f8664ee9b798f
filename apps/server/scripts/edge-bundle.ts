/**
 * Builds the edge bundle (tsup.edge.config.ts) and measures it. The edge test builds through
 * here, so it always runs the current source; `pnpm --filter @agent-builder/server edge:size`
 * prints the numbers.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

import { build } from "tsup";

import { edgeBundle } from "../tsup.edge.config";

/** Vercel's edge function limit after gzip on Hobby (Pro: 2 MB, Enterprise: 4 MB), read as decimal MB. */
export const edgeSizeLimitBytes = 1_000_000;

export interface EdgeBundle {
  code: string;
  bytes: number;
  gzipBytes: number;
}

/** Builds dist/edge/worker.js (what `pnpm build` makes too). */
export async function buildEdgeBundle(): Promise<EdgeBundle & { file: string }> {
  await build({ ...edgeBundle, config: false, silent: true });
  const file = join(edgeBundle.outDir, "worker.js");
  return { file, ...measure(readFileSync(file, "utf8")) };
}

/** Builds into a temporary folder and removes it: tests never race `pnpm build` or each other. */
export async function buildEdgeBundleInMemory(): Promise<EdgeBundle> {
  const outDir = mkdtempSync(join(tmpdir(), "agent-builder-edge-"));
  try {
    await build({ ...edgeBundle, outDir, config: false, silent: true });
    return measure(readFileSync(join(outDir, "worker.js"), "utf8"));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

function measure(code: string): EdgeBundle {
  return { code, bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code).byteLength };
}

export function describeSize(bundle: EdgeBundle): string {
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
  const share = ((bundle.gzipBytes / edgeSizeLimitBytes) * 100).toFixed(0);
  return `edge bundle: ${kb(bundle.bytes)} minified, ${kb(bundle.gzipBytes)} gzipped (${share}% of Vercel Hobby's 1 MB edge limit)`;
}
