import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  platform: "neutral",
  target: "es2022",
  clean: true,
  // Declarations: AppRouter and the contract types it mentions are compiled from the API's and
  // the contracts' TypeScript source and inlined, so the SDK builds on its own from a fresh
  // clone (nothing of the workspace needs to be built first) and an app outside this workspace
  // gets exact types. The paths send these two imports to source; every other package stays an
  // import and is tree-shaken away when unused (test/pack.test.ts fails if an
  // `@agent-builder/*` import is left in a packed declaration).
  dts: {
    compilerOptions: {
      paths: {
        "@agent-builder/api": ["../api/src/index.ts"],
        "@agent-builder/contracts": ["../contracts/src/index.ts"],
      },
    },
  },
});
