/**
 * `pnpm secrets:reseal`: brings every secret at rest under the keyring's current key.
 * - Agents' provider credentials still in plaintext (`agents.llm_api_key`, rows written before
 *   migration 0013) are sealed into `llm_credential` and the plaintext is nulled.
 * - Agents' credentials and tools' secrets sealed under another kid (a key rotation:
 *   `SECRETS_KEYS=new:…,old:…`) are opened with the old key and sealed with the new one; the old
 *   key can then be removed.
 * Tenant by tenant, in batches, each batch one transaction as the tenant's app role (under RLS).
 * Idempotent: a second run finds nothing to do. A value that does not open (its key is not in the
 * keyring) is counted as failed and left as it is.
 *
 * Lives in apps/server because it needs both the keyring (packages/api) and a database handle
 * (packages/db); scripts/reseal-secrets.ts is the command.
 */
import {
  devSecretKeys,
  devSecretsKey,
  type Keyring,
  parseSecretKeys,
  resealAgentCredentials,
  resealToolSecrets,
  type SecretKey,
} from "@agent-builder/api";
import { type Database, queryRows, sql, withStaff, withTenant } from "@agent-builder/db";

export interface TenantReseal {
  tenantId: string;
  /** Plaintext credentials sealed. */
  agentsSealed: number;
  /** Credentials moved from an old kid to the current one. */
  agentsRotated: number;
  agentsFailed: number;
  /** Tools whose secrets moved to the current kid. */
  toolsRotated: number;
  toolsFailed: number;
  batches: number;
}

export interface ResealResult {
  kid: string;
  tenants: TenantReseal[];
  agentsSealed: number;
  agentsRotated: number;
  agentsFailed: number;
  toolsRotated: number;
  toolsFailed: number;
}

export interface ResealOptions {
  /** Rows per batch (one transaction). */
  batchSize?: number;
  /** Only this tenant; default every tenant. */
  tenantId?: string;
  onBatch?: (tenant: TenantReseal) => void;
}

export const defaultResealBatchSize = 200;

export async function resealSecrets(db: Database, keyring: Keyring, options: ResealOptions = {}): Promise<ResealResult> {
  const limit = options.batchSize ?? defaultResealBatchSize;
  // Staff reads every tenant's row; the rewrites then run in each tenant's own scope.
  const tenantIds = await withStaff(db, async (tx) =>
    (
      await queryRows<{ id: string }>(
        tx,
        sql`select id from tenants where ${options.tenantId === undefined ? sql`true` : sql`id = ${options.tenantId}`} order by id`,
      )
    ).map((r) => r.id),
  );
  const result: ResealResult = {
    kid: keyring.currentKid,
    tenants: [],
    agentsSealed: 0,
    agentsRotated: 0,
    agentsFailed: 0,
    toolsRotated: 0,
    toolsFailed: 0,
  };
  for (const tenantId of tenantIds) {
    const tenant: TenantReseal = {
      tenantId,
      agentsSealed: 0,
      agentsRotated: 0,
      agentsFailed: 0,
      toolsRotated: 0,
      toolsFailed: 0,
      batches: 0,
    };
    let afterId: string | undefined;
    for (;;) {
      const batch = await withTenant(db, tenantId, (tx) => resealAgentCredentials(tx, tenantId, keyring, { limit, afterId }));
      if (batch.scanned === 0) break;
      tenant.batches++;
      tenant.agentsSealed += batch.sealed;
      tenant.agentsRotated += batch.rotated;
      tenant.agentsFailed += batch.failed;
      options.onBatch?.(tenant);
      if (batch.scanned < limit || batch.lastId === null) break;
      afterId = batch.lastId;
    }
    afterId = undefined;
    for (;;) {
      const batch = await withTenant(db, tenantId, (tx) => resealToolSecrets(tx, tenantId, keyring, { limit, afterId }));
      if (batch.scanned === 0) break;
      tenant.batches++;
      tenant.toolsRotated += batch.rotated;
      tenant.toolsFailed += batch.failed;
      options.onBatch?.(tenant);
      if (batch.scanned < limit || batch.lastId === null) break;
      afterId = batch.lastId;
    }
    if (tenant.batches === 0) continue;
    result.tenants.push(tenant);
    result.agentsSealed += tenant.agentsSealed;
    result.agentsRotated += tenant.agentsRotated;
    result.agentsFailed += tenant.agentsFailed;
    result.toolsRotated += tenant.toolsRotated;
    result.toolsFailed += tenant.toolsFailed;
  }
  return result;
}

/** A setting the command cannot work with; its message says which. */
export class ResealConfigError extends Error {
  override name = "ResealConfigError";
}

/**
 * The keys, read as the server reads them (apps/server/src/config.ts): `SECRETS_KEYS` or
 * `SECRETS_KEY`; outside production the public dev key when neither is set (what `pnpm dev`
 * sealed with); in production none is an error, and so is the dev key.
 */
export function resealKeys(env: NodeJS.ProcessEnv = process.env): { keys: SecretKey[]; usingDevKey: boolean } {
  const production = env.NODE_ENV === "production";
  const keys = parseSecretKeys(env);
  const devKey = devSecretKeys()[0]?.key.join(",");
  if (production && keys?.some((k) => k.key.join(",") === devKey)) {
    throw new ResealConfigError(`NODE_ENV=production refuses the dev secrets key (${devSecretsKey.slice(0, 6)}…): it is public`);
  }
  if (keys) return { keys, usingDevKey: false };
  if (production) throw new ResealConfigError("set SECRETS_KEYS (kid:base64,…): the first key is the one values are sealed under");
  return { keys: devSecretKeys(), usingDevKey: true };
}
