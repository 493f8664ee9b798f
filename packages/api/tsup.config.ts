import { defineConfig } from "tsup";

// The API ships no JavaScript (apps bundle its TypeScript source). It emits ONE bundled
// declaration file, with the workspace packages it uses inlined, so the SDK's declarations
// can resolve AppRouter from it without any workspace source.
export default defineConfig({
  entry: { index: "src/index.ts" },
  dts: { only: true, resolve: [/^@agent-builder\//] },
  format: ["esm"],
  noExternal: [/^@agent-builder\//],
  clean: true,
});
