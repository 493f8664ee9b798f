/**
 * Production entry on Node: `pnpm build && pnpm start`. Migrations are a deploy step
 * (`pnpm db:migrate`), not part of start-up; with no DATABASE_URL the embedded PGlite is
 * migrated on start so a bare `pnpm start` still works.
 */
import { loadConfig } from "./config";
import { closeOnSignal, startServer } from "./server";

const config = loadConfig();
const server = await startServer(config, async (database) => {
  if (database.driver === "pglite") await database.migrate();
});
closeOnSignal(server);
console.log(`Agent Builder API on ${server.url}/trpc (${server.database.driver})`);
