import { z } from "zod";

import {
  idSchema,
  isoDateTimeSchema,
  labelSchema,
  pageInput,
  pageSchema,
  sortDirectionSchema,
  tagSchema,
  tagsSchema,
  textSchema,
} from "./common";
import { agentStatuses, limits, llmProviders } from "./domain";
import { agentToolSchema } from "./tool";

/** Model settings as stored. The provider credential is not part of it: see `llmConfigInput`. */
export const llmConfigSchema = z.strictObject({
  provider: z.enum(llmProviders),
  model: textSchema(200, 1),
  temperature: z.number().min(0).max(2).optional(),
  maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
  topP: z.number().min(0).max(1).optional(),
  systemPrompt: textSchema(100_000).optional(),
  stopSequences: z.array(textSchema(200, 1)).max(16).optional(),
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional(),
});
export type LlmConfig = z.infer<typeof llmConfigSchema>;

/**
 * What callers send: the stored settings plus an optional provider credential.
 * The credential is write-only: it is sealed (encrypted with the server's keyring) in its own
 * column and no read ever returns it, only `apiKeyHint` (`…` and its last four characters, or `…`
 * alone for a key shorter than 12). `null` clears it; leaving it out keeps it. A server without
 * a keyring refuses to store one (PRECONDITION_FAILED).
 */
export const llmConfigInput = llmConfigSchema.extend({
  apiKey: textSchema(4096, 1).nullable().optional(),
});
export type LlmConfigInput = z.input<typeof llmConfigInput>;

const notebookIds = z
  .array(idSchema)
  .max(limits.notebooksPerAgentMax)
  .refine((ids) => new Set(ids).size === ids.length, "notebook ids must be unique");

export const agentStatusSchema = z.enum(agentStatuses);

export const agentCategorySchema = labelSchema("a category", limits.agentCategoryMax);

const maxIterations = z
  .number()
  .int("maxIterations must be a whole number")
  .min(limits.agentMaxIterationsMin, `maxIterations must be at least ${limits.agentMaxIterationsMin}`)
  .max(limits.agentMaxIterationsMax, `maxIterations must be at most ${limits.agentMaxIterationsMax}`);

/**
 * The agent's persona and behaviour, as CrewAI names them (`role`, `goal`, `backstory`, `verbose`,
 * `allow_delegation`, `reasoning`, `max_iter`), plus a category and tags to find agents by.
 * On create every field is optional (`null` persona, flags off, `maxIterations` 25, no category, no tags);
 * on update `null` clears a text field and `tags` replaces the whole set.
 */
const personaFields = {
  role: textSchema(limits.agentRoleMax, 1).nullable().optional(),
  goal: textSchema(limits.agentGoalMax, 1).nullable().optional(),
  backstory: textSchema(limits.agentBackstoryMax, 1).nullable().optional(),
  verbose: z.boolean().optional(),
  allowDelegation: z.boolean().optional(),
  reasoning: z.boolean().optional(),
  maxIterations: maxIterations.optional(),
  category: agentCategorySchema.nullable().optional(),
  tags: tagsSchema.optional(),
  /**
   * The agent this one reports to and delegates with (seed 002's hierarchy); null: none. Another
   * tenant's agent is NOT_FOUND; a parent that would close a loop is a 400 naming both agents.
   */
  parentAgentId: idSchema.nullable().optional(),
};

export const createAgentInput = z.strictObject({
  name: textSchema(255, 1),
  description: textSchema(10_000).nullable().optional(),
  spaceId: idSchema,
  /** Defaults to the caller. */
  ownerId: idSchema.optional(),
  llmConfig: llmConfigInput,
  notebookIds: notebookIds.optional(),
  enableKnowledge: z.boolean().optional(),
  enableMemory: z.boolean().optional(),
  ...personaFields,
});
export type CreateAgentInput = z.output<typeof createAgentInput>;

