import { z } from "zod";

import {
  idSchema,
  isoDateTimeSchema,
  pageInput,
  pageSchema,
  sortDirectionSchema,
  tagSchema,
  tagsSchema,
  tenantIdSchema,
  textSchema,
} from "./common";
import { limits, type ToolType, toolLanguages, toolTypes } from "./domain";
import { jsonObjectSchema } from "./json";

export const toolTypeSchema = z.enum(toolTypes);
export const toolLanguageSchema = z.enum(toolLanguages);

const usageExamplesSchema = z.array(textSchema(limits.toolUsageExampleLengthMax, 1)).max(limits.toolUsageExamplesMax);

export const secretNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, "secret names: up to 64 letters, digits and _ . - (not starting with a digit)");

/**
 * Write-only secrets (API keys, tokens) by name. Stored encrypted, never returned: reads show
 * `secrets: { name: "••••last4" }`. On update a string sets one, `null` removes it, a name left
 * out keeps it.
 */
const secretsInput = z
  .record(secretNameSchema, textSchema(limits.toolSecretValueLengthMax, 1).nullable())
  .refine((secrets) => Object.keys(secrets).length <= limits.toolSecretsMax, `at most ${limits.toolSecretsMax} secrets`);

/**
 * The tool's arguments as a JSON Schema object (draft 2020-12 or 07). Bounded here; the API
 * checks it against the meta-schema (a 400 says what is wrong).
 */
const parametersSchema = jsonObjectSchema(limits.toolParametersBytesMax);
const configurationSchema = jsonObjectSchema(limits.toolConfigurationBytesMax);
const codeSchema = textSchema(limits.toolCodeMax, 1);

export const createToolInput = z
  .strictObject({
    name: textSchema(255, 1),
    description: textSchema(10_000).nullable().optional(),
    type: toolTypeSchema,
    parameters: parametersSchema.optional(),
    configuration: configurationSchema.optional(),
    secrets: secretsInput.optional(),
    /** Required for `code` tools, refused for the others. */
    code: codeSchema.nullable().optional(),
    language: toolLanguageSchema.nullable().optional(),
    usageExamples: usageExamplesSchema.optional(),
    tags: tagsSchema.optional(),
  })
  .superRefine((tool, ctx) => {
    for (const problem of codeProblems(tool.type, tool.code ?? null, tool.language ?? null)) ctx.addIssue({ code: "custom", ...problem });
  });
export type CreateToolInput = z.output<typeof createToolInput>;

/** Why code and language do not fit the type: `code` tools need both, others take neither. */
export function codeProblems(type: ToolType, code: string | null, language: string | null): { path: string[]; message: string }[] {
  if (type === "code") {
    return [
      ...(code === null ? [{ path: ["code"], message: "a code tool needs its code" }] : []),
      ...(language === null ? [{ path: ["language"], message: "a code tool needs its language" }] : []),
    ];
  }
  return [
    ...(code !== null ? [{ path: ["code"], message: `only code tools carry code, not ${type} tools` }] : []),
    ...(language !== null ? [{ path: ["language"], message: `only code tools carry a language, not ${type} tools` }] : []),
  ];
}

/** A patch: only the fields present change. `expectedVersion` guards against lost updates. */
export const updateToolInput = z
  .strictObject({
    id: idSchema,
    expectedVersion: z.number().int().min(1),
    name: textSchema(255, 1).optional(),
    description: textSchema(10_000).nullable().optional(),
    type: toolTypeSchema.optional(),
    parameters: parametersSchema.optional(),
    configuration: configurationSchema.optional(),
    secrets: secretsInput.optional(),
    code: codeSchema.nullable().optional(),
    language: toolLanguageSchema.nullable().optional(),
    usageExamples: usageExamplesSchema.optional(),
    tags: tagsSchema.optional(),
  })
  .refine((patch) => Object.keys(patch).some((key) => key !== "id" && key !== "expectedVersion"), {
    message: "nothing to update: send at least one field besides id and expectedVersion",
  });
export type UpdateToolInput = z.output<typeof updateToolInput>;

export const toolIdInput = z.strictObject({ id: idSchema });
export type ToolIdInput = z.output<typeof toolIdInput>;

export const toolSortFields = ["createdAt", "updatedAt", "name"] as const;

const toolFilters = {
  ...pageInput,
  type: z.union([toolTypeSchema, z.array(toolTypeSchema).min(1).max(toolTypes.length)]).optional(),
  /** Tools carrying this tag. */
  tag: tagSchema.optional(),
  /** Case-insensitive substring of the name. */
  search: textSchema(255, 1).optional(),
  sortBy: z.enum(toolSortFields).default("createdAt"),
  sortDirection: sortDirectionSchema.default("desc"),
};

export const listToolsInput = z
  .strictObject(toolFilters)
  .default({ limit: limits.pageSizeDefault, sortBy: "createdAt", sortDirection: "desc" });
export type ListToolsInput = z.output<typeof listToolsInput>;

export const toolSchema = z.object({
  id: idSchema,
  name: z.string(),
  description: z.string().nullable(),
  type: toolTypeSchema,
  parameters: z.record(z.string(), z.unknown()),
  configuration: z.record(z.string(), z.unknown()),
  /** The names of the stored secrets, each masked (`••••` and at most the last four characters). */
  secrets: z.record(z.string(), z.string().regex(/^••••/)),
  code: z.string().nullable(),
  language: toolLanguageSchema.nullable(),
  usageExamples: z.array(z.string()),
  tags: z.array(z.string()),
  createdBy: idSchema,
  version: z.number().int(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type Tool = z.infer<typeof toolSchema>;

export const toolPageSchema = pageSchema(toolSchema);

/** `admin.tools`: one tenant's tools as `tools.list` gives them to the tenant (secrets masked). */
export const adminListToolsInput = z.strictObject({ tenantId: tenantIdSchema, ...toolFilters });
export type AdminListToolsInput = z.output<typeof adminListToolsInput>;

const attachmentConfiguration = jsonObjectSchema(limits.agentToolConfigurationBytesMax);
const attachmentPosition = z
  .number()
  .int("position must be a whole number")
  .min(0, "position must be at least 0")
  .max(limits.agentToolPositionMax, `position must be at most ${limits.agentToolPositionMax}`);

/** Attach one of the tenant's tools to one of its agents; defaults: enabled, position 0, no configuration. */
export const attachToolInput = z.strictObject({
  agentId: idSchema,
  toolId: idSchema,
  configuration: attachmentConfiguration.optional(),
  enabled: z.boolean().optional(),
  position: attachmentPosition.optional(),
});
export type AttachToolInput = z.output<typeof attachToolInput>;

/** Changes an attachment: the fields sent replace the stored ones, the rest stay. */
export const updateAttachedToolInput = z.strictObject({
  agentId: idSchema,
  toolId: idSchema,
  configuration: attachmentConfiguration.optional(),
  enabled: z.boolean().optional(),
  position: attachmentPosition.optional(),
});
export type UpdateAttachedToolInput = z.output<typeof updateAttachedToolInput>;

export const detachToolInput = z.strictObject({ agentId: idSchema, toolId: idSchema });
export type DetachToolInput = z.output<typeof detachToolInput>;

/** A tool as an agent has it: the tool's public fields and the attachment's own (never secrets). */
export const agentToolSchema = z.object({
  id: idSchema,
  name: z.string(),
  type: toolTypeSchema,
  description: z.string().nullable(),
  enabled: z.boolean(),
  position: z.number().int(),
  configuration: z.record(z.string(), z.unknown()),
});
export type AgentTool = z.infer<typeof agentToolSchema>;
