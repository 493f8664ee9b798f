import { health, type Health } from "@agent-builder/contracts";
import { queryRows, sql } from "@agent-builder/db";

import { publicProcedure } from "../trpc";

/** Public: is the database reachable, which version, how long one round trip took. */
export const healthProcedure = publicProcedure.output(health).query(async ({ ctx }): Promise<Health> => {
  const started = performance.now();
  try {
    const [row] = await queryRows<{ version: string }>(ctx.deps.db, sql`select current_setting('server_version') as version`);
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    return { status: "ok", database: { reachable: true, version: row?.version ?? null, latencyMs } };
  } catch {
    return { status: "degraded", database: { reachable: false, version: null, latencyMs: null } };
  }
});
