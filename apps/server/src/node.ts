/**
 * Production entry on Node: `pnpm build && pnpm start`. Migrations are a deploy step
 * (`pnpm db:migrate`), not part of start-up; with no DATABASE_URL the embedded PGlite is
 * migrated on start so a bare `pnpm start` still works.
 */
import { loadConfig, type ServerConfig } from "./config";
import { loggerFor } from "./logger";
import { exitOnStartupProblem, startServer, stopOnSignal } from "./server";

let config: ServerConfig;
try {
  config = loadConfig();
} catch (error) {
  exitOnStartupProblem(error);
}
const logger = loggerFor(config);
const stopping = stopOnSignal(logger);
const server = await startServer(config, {
  command: "pnpm start",
  logger,
  prepare: async (database) => {
    if (database.driver === "pglite") await database.migrate();
  },
}).catch(exitOnStartupProblem);
stopping.serving(server);
logger.info(`Agent Builder API on ${server.url}/trpc (${server.database.driver})`, {
  url: `${server.url}/trpc`,
  driver: server.database.driver,
});