/** A patch: only the fields present change. `expectedVersion` guards against lost updates. */
export const updateAgentInput = z
  .strictObject({
    id: idSchema,
    expectedVersion: z.number().int().min(1),
    name: textSchema(255, 1).optional(),
    description: textSchema(10_000).nullable().optional(),
    spaceId: idSchema.optional(),
    ownerId: idSchema.optional(),
    llmConfig: llmConfigInput.optional(),
    notebookIds: notebookIds.optional(),
    enableKnowledge: z.boolean().optional(),
    enableMemory: z.boolean().optional(),
    ...personaFields,
  })
  .refine((patch) => Object.keys(patch).some((key) => key !== "id" && key !== "expectedVersion"), {
    message: "nothing to update: send at least one field besides id and expectedVersion",
  });
export type UpdateAgentInput = z.output<typeof updateAgentInput>;

export const setAgentStatusInput = z.strictObject({
  id: idSchema,
  status: agentStatusSchema,
  expectedVersion: z.number().int().min(1).optional(),
});
export type SetAgentStatusInput = z.output<typeof setAgentStatusInput>;

export const agentIdInput = z.strictObject({ id: idSchema });
export type AgentIdInput = z.output<typeof agentIdInput>;

export const agentSortFields = ["createdAt", "updatedAt", "name", "lastExecutedAt"] as const;

export const listAgentsInput = z
  .strictObject({
    ...pageInput,
    status: z.union([agentStatusSchema, z.array(agentStatusSchema).min(1).max(agentStatuses.length)]).optional(),
    spaceId: idSchema.optional(),
    ownerId: idSchema.optional(),
    notebookId: idSchema.optional(),
    /** The agents that report to this one. */
    parentAgentId: idSchema.optional(),
    /** Agents having this tag (normalised like stored tags). */
    tag: tagSchema.optional(),
    /** Agents in this category (normalised like stored categories). */
    category: agentCategorySchema.optional(),
    /** Case-insensitive substring of the name. */
    search: textSchema(255, 1).optional(),
    sortBy: z.enum(agentSortFields).default("createdAt"),
    sortDirection: sortDirectionSchema.default("desc"),
  })
  .default({ limit: limits.pageSizeDefault, sortBy: "createdAt", sortDirection: "desc" });
export type ListAgentsInput = z.output<typeof listAgentsInput>;

export const agentLifetimeStatsSchema = z.object({
  totalExecutions: z.number().int(),
  successfulExecutions: z.number().int(),
  failedExecutions: z.number().int(),
  cancelledExecutions: z.number().int(),
  totalTokens: z.number().int(),
  totalCostUsd: z.number(),
  avgResponseTimeMs: z.number().int().nullable(),
  lastExecutedAt: isoDateTimeSchema.nullable(),
});
export type AgentLifetimeStats = z.infer<typeof agentLifetimeStatsSchema>;

export const agentSchema = z.object({
  id: idSchema,
  name: z.string(),
  description: z.string().nullable(),
  status: agentStatusSchema,
  ownerId: idSchema,
  spaceId: idSchema,
  llmConfig: llmConfigSchema,
  /** Last four characters of the stored credential, e.g. `…4f2a`; null when none is set. */
  apiKeyHint: z.string().nullable(),
  notebookIds: z.array(idSchema),
  enableKnowledge: z.boolean(),
  enableMemory: z.boolean(),
  /** Null until set: agents made before migration 0009 have none. */
  role: z.string().nullable(),
  goal: z.string().nullable(),
  backstory: z.string().nullable(),
  verbose: z.boolean(),
  allowDelegation: z.boolean(),
  reasoning: z.boolean(),
  maxIterations: z.number().int(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  /** The agent it reports to, or null. */
  parentAgentId: idSchema.nullable(),
  version: z.number().int(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
  stats: agentLifetimeStatsSchema,
});
export type Agent = z.infer<typeof agentSchema>;

/** `agents.get`: the agent and its attached tools, by position (read in the same query). */
export const agentDetailSchema = agentSchema.extend({ tools: z.array(agentToolSchema) });
export type AgentDetail = z.infer<typeof agentDetailSchema>;

export const agentPageSchema = pageSchema(agentSchema);

export const detachNotebookInput = z.strictObject({ notebookId: idSchema });
export type DetachNotebookInput = z.output<typeof detachNotebookInput>;
export const detachNotebookResultSchema = z.object({ notebookId: idSchema, agentsUpdated: z.number().int() });
