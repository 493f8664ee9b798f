import {
  type CreateToolInput,
  codeProblems,
  type ListToolsInput,
  type Tool,
  type ToolType,
  type UpdateToolInput,
} from "@agent-builder/contracts";
import { and, arrayContains, asc, desc, eq, inArray, type SQL, type StoredToolSecret, sql, type Tx, tools } from "@agent-builder/db";

import type { Caller } from "../auth";
import { BadRequest, Conflict, type NotFound, PreconditionFailed } from "../domain-errors";
import { notFound } from "../errors";
import { checkParametersSchema } from "../json-schema";
import { decodeCursor, likePattern, toPage } from "../pagination";
import { type Keyring, secretHint } from "../secrets";
import "./constraints"; // this domain's constraint messages (errors.ts reads them)

/** What a tool without `parameters` takes: no arguments. */
const noArguments = { type: "object", properties: {} };

type ToolRow = typeof tools.$inferSelect;

/** Every column but the sealed secrets' ciphertexts: reads carry only the hints. */
const toolSelection = {
  id: tools.id,
  name: tools.name,
  description: tools.description,
  type: tools.type,
  parameters: tools.parameters,
  configuration: tools.configuration,
  secretHints: sql<
    Record<string, string>
  >`(select coalesce(jsonb_object_agg(s.key, s.value->>'hint'), '{}'::jsonb) from jsonb_each(${tools.secrets}) s)`,
  code: tools.code,
  language: tools.language,
  usageExamples: tools.usageExamples,
  tags: tools.tags,
  createdBy: tools.createdBy,
  version: tools.version,
  createdAt: tools.createdAt,
  updatedAt: tools.updatedAt,
};
type ToolReadRow = Omit<ToolRow, "secrets" | "tenantId"> & { secretHints: Record<string, string> };

function toTool(row: ToolReadRow): Tool {
  return {
    id: row.id,
    name: row.name,
    description: row.description ?? null,
    type: row.type,
    parameters: row.parameters,
    configuration: row.configuration,
    secrets: row.secretHints ?? {},
    code: row.code ?? null,
    language: row.language ?? null,
    usageExamples: row.usageExamples,
    tags: row.tags,
    createdBy: row.createdBy,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** What a sealed secret is bound to: another tenant, tool or name cannot open it. */
function secretContext(tenantId: string, toolId: string, name: string): string {
  return `tool-secret:${tenantId}:${toolId}:${name}`;
}

/**
 * One secret as a tool stores it: sealed for its tenant, tool and name, with the hint reads show.
 * Also what `pnpm dev` seals the demo tools' secrets with (seedDemoData's `sealToolSecret`).
 */
export async function sealToolSecret(
  keyring: Keyring,
  secret: { tenantId: string; toolId: string; name: string; value: string },
): Promise<StoredToolSecret> {
  const sealed = await keyring.seal(secret.value, secretContext(secret.tenantId, secret.toolId, secret.name));
  return { ...sealed, hint: secretHint(secret.value) };
}

/**
 * Applies a secrets patch to the stored ones: a string seals a new value, null removes it, a name
 * left out stays as it was. Without a keyring no secret can be written.
 */
async function sealSecrets(
  keyring: Keyring | undefined,
  caller: Caller,
  toolId: string,
  stored: Record<string, StoredToolSecret>,
  patch: Record<string, string | null>,
): Promise<Record<string, StoredToolSecret>> {
  const next = { ...stored };
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) {
      delete next[name];
      continue;
    }
    if (!keyring) throw new PreconditionFailed("this server stores no secrets: set SECRETS_KEYS (see the README, Configuration)");
    next[name] = await sealToolSecret(keyring, { tenantId: caller.tenantId, toolId, name, value });
  }
  return next;
}

/** The schema, and code and language against the type: what zod cannot check alone. */
function checkTool(type: ToolType, code: string | null, language: string | null, parameters: Record<string, unknown> | undefined) {
  const [problem] = codeProblems(type, code, language);
  if (problem) throw new BadRequest(`${problem.path.join(".")}: ${problem.message}`);
  if (parameters) checkParametersSchema(parameters);
}

export async function getTool(tx: Tx, caller: Caller, id: string): Promise<Tool> {
  const [row] = await tx
    .select(toolSelection)
    .from(tools)
    .where(and(eq(tools.tenantId, caller.tenantId), eq(tools.id, id)));
  if (!row) throw notFound("tool", id);
  return toTool(row);
}

export async function createTool(tx: Tx, caller: Caller, input: CreateToolInput, keyring: Keyring | undefined): Promise<Tool> {
  const parameters = input.parameters ?? noArguments;
  checkTool(input.type, input.code ?? null, input.language ?? null, parameters);
  const id = crypto.randomUUID();
  const secrets = await sealSecrets(keyring, caller, id, {}, input.secrets ?? {});
  await tx.insert(tools).values({
    id,
    tenantId: caller.tenantId,
    name: input.name,
    description: input.description ?? null,
    type: input.type,
    parameters,
    configuration: input.configuration ?? {},
    secrets,
    code: input.code ?? null,
    language: input.language ?? null,
    usageExamples: input.usageExamples ?? [],
    tags: input.tags ?? [],
    createdBy: caller.userId,
  });
  return getTool(tx, caller, id);
}

