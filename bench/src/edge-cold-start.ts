/**
 * Edge cold start: the bundled edge handler (apps/server's tsup.edge.config, built in memory as
 * the edge test builds it) in Vercel's edge-runtime VM. Time from `new EdgeRuntime({ initialCode })`
 * to the first `health` response, then a warm second request; N fresh VMs. The database URL
 * points at a closed local port (as in apps/server/test/edge.test.ts), so health answers
 * "degraded" after one refused connection: VM + bundle evaluation + the request, no database time.
 */
import { EdgeRuntime } from "edge-runtime";

import { buildEdgeBundleInMemory } from "../../apps/server/scripts/edge-bundle";
import { banner, fmt, summarise } from "./lib";

const runs = Number(process.env.BENCH_EDGE_RUNS ?? 10);
/** As the edge test configures it: a database address that refuses at once, so health answers "degraded". */
const env = {
  DATABASE_URL: "postgres://nobody@127.0.0.1:9/none",
  NEON_WS_PROXY: "127.0.0.1:9",
  AUTH_JWT_SECRET: "bench-secret-that-is-long-enough-for-hs256!",
};

export async function edgeColdStartBench(): Promise<void> {
  banner(`Edge cold start: new EdgeRuntime -> first health response, then a warm one (N=${runs})`);
  const tBuild = performance.now();
  const { code, bytes, gzipBytes } = await buildEdgeBundleInMemory();
  console.log(`bundle built in ${fmt(performance.now() - tBuild)} ms: ${fmt(bytes / 1000, 1)} kB, ${fmt(gzipBytes / 1000, 1)} kB gzipped`);
  const cold: number[] = [];
  const warm: number[] = [];
  let status = "";
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const runtime = new EdgeRuntime({ initialCode: code, extend: (context) => Object.assign(context, { process: { env: { ...env } } }) });
    const first = await runtime.dispatchFetch("http://localhost/api/trpc/health", { method: "GET" });
    const body = await first.text();
    cold.push(performance.now() - t0);
    await first.waitUntil();
    const t1 = performance.now();
    const second = await runtime.dispatchFetch("http://localhost/api/trpc/health", { method: "GET" });
    await second.text();
    warm.push(performance.now() - t1);
    await second.waitUntil();
    status = `${first.status} ${body.slice(0, 120)}`;
  }
  const c = summarise(cold);
  const w = summarise(warm);
  console.log(
    `first response (VM + bundle evaluation + request): p50 ${fmt(c.p50, 1)} ms, p95 ${fmt(c.p95, 1)} ms, max ${fmt(c.max, 1)} ms`,
  );
  console.log(`warm second request: p50 ${fmt(w.p50, 2)} ms, p95 ${fmt(w.p95, 2)} ms`);
  console.log(`health answered: ${status}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await edgeColdStartBench();
}
