import { z } from "zod";

import { agentStatusSchema } from "./agent";
import { idSchema, isoDateTimeSchema, pageInput, pageSchema, sortDirectionSchema, tenantIdSchema, textSchema } from "./common";
import { crewLimits, crewProcesses, limits } from "./domain";
import { taskSchema } from "./task";
import { toolTypeSchema } from "./tool";

export const crewProcessSchema = z.enum(crewProcesses);

/**
 * A crew's member agents, in order (CrewAI's `agents`): unique, at least one (a crew without
 * agents can do no task: every task is assigned to a member), at most `crewLimits.membersMax`.
 */
const memberAgentIds = z
  .array(idSchema)
  .min(1, "a crew needs at least one member agent")
  .max(crewLimits.membersMax, `a crew has at most ${crewLimits.membersMax} member agents`)
  .refine((ids) => new Set(ids).size === ids.length, "each agent may be a member once");

const maxIterations = z
  .number()
  .int("maxIterations must be a whole number")
  .min(crewLimits.maxIterationsMin, `maxIterations must be at least ${crewLimits.maxIterationsMin}`)
  .max(crewLimits.maxIterationsMax, `maxIterations must be at most ${crewLimits.maxIterationsMax}`);

const crewName = textSchema(crewLimits.nameMax, 1);
const crewDescription = textSchema(crewLimits.descriptionMax);

/**
 * Why a crew's process, manager and members do not fit together (CrewAI's rules): a
 * hierarchical crew needs a manager agent, a sequential one has none, and the manager delegates
 * to the members without being one of them.
 */
export function crewProblems(crew: {
  process: string;
  managerAgentId: string | null;
  memberAgentIds: readonly string[];
}): { path: string[]; message: string }[] {
  if (crew.process === "hierarchical" && crew.managerAgentId === null) {
    return [{ path: ["managerAgentId"], message: "a hierarchical crew needs a manager agent" }];
  }
  if (crew.process === "sequential" && crew.managerAgentId !== null) {
    return [
      {
        path: ["managerAgentId"],
        message: "a sequential crew has no manager (its tasks run in order); use process hierarchical",
      },
    ];
  }
  if (crew.managerAgentId !== null && crew.memberAgentIds.includes(crew.managerAgentId)) {
    return [
      {
        path: ["managerAgentId"],
        message: `agent ${crew.managerAgentId} is a member; the manager delegates to the members and is not one of them`,
      },
    ];
  }
  return [];
}

export const createCrewInput = z
  .strictObject({
    name: crewName,
    description: crewDescription.nullable().optional(),
    /** Default `sequential`. */
    process: crewProcessSchema.optional(),
    memberAgentIds,
    /** Required for a hierarchical crew, refused for a sequential one; not one of the members. */
    managerAgentId: idSchema.nullable().optional(),
    spaceId: idSchema,
    memory: z.boolean().optional(),
    verbose: z.boolean().optional(),
    /** Caps every member's own `maxIterations`; null or left out: each agent's own. */
    maxIterations: maxIterations.nullable().optional(),
  })
  .superRefine((crew, ctx) => {
    const problems = crewProblems({
      process: crew.process ?? "sequential",
      managerAgentId: crew.managerAgentId ?? null,
      memberAgentIds: crew.memberAgentIds,
    });
    for (const problem of problems) ctx.addIssue({ code: "custom", ...problem });
  });
export type CreateCrewInput = z.output<typeof createCrewInput>;

/**
 * A patch: only the fields present change; `memberAgentIds` replaces the ordered list (removing a
 * member that tasks are assigned to is a CONFLICT naming them). Moving to `sequential` drops the
 * manager unless the patch names one (then it is a 400). `expectedVersion` guards against lost updates.
 */
export const updateCrewInput = z
  .strictObject({
    id: idSchema,
    expectedVersion: z.number().int().min(1),
    name: crewName.optional(),
    description: crewDescription.nullable().optional(),
    process: crewProcessSchema.optional(),
    memberAgentIds: memberAgentIds.optional(),
    managerAgentId: idSchema.nullable().optional(),
    spaceId: idSchema.optional(),
    memory: z.boolean().optional(),
    verbose: z.boolean().optional(),
    maxIterations: maxIterations.nullable().optional(),
  })
  .refine((patch) => Object.keys(patch).some((key) => key !== "id" && key !== "expectedVersion"), {
    message: "nothing to update: send at least one field besides id and expectedVersion",
  });
