/**
 * The agent's provider credential (`llmConfig.apiKey`) at rest: sealed with the keyring
 * (secrets.ts, AES-256-GCM) into `agents.llm_credential` as `{ kid, iv, ciphertext, hint }`, the
 * additional data binding it to its tenant and agent, so a ciphertext copied to another agent or
 * tenant does not open. Rows written before migration 0013 keep the plaintext in `llm_api_key`
 * until `pnpm secrets:reseal` seals it (apps/server/scripts/reseal-secrets.ts); reads show the
 * hint of either, and nothing but `openAgentCredential` (for the runner) ever opens it.
 */
import { agents, and, eq, gt, isNotNull, ne, or, type StoredToolSecret, sql, type Tx } from "@agent-builder/db";

import type { Caller } from "../auth";
import { PreconditionFailed } from "../domain-errors";
import { notFound } from "../errors";
import { type Keyring, SecretsError } from "../secrets";

/** A sealed credential as `llm_credential` holds it: the shape of a tool's secret. */
export type StoredAgentCredential = StoredToolSecret;

/** What a sealed credential is bound to: another tenant or agent cannot open it. */
function credentialContext(tenantId: string, agentId: string): string {
  return `agent-credential:${tenantId}:${agentId}`;
}

/**
 * What reads show: `…` and the last four characters of a key of 12 or more (only `…` for a
 * shorter one, which four characters would nearly give away). Counted in code points, as
 * Postgres' `length` and `right` count them, so a legacy row's hint (computed in SQL, below) is
 * the hint it keeps once sealed.
 */
export function credentialHint(apiKey: string): string {
  const characters = Array.from(apiKey);
  return characters.length >= 12 ? `…${characters.slice(-4).join("")}` : "…";
}

/** `apiKeyHint` of a row: the sealed value's hint, else the legacy plaintext's (the same rule as credentialHint), else null. */
export const apiKeyHintSql = sql<string | null>`coalesce(${agents.llmCredential}->>'hint', case
  when ${agents.llmApiKey} is null then null
  when length(${agents.llmApiKey}) >= 12 then '…' || right(${agents.llmApiKey}, 4)
  else '…' end)`;

export async function sealAgentCredential(
  keyring: Keyring,
  credential: { tenantId: string; agentId: string; apiKey: string },
): Promise<StoredAgentCredential> {
  const sealed = await keyring.seal(credential.apiKey, credentialContext(credential.tenantId, credential.agentId));
  return { ...sealed, hint: credentialHint(credential.apiKey) };
}

/**
 * The columns a credential write sets: a string is sealed (and any legacy plaintext dropped),
 * null clears both, undefined changes nothing. Without a keyring no credential can be written.
 */
export async function credentialColumns(
  keyring: Keyring | undefined,
  caller: Caller,
  agentId: string,
  apiKey: string | null | undefined,
): Promise<{ llmCredential?: StoredAgentCredential | null; llmApiKey?: null }> {
  if (apiKey === undefined) return {};
  if (apiKey === null) return { llmCredential: null, llmApiKey: null };
  if (!keyring) {
    throw new PreconditionFailed("this server stores no provider credentials: set SECRETS_KEYS (see the README, Configuration)");
  }
  return { llmCredential: await sealAgentCredential(keyring, { tenantId: caller.tenantId, agentId, apiKey }), llmApiKey: null };
}

/**
 * The plaintext credential, for the code that calls the provider (never for an API response):
 * null when the agent has none. A row not yet re-sealed gives its legacy plaintext. Throws
 * `SecretsError` when the sealed value does not open (another row's ciphertext, a removed key).
 */
export async function openAgentCredential(tx: Tx, caller: Caller, agentId: string, keyring: Keyring): Promise<string | null> {
  const [row] = await tx
    .select({ sealed: agents.llmCredential, legacy: agents.llmApiKey })
    .from(agents)
    .where(and(eq(agents.tenantId, caller.tenantId), eq(agents.id, agentId)));
  if (!row) throw notFound("agent", agentId);
  if (row.sealed) return keyring.open(row.sealed, credentialContext(caller.tenantId, agentId));
  return row.legacy ?? null;
}

export interface ResealBatch {
  /** Rows looked at (the batch's size, or fewer at the end). */
  scanned: number;
  /** Legacy plaintext sealed into `llm_credential` (and the plaintext nulled). */
  sealed: number;
  /** Sealed under another kid, now under the keyring's current one. */
  rotated: number;
  /** Sealed values that do not open with this keyring (left as they are). */
  failed: number;
  /** The last id looked at: the next batch starts after it. Null when there was nothing left. */
  lastId: string | null;
}

/**
 * One batch of the re-seal, in the tenant's scope (app role, inside one transaction): up to
 * `limit` of its agents after `afterId` (id order, so a row that fails is passed once, not
 * forever) that hold a plaintext credential or one sealed under a kid other than the current
 * one. The rows are locked (`for update`) so a concurrent `agents.update` waits or goes first;
 * the version does not move (nothing a caller set changed), the `updated_at` trigger still fires.
 */
export async function resealAgentCredentials(
  tx: Tx,
  tenantId: string,
  keyring: Keyring,
  options: { limit: number; afterId?: string },
): Promise<ResealBatch> {
  const rows = await tx
    .select({ id: agents.id, sealed: agents.llmCredential, legacy: agents.llmApiKey })
    .from(agents)
    .where(
      and(
        eq(agents.tenantId, tenantId),
        options.afterId === undefined ? undefined : gt(agents.id, options.afterId),
        or(isNotNull(agents.llmApiKey), ne(sql`${agents.llmCredential}->>'kid'`, keyring.currentKid)),
      ),
    )
    .orderBy(agents.id)
    .limit(options.limit)
    .for("update");
  const batch: ResealBatch = { scanned: rows.length, sealed: 0, rotated: 0, failed: 0, lastId: rows.at(-1)?.id ?? null };
  for (const row of rows) {
    let apiKey: string;
    if (row.sealed) {
      try {
        apiKey = await keyring.open(row.sealed, credentialContext(tenantId, row.id));
      } catch (error) {
        if (!(error instanceof SecretsError)) throw error;
        batch.failed++;
        continue;
      }
    } else if (row.legacy !== null) {
      apiKey = row.legacy;
    } else {
      continue;
    }
    const llmCredential = await sealAgentCredential(keyring, { tenantId, agentId: row.id, apiKey });
    await tx
      .update(agents)
      .set({ llmCredential, llmApiKey: null })
      .where(and(eq(agents.tenantId, tenantId), eq(agents.id, row.id)));
    if (row.sealed) batch.rotated++;
    else batch.sealed++;
  }
  return batch;
}
