import { migrate } from "drizzle-orm/neon-serverless/migrator";

import type { DatabaseHandle } from "./database";
import { connectNeonEdge, type NeonOptions } from "./neon-edge";
import { migrationsFolder } from "./paths";
import { syncShippedPrices } from "./prices/sync";

/**
 * Neon's driver with migrations, from Node. The edge entry uses `connectNeonEdge` instead: the
 * migrator reads files, which an edge function cannot and never needs to.
 */
export function connectNeon(options: NeonOptions): DatabaseHandle {
  const handle = connectNeonEdge(options);
  return {
    ...handle,
    migrate: async () => {
      await migrate(handle.db, { migrationsFolder });
      await syncShippedPrices(handle.db);
    },
  };
}
