/**
 * Re-sealing tools' secrets under the keyring's current key (`pnpm secrets:reseal`, after a key
 * was added in front of `SECRETS_KEYS`): every value sealed under another kid is opened and sealed
 * again, with the same additional data and hint (sealToolSecret), so reads and the tool's caller
 * see no difference and the old key can then be removed.
 */
import { and, eq, gt, type StoredToolSecret, sql, type Tx, tools } from "@agent-builder/db";

import { type Keyring, SecretsError } from "../secrets";
import { openToolSecrets, sealToolSecret } from "./service";

export interface ToolResealBatch {
  /** Tools looked at: those with at least one secret under another kid. */
  scanned: number;
  /** Tools whose secrets are now all under the current kid. */
  rotated: number;
  /** Tools with a secret that does not open with this keyring (left as they are). */
  failed: number;
  /** The last id looked at: the next batch starts after it. Null when there was nothing left. */
  lastId: string | null;
}

/**
 * One batch, in the tenant's scope (app role, one transaction): up to `limit` of its tools after
 * `afterId` (id order: a tool that fails is passed once) holding a secret sealed under a kid other
 * than the current one, locked while they are rewritten. The version does not move.
 */
export async function resealToolSecrets(
  tx: Tx,
  tenantId: string,
  keyring: Keyring,
  options: { limit: number; afterId?: string },
): Promise<ToolResealBatch> {
  const rows = await tx
    .select({ id: tools.id })
    .from(tools)
    .where(
      and(
        eq(tools.tenantId, tenantId),
        options.afterId === undefined ? undefined : gt(tools.id, options.afterId),
        sql`exists (select 1 from jsonb_each(${tools.secrets}) s where s.value->>'kid' is distinct from ${keyring.currentKid})`,
      ),
    )
    .orderBy(tools.id)
    .limit(options.limit)
    .for("update");
  const batch: ToolResealBatch = { scanned: rows.length, rotated: 0, failed: 0, lastId: rows.at(-1)?.id ?? null };
  // openToolSecrets reads as a caller of the tenant; the maintenance command has no user, and the
  // opener uses only the tenant.
  const caller = { tenantId, userId: "00000000-0000-0000-0000-000000000000", role: "service" } as const;
  for (const row of rows) {
    let opened: Record<string, string>;
    try {
      opened = await openToolSecrets(tx, caller, row.id, keyring);
    } catch (error) {
      if (!(error instanceof SecretsError)) throw error;
      batch.failed++;
      continue;
    }
    const secrets: Record<string, StoredToolSecret> = {};
    for (const [name, value] of Object.entries(opened)) {
      secrets[name] = await sealToolSecret(keyring, { tenantId, toolId: row.id, name, value });
    }
    await tx
      .update(tools)
      .set({ secrets })
      .where(and(eq(tools.tenantId, tenantId), eq(tools.id, row.id)));
    batch.rotated++;
  }
  return batch;
}