export type UpdateCrewInput = z.output<typeof updateCrewInput>;

export const crewIdInput = z.strictObject({ id: idSchema });
export type CrewIdInput = z.output<typeof crewIdInput>;

export const crewSortFields = ["createdAt", "updatedAt", "name"] as const;

const crewFilters = {
  ...pageInput,
  process: crewProcessSchema.optional(),
  spaceId: idSchema.optional(),
  /** Crews this agent is a member of. */
  memberAgentId: idSchema.optional(),
  /** Case-insensitive substring of the name. */
  search: textSchema(crewLimits.nameMax, 1).optional(),
  sortBy: z.enum(crewSortFields).default("createdAt"),
  sortDirection: sortDirectionSchema.default("desc"),
};

export const listCrewsInput = z
  .strictObject(crewFilters)
  .default({ limit: limits.pageSizeDefault, sortBy: "createdAt", sortDirection: "desc" });
export type ListCrewsInput = z.output<typeof listCrewsInput>;

export const crewSchema = z.object({
  id: idSchema,
  name: z.string(),
  description: z.string().nullable(),
  process: crewProcessSchema,
  /** The member agents' ids, in order. */
  memberAgentIds: z.array(idSchema),
  /** Set exactly when the process is hierarchical. */
  managerAgentId: idSchema.nullable(),
  ownerId: idSchema,
  spaceId: idSchema,
  memory: z.boolean(),
  verbose: z.boolean(),
  /** Null: each agent's own. */
  maxIterations: z.number().int().nullable(),
  version: z.number().int(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type Crew = z.infer<typeof crewSchema>;

export const crewPageSchema = pageSchema(crewSchema);

/** A tool of a crew's agent as the crew shows it: the tool's public fields and the attachment's flags (no configuration, no secrets). */
export const crewAgentToolSchema = z.object({
  id: idSchema,
  name: z.string(),
  type: toolTypeSchema,
  enabled: z.boolean(),
  position: z.number().int(),
});

/** An agent as a crew shows it (a member or the manager): who it is and its tools, by position. */
export const crewAgentSchema = z.object({
  id: idSchema,
  name: z.string(),
  role: z.string().nullable(),
  goal: z.string().nullable(),
  status: agentStatusSchema,
  tools: z.array(crewAgentToolSchema),
});
export type CrewAgent = z.infer<typeof crewAgentSchema>;

export const crewMemberSchema = crewAgentSchema.extend({ position: z.number().int() });
export type CrewMember = z.infer<typeof crewMemberSchema>;

/** A crew's lifetime usage: the sum of its crew runs (each run's tokens and cost are its child runs'). */
export const crewLifetimeUsageSchema = z.object({
  totalExecutions: z.number().int(),
  successfulExecutions: z.number().int(),
  failedExecutions: z.number().int(),
  cancelledExecutions: z.number().int(),
  totalTokens: z.number().int(),
  totalCostUsd: z.number(),
  lastExecutedAt: isoDateTimeSchema.nullable(),
});
export type CrewLifetimeUsage = z.infer<typeof crewLifetimeUsageSchema>;

/** `crews.get`: the crew with its members, manager, tasks (by position) and usage, read in one statement. */
export const crewDetailSchema = crewSchema.extend({
  members: z.array(crewMemberSchema),
  manager: crewAgentSchema.nullable(),
  tasks: z.array(taskSchema),
  /** Its finished crew runs (`usage.totalExecutions`). */
  executionCount: z.number().int(),
  usage: crewLifetimeUsageSchema,
});
export type CrewDetail = z.infer<typeof crewDetailSchema>;

/** `admin.crews`: one tenant's crews as `crews.list` gives them to the tenant. */
export const adminListCrewsInput = z.strictObject({ tenantId: tenantIdSchema, ...crewFilters });
export type AdminListCrewsInput = z.output<typeof adminListCrewsInput>;

export const adminCrewInput = z.strictObject({ id: idSchema });