export async function updateTool(tx: Tx, caller: Caller, input: UpdateToolInput, keyring: Keyring | undefined): Promise<Tool> {
  const { id, expectedVersion, secrets: secretsPatch, ...fields } = input;
  const [current] = await tx
    .select({ type: tools.type, code: tools.code, language: tools.language, secrets: tools.secrets, version: tools.version })
    .from(tools)
    .where(and(eq(tools.tenantId, caller.tenantId), eq(tools.id, id)));
  if (!current) throw notFound("tool", id);
  if (current.version !== expectedVersion) throw versionConflict(id, current.version, expectedVersion);
  const type = fields.type ?? current.type;
  // Moving away from code drops code and language unless the patch sets them.
  const leavingCode = fields.type !== undefined && fields.type !== "code";
  const code = fields.code !== undefined ? fields.code : leavingCode ? null : current.code;
  const language = fields.language !== undefined ? fields.language : leavingCode ? null : current.language;
  checkTool(type, code, language, fields.parameters);
  const secrets = secretsPatch ? await sealSecrets(keyring, caller, id, current.secrets, secretsPatch) : undefined;
  const [updated] = await tx
    .update(tools)
    .set({
      ...fields,
      code,
      language,
      ...(secrets && { secrets }),
      version: sql`${tools.version} + 1`,
    })
    .where(and(eq(tools.tenantId, caller.tenantId), eq(tools.id, id), eq(tools.version, expectedVersion)))
    .returning({ id: tools.id });
  if (!updated) throw await versionMiss(tx, caller, id, expectedVersion);
  return getTool(tx, caller, id);
}

function versionConflict(id: string, current: number, expected: number): Conflict {
  return new Conflict(`tool ${id} is at version ${current}, not ${expected}: reload it and retry`);
}

/** Why a write guarded by `version = expected` matched no row: the tool is gone, or it moved on. */
async function versionMiss(tx: Tx, caller: Caller, id: string, expectedVersion: number): Promise<NotFound | Conflict> {
  const [current] = await tx
    .select({ version: tools.version })
    .from(tools)
    .where(and(eq(tools.tenantId, caller.tenantId), eq(tools.id, id)));
  if (!current) return notFound("tool", id);
  return versionConflict(id, current.version, expectedVersion);
}

export async function deleteTool(tx: Tx, caller: Caller, id: string): Promise<{ id: string }> {
  const [deleted] = await tx
    .delete(tools)
    .where(and(eq(tools.tenantId, caller.tenantId), eq(tools.id, id)))
    .returning({ id: tools.id });
  if (!deleted) throw notFound("tool", id);
  return deleted;
}

/**
 * A tool's secrets in plaintext, for the code that calls the tool (never for an API response).
 * Throws SecretsError when a value does not open with the keyring.
 */
export async function openToolSecrets(tx: Tx, caller: Caller, id: string, keyring: Keyring): Promise<Record<string, string>> {
  const [row] = await tx
    .select({ secrets: tools.secrets })
    .from(tools)
    .where(and(eq(tools.tenantId, caller.tenantId), eq(tools.id, id)));
  if (!row) throw notFound("tool", id);
  const opened: Record<string, string> = {};
  for (const [name, sealed] of Object.entries(row.secrets)) {
    opened[name] = await keyring.open(sealed, secretContext(caller.tenantId, id, name));
  }
  return opened;
}

function sortColumn(field: ListToolsInput["sortBy"]) {
  switch (field) {
    case "createdAt":
      return { expr: sql`${tools.createdAt}`, type: sql`timestamptz` };
    case "updatedAt":
      return { expr: sql`${tools.updatedAt}`, type: sql`timestamptz` };
    case "name":
      return { expr: sql`${tools.name}`, type: sql`text` };
  }
}

export async function listTools(tx: Tx, caller: Caller, input: ListToolsInput) {
  const ordering = `${input.sortBy}:${input.sortDirection}`;
  const sort = sortColumn(input.sortBy);
  const direction = input.sortDirection === "asc" ? asc : desc;
  const conditions: SQL[] = [eq(tools.tenantId, caller.tenantId)];
  if (input.type) conditions.push(inArray(tools.type, ([] as ToolType[]).concat(input.type)));
  if (input.tag) conditions.push(arrayContains(tools.tags, [input.tag]));
  if (input.search) conditions.push(sql`${tools.name} ilike ${likePattern(input.search)}`);
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, ordering);
    const after = input.sortDirection === "asc" ? sql`>` : sql`<`;
    conditions.push(sql`(${sort.expr}, ${tools.id}) ${after} (${cursor.v}::${sort.type}, ${cursor.id}::uuid)`);
  }
  const rows = await tx
    .select({ ...toolSelection, cursorKey: sql<string>`(${sort.expr})::text` })
    .from(tools)
    .where(and(...conditions))
    .orderBy(direction(sort.expr), direction(tools.id))
    .limit(input.limit + 1);
  return toPage(rows, input.limit, ordering, toTool);
}
