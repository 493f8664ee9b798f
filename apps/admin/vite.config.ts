import react from "@vitejs/plugin-react";
import { defineConfig, type ProxyOptions } from "vite";

/**
 * `pnpm dev:admin`: the panel on http://localhost:5173 with `/trpc` proxied to the API that
 * `pnpm dev` runs (AGENT_BUILDER_API_URL, default http://localhost:3000). Same origin for the
 * browser, so the API needs no CORS setting. `vite preview` proxies the same way.
 */
const apiProxy: Record<string, ProxyOptions> = {
  "/trpc": { target: process.env.AGENT_BUILDER_API_URL ?? "http://localhost:3000", changeOrigin: true },
};

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true, proxy: apiProxy },
  preview: { port: 4173, proxy: apiProxy },
  build: {
    // One chunk for a small internal app; recharts and react make it larger than Vite's default warning.
    chunkSizeWarningLimit: 1024,
    sourcemap: true,
    rolldownOptions: {
      treeshake: {
        // The panel takes domain constants (status transitions) from @agent-builder/contracts. Its
        // modules only declare schemas and constants, but the bundler cannot know that the
        // top-level zod calls are pure, and would keep all of zod: saying so here drops them.
        moduleSideEffects: (id) => (/[\\/]packages[\\/]contracts[\\/]/.test(id) ? false : undefined),
      },
    },
  },
});
