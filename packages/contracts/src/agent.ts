import { z } from "zod";

import { id, isoDateTime, page, pageInput, sortDirection, text } from "./common";
import { agentStatuses, limits, llmProviders } from "./domain";

/** Model settings as stored. The provider credential is not part of it: see `llmConfigInput`. */
export const llmConfig = z.strictObject({
  provider: z.enum(llmProviders),
  model: text(200, 1),
  temperature: z.number().min(0).max(2).optional(),
  maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
  topP: z.number().min(0).max(1).optional(),
  systemPrompt: text(100_000).optional(),
  stopSequences: z.array(text(200, 1)).max(16).optional(),
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional(),
});
export type LlmConfig = z.infer<typeof llmConfig>;

/**
 * What callers send: the stored settings plus an optional provider credential.
 * The credential is write-only: it is kept in its own column and no read ever returns it,
 * only `apiKeyHint` (its last four characters). `null` clears it; leaving it out keeps it.
 */
export const llmConfigInput = llmConfig.extend({
  apiKey: text(4096, 1).nullable().optional(),
});
export type LlmConfigInput = z.input<typeof llmConfigInput>;

const notebookIds = z
  .array(id)
  .max(limits.notebooksPerAgentMax)
  .refine((ids) => new Set(ids).size === ids.length, "notebook ids must be unique");

export const agentStatus = z.enum(agentStatuses);

export const createAgentInput = z.strictObject({
  name: text(255, 1),
  description: text(10_000).nullable().optional(),
  spaceId: id,
  /** Defaults to the caller. */
  ownerId: id.optional(),
  llmConfig: llmConfigInput,
  notebookIds: notebookIds.optional(),
  enableKnowledge: z.boolean().optional(),
  enableMemory: z.boolean().optional(),
});

/** A patch: only the fields present change. `expectedVersion` guards against lost updates. */
export const updateAgentInput = z
  .strictObject({
    id,
    expectedVersion: z.number().int().min(1),
    name: text(255, 1).optional(),
    description: text(10_000).nullable().optional(),
    spaceId: id.optional(),
    ownerId: id.optional(),
    llmConfig: llmConfigInput.optional(),
    notebookIds: notebookIds.optional(),
    enableKnowledge: z.boolean().optional(),
    enableMemory: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).some((key) => key !== "id" && key !== "expectedVersion"), {
    message: "nothing to update: send at least one field besides id and expectedVersion",
  });

export const setAgentStatusInput = z.strictObject({
  id,
  status: agentStatus,
  expectedVersion: z.number().int().min(1).optional(),
});

export const agentIdInput = z.strictObject({ id });

export const agentSortFields = ["createdAt", "updatedAt", "name", "lastExecutedAt"] as const;

export const listAgentsInput = z
  .strictObject({
    ...pageInput,
    status: z.union([agentStatus, z.array(agentStatus).min(1).max(agentStatuses.length)]).optional(),
    spaceId: id.optional(),
    ownerId: id.optional(),
    notebookId: id.optional(),
    /** Case-insensitive substring of the name. */
    search: text(255, 1).optional(),
    sortBy: z.enum(agentSortFields).default("createdAt"),
    sortDirection: sortDirection.default("desc"),
  })
  .default({ limit: limits.pageSizeDefault, sortBy: "createdAt", sortDirection: "desc" });

export const agentLifetimeStats = z.object({
  totalExecutions: z.number().int(),
  successfulExecutions: z.number().int(),
  failedExecutions: z.number().int(),
  cancelledExecutions: z.number().int(),
  totalTokens: z.number().int(),
  totalCostUsd: z.number(),
  avgResponseTimeMs: z.number().int().nullable(),
  lastExecutedAt: isoDateTime.nullable(),
});
export type AgentLifetimeStats = z.infer<typeof agentLifetimeStats>;

export const agent = z.object({
  id,
  name: z.string(),
  description: z.string().nullable(),
  status: agentStatus,
  ownerId: id,
  spaceId: id,
  llmConfig,
  /** Last four characters of the stored credential, e.g. `…4f2a`; null when none is set. */
  apiKeyHint: z.string().nullable(),
  notebookIds: z.array(id),
  enableKnowledge: z.boolean(),
  enableMemory: z.boolean(),
  version: z.number().int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  stats: agentLifetimeStats,
});
export type Agent = z.infer<typeof agent>;

export const agentPage = page(agent);

export const detachNotebookInput = z.strictObject({ notebookId: id });
export const detachNotebookResult = z.object({ notebookId: id, agentsUpdated: z.number().int() });
