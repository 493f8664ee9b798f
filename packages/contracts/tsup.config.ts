import { defineConfig } from "tsup";

// Apps import the TypeScript source; this single declaration file exists for the SDK's
// bundled declarations, which inline the contract types the API's procedures mention.
export default defineConfig({
  entry: { index: "src/index.ts" },
  dts: { only: true },
  format: ["esm"],
  clean: true,
});
