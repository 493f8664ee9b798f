import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  platform: "neutral",
  target: "es2022",
  clean: true,
  // Declarations: the API's types come from its own bundled declaration file
  // (packages/api/dist/index.d.ts, built first by turbo) and are inlined here, together with
  // the contracts they mention, so an app outside this workspace gets exact types.
  dts: {
    resolve: [/^@agent-builder\//],
    compilerOptions: {
      paths: {
        "@agent-builder/api": ["../api/dist/index.d.ts"],
        "@agent-builder/contracts": ["../contracts/dist/index.d.ts"],
      },
    },
  },
});
