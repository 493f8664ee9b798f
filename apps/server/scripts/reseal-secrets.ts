/**
 * `pnpm secrets:reseal [--tenant T] [--batch N]`: seals the agents' plaintext provider credentials
 * and re-seals every secret (agents' credentials, tools' secrets) under the first key of
 * `SECRETS_KEYS` (src/secrets-reseal.ts). Targets DATABASE_URL when set, else the embedded PGlite
 * in .data/pglite (`PGLITE_DIR`), under its folder lock, as the `pnpm db:*` commands do: stop
 * `pnpm dev` first. Exit 1 when a value did not open (its key is missing from the keyring),
 * 2 for bad usage or configuration, 3 when the embedded database is in use.
 */
import { parseArgs } from "node:util";

import { createKeyring, SecretsError } from "@agent-builder/api";
import { DatabaseFolderLockedError, type DatabaseHandle, defaultPgliteDir, openDatabase } from "@agent-builder/db";

import { ResealConfigError, resealKeys, resealSecrets } from "../src/secrets-reseal";

const { values } = parseArgs({ options: { tenant: { type: "string" }, batch: { type: "string" } } });
const batchSize = values.batch === undefined ? undefined : Number(values.batch);
if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) {
  console.error("--batch must be a positive integer");
  process.exit(2);
}

let keyring: ReturnType<typeof createKeyring>;
let usingDevKey: boolean;
try {
  const config = resealKeys();
  keyring = createKeyring(config.keys);
  usingDevKey = config.usingDevKey;
} catch (error) {
  if (!(error instanceof ResealConfigError || error instanceof SecretsError)) throw error;
  console.error(`secrets:reseal: ${error.message}`);
  process.exit(2);
}

const url = process.env.DATABASE_URL || undefined;
const target = url ? url.replace(/\/\/[^@]*@/, "//***@") : `PGlite at ${defaultPgliteDir}`;
let handle: DatabaseHandle;
try {
  handle = await openDatabase({ url, dataDir: defaultPgliteDir });
} catch (error) {
  console.error(error instanceof DatabaseFolderLockedError ? error.message : `cannot open ${target}: ${String(error)}`);
  process.exit(error instanceof DatabaseFolderLockedError ? 3 : 1);
}

try {
  if (usingDevKey) console.log("SECRETS_KEYS unset: sealing with the public dev key (as pnpm dev does; refused in production)");
  const started = performance.now();
  const result = await resealSecrets(handle.db, keyring, { batchSize, tenantId: values.tenant });
  for (const t of result.tenants) {
    console.log(
      `${t.tenantId}: agents ${t.agentsSealed} sealed, ${t.agentsRotated} re-sealed, ${t.agentsFailed} failed; ` +
        `tools ${t.toolsRotated} re-sealed, ${t.toolsFailed} failed (${t.batches} ${t.batches === 1 ? "batch" : "batches"})`,
    );
  }
  console.log(
    `secrets:reseal on ${target} under kid ${result.kid}: ${result.agentsSealed} plaintext credentials sealed, ` +
      `${result.agentsRotated} credentials and ${result.toolsRotated} tools re-sealed, ` +
      `${result.agentsFailed + result.toolsFailed} failed, in ${Math.round(performance.now() - started)} ms`,
  );
  if (result.agentsFailed + result.toolsFailed > 0) {
    console.error("some values did not open with this keyring: add the key they were sealed with to SECRETS_KEYS and run again");
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`secrets:reseal on ${target} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await handle.close();
}
