/** `pnpm --filter @agent-builder/server edge:size`: builds dist/edge/worker.js and prints its size. */
import { buildEdgeBundle, describeSize, edgeSizeLimitBytes } from "./edge-bundle";

const bundle = await buildEdgeBundle();
console.log(`${bundle.file}\n${describeSize(bundle)}`);
if (bundle.gzipBytes > edgeSizeLimitBytes) process.exitCode = 1;
