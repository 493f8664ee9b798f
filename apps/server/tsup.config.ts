import { defineConfig } from "tsup";

// Bundles the Node entry with the workspace packages (they ship TypeScript source);
// npm dependencies stay external and come from node_modules.
export default defineConfig({
  entry: { node: "src/node.ts" },
  format: ["esm"],
  platform: "node",
  target: "node20",
  noExternal: [/^@agent-builder\//],
  clean: true,
});
