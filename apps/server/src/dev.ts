/**
 * `pnpm dev`: the API on http://localhost:3000 backed by PGlite in .data/pglite (or the
 * Postgres in DATABASE_URL), migrated and seeded on first start. Prints tokens and a curl.
 */
import { createKeyring, devJwtSecret, mintToken, sealAgentCredential, sealToolSecret } from "@agent-builder/api";
import { demoTenants, seedDemoData } from "@agent-builder/db";

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
const started = performance.now();
const server = await startServer(config, {
  command: "pnpm dev",
  logger,
  prepare: async (database) => {
    await database.migrate();
    // The demo tools' secrets and agents' keys sealed with the server's keyring, as tools.create
    // and agents.create would, so the API opens them.
    const keyring = config.secretKeys && createKeyring(config.secretKeys);
    const seed = await seedDemoData(database.db, new Date(), {
      ...(keyring && {
        sealToolSecret: (secret) => sealToolSecret(keyring, secret),
        sealAgentCredential: (credential) => sealAgentCredential(keyring, credential),
      }),
    });
    if (seed.seeded) {
      console.log(
        `seeded demo data: ${seed.agents} agents, ${seed.executions} executions, ${seed.steps} steps, ` +
          `${seed.tools} tools (${seed.toolSecrets} secrets sealed, ${seed.toolAttachments} attached to agents)`,
      );
    }
  },
}).catch(exitOnStartupProblem);
stopping.serving(server);

const [acme] = demoTenants;
const member = acme?.users.find((u) => u.role === "member");
const admin = acme?.users.find((u) => u.role === "admin");
if (!acme || !member || !admin) throw new Error("the demo data has no member and admin in its first tenant");
const secret = config.auth.secret;

console.log(
  `\nAgent Builder API on ${server.url}/trpc (${server.database.driver}, ready in ${Math.round(performance.now() - started)} ms)`,
);
if (secret) {
  const memberToken = await mintToken(secret, { sub: member.id, tid: acme.id, role: "member" });
  const adminToken = await mintToken(secret, { sub: admin.id, tid: acme.id, role: "admin" });
  if (config.usingDevSecret) console.log(`\nAUTH_JWT_SECRET (dev default): ${devJwtSecret}`);
  if (config.usingDevSecretsKey) console.log("SECRETS_KEYS unset: tool secrets sealed with the public dev key (refused in production)");
  console.log(`\nDev token, ${member.displayName} (member of ${acme.id}), valid 12 h:\n${memberToken}`);
  console.log(`\nDev admin token, ${admin.displayName} (admin of ${acme.id}):\n${adminToken}`);
  console.log(`\nAdmin panel (run \`pnpm dev:admin\` too): http://localhost:5173/?token=${adminToken}`);
  console.log(`\nTry it:\n  curl -s ${server.url}/trpc/health`);
  console.log(`  curl -s -H "Authorization: Bearer ${memberToken}" '${server.url}/trpc/agents.list?input=%7B%22limit%22%3A3%7D'`);
  console.log(`\nMore tokens: pnpm -s dev:token --tenant globex --role service`);
  console.log(`\nOne line per request below (LOG_LEVEL=${config.logLevel}). Ctrl-C stops the server.\n`);
} else {
  console.log("AUTH_JWKS_URL is set: get tokens from your identity provider.");
}
