import { z } from "zod";

import { agentSchema, agentSortFields, agentStatusSchema } from "./agent";
import { idSchema, isoDateTimeSchema, pageInput, pageSchema, sortDirectionSchema, tenantIdSchema, textSchema } from "./common";
import { agentStatuses, executionStatuses, limits } from "./domain";
import { executionStatusSchema, executionSummarySchema, executionWithStepsSchema } from "./execution";
import { usageBucketSchema, usagePeriodsSchema, usageTotalsSchema } from "./usage";

/** Contracts of the staff-only `admin.*` procedures: cross-tenant by design. */

export const adminOverviewInput = z
  .strictObject({ days: z.number().int().min(1).max(limits.timeseriesDaysMax).default(30) })
  .default({ days: 30 });
export type AdminOverviewInput = z.output<typeof adminOverviewInput>;

export const tenantSummarySchema = z.object({
  tenantId: tenantIdSchema,
  name: z.string().nullable(),
  agentCount: z.number().int(),
  activeAgents: z.number().int(),
  executionsThisMonth: z.number().int(),
  failedThisMonth: z.number().int(),
  costThisMonthUsd: z.number(),
  /** Failed / finished this month; null when nothing finished. */
  failureRate: z.number().nullable(),
  lastExecutedAt: isoDateTimeSchema.nullable(),
});
export type TenantSummary = z.infer<typeof tenantSummarySchema>;

/**
 * The signed-in staff member as the directory knows them: ids from the token, names from the
 * mirror rows (null when the directory has none, e.g. a staff member who never used a tenant API).
 */
export const staffMemberSchema = z.object({
  userId: idSchema,
  tenantId: z.string(),
  tenantName: z.string().nullable(),
  displayName: z.string().nullable(),
  email: z.string().nullable(),
});
export type StaffMember = z.infer<typeof staffMemberSchema>;

export const adminOverviewSchema = z.object({
  /** Who is asking: the panel's top bar names them from this. */
  staffMember: staffMemberSchema,
  tenants: z.array(tenantSummarySchema),
  totals: z.object({
    tenants: z.number().int(),
    agents: z.number().int(),
    executionsThisMonth: z.number().int(),
    costThisMonthUsd: z.number(),
  }),
  daily: z.array(usageBucketSchema),
});
export type AdminOverview = z.infer<typeof adminOverviewSchema>;

/** Every tenant, lightly: what a tenant picker needs (no usage figures; `admin.overview` has those). */
export const adminTenantListSchema = z.object({
  tenants: z.array(
    z.object({ id: tenantIdSchema, name: z.string().nullable(), createdAt: isoDateTimeSchema, agentCount: z.number().int() }),
  ),
});
export type AdminTenantList = z.infer<typeof adminTenantListSchema>;

export const adminTenantInput = z.strictObject({ tenantId: tenantIdSchema });
export type AdminTenantInput = z.output<typeof adminTenantInput>;
export const adminTenantSchema = usagePeriodsSchema.extend({
  tenant: z.object({ id: tenantIdSchema, name: z.string().nullable(), createdAt: isoDateTimeSchema }),
  agentCount: z.number().int(),
  spaces: z.array(z.object({ id: idSchema, name: z.string(), agentCount: z.number().int() })),
  users: z.array(
    z.object({
      id: idSchema,
      email: z.string().nullable(),
      displayName: z.string().nullable(),
      role: z.enum(["member", "service", "admin"]),
    }),
  ),
});
export type AdminTenant = z.infer<typeof adminTenantSchema>;

export const adminListAgentsInput = z.strictObject({
  ...pageInput,
  tenantId: tenantIdSchema,
  status: z.union([agentStatusSchema, z.array(agentStatusSchema).min(1).max(agentStatuses.length)]).optional(),
  spaceId: idSchema.optional(),
  ownerId: idSchema.optional(),
  search: textSchema(255, 1).optional(),
  sortBy: z.enum(agentSortFields).default("createdAt"),
  sortDirection: sortDirectionSchema.default("desc"),
});
export type AdminListAgentsInput = z.output<typeof adminListAgentsInput>;

/** An agent as its tenant sees it (`agents.list`), plus this month's usage (UTC), as `usage.agent` gives it. */
export const adminAgentRowSchema = agentSchema.extend({ thisMonth: usageTotalsSchema });
export type AdminAgentRow = z.infer<typeof adminAgentRowSchema>;
export const adminAgentPageSchema = pageSchema(adminAgentRowSchema);

export const adminAgentInput = z.strictObject({ id: idSchema });
export type AdminAgentInput = z.output<typeof adminAgentInput>;
export const adminAgentSchema = z.object({
  tenantId: tenantIdSchema,
  agent: agentSchema,
  usage: usagePeriodsSchema,
  daily: z.array(usageBucketSchema),
  recentExecutions: z.array(executionSummarySchema),
});
export type AdminAgent = z.infer<typeof adminAgentSchema>;

export const adminSetAgentStatusInput = z.strictObject({
  id: idSchema,
  status: agentStatusSchema,
  /** Why staff changed it; kept in the audit log. */
  reason: textSchema(1000, 1).optional(),
});
export type AdminSetAgentStatusInput = z.output<typeof adminSetAgentStatusInput>;

export const adminListExecutionsInput = z
  .strictObject({
    ...pageInput,
    tenantId: tenantIdSchema.optional(),
    agentId: idSchema.optional(),
    /** A crew's runs (crew runs and their child runs), and a crew run's child runs, as `executions.list`. */
    crewId: idSchema.optional(),
    parentExecutionId: idSchema.optional(),
    status: z.union([executionStatusSchema, z.array(executionStatusSchema).min(1).max(executionStatuses.length)]).optional(),
    from: isoDateTimeSchema.optional(),
    to: isoDateTimeSchema.optional(),
  })
  .refine((i) => !i.from || !i.to || Date.parse(i.from) < Date.parse(i.to), { message: "from must be before to", path: ["from"] })
  .default({ limit: limits.pageSizeDefault });
export type AdminListExecutionsInput = z.output<typeof adminListExecutionsInput>;

/** `agentName` is the agent's name, or for a crew run (no agent) the crew's. */
export const adminExecutionSummarySchema = executionSummarySchema.extend({ tenantId: tenantIdSchema, agentName: z.string() });
export const adminExecutionPageSchema = pageSchema(adminExecutionSummarySchema);

export const adminExecutionInput = z.strictObject({ id: idSchema });
export type AdminExecutionInput = z.output<typeof adminExecutionInput>;
export const adminExecutionSchema = executionWithStepsSchema.extend({ tenantId: tenantIdSchema, agentName: z.string() });
export type AdminExecution = z.infer<typeof adminExecutionSchema>;

export const auditLogInput = z
  .strictObject({
    ...pageInput,
    tenantId: tenantIdSchema.optional(),
    /** What the action was on: "agent", "tenant", ... as recorded. */
    targetType: textSchema(100, 1).optional(),
    /** Which one: an agent's id, a tenant's id. Needs `targetType` (ids of different kinds may look alike). */
    targetId: textSchema(255, 1).optional(),
  })
  .refine((i) => i.targetId === undefined || i.targetType !== undefined, {
    message: "targetId needs targetType",
    path: ["targetType"],
  })
  .default({ limit: limits.pageSizeDefault });
export type AuditLogInput = z.output<typeof auditLogInput>;
/**
 * One staff action. The names are resolved when the log is read (null when the row they name is
 * gone or has no name): the ids are what was recorded, the names what staff recognise.
 */
export const auditEntrySchema = z.object({
  id: idSchema,
  actorId: idSchema,
  actorTenantId: z.string(),
  /** The staff member's display name (or email) in the directory. */
  actorName: z.string().nullable(),
  actorTenantName: z.string().nullable(),
  action: z.string(),
  targetTenantId: z.string().nullable(),
  targetTenantName: z.string().nullable(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  /** The agent's name for agent targets, the tenant's for tenant targets. */
  targetName: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  createdAt: isoDateTimeSchema,
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export const auditLogPageSchema = pageSchema(auditEntrySchema);

/**
 * Retention: delete finished executions created more than `olderThanDays` ago (steps go with
 * them; lifetime stats and daily rollups stay). One call is one transaction of at most
 * `maxRows` executions; call again while `complete` is false.
 */
export const adminRunRetentionInput = z.strictObject({
  olderThanDays: z.number().int().min(1).max(36_500),
  tenantId: tenantIdSchema.optional(),
  maxRows: z.number().int().min(1).max(50_000).default(5_000),
});
export type AdminRunRetentionInput = z.output<typeof adminRunRetentionInput>;
export const retentionRunSchema = z.object({
  /** Executions created before this instant were in scope. */
  cutoff: isoDateTimeSchema,
  tenants: z.array(z.object({ tenantId: tenantIdSchema, executions: z.number().int(), steps: z.number().int() })),
  executions: z.number().int(),
  steps: z.number().int(),
  complete: z.boolean(),
});
export type RetentionRun = z.infer<typeof retentionRunSchema>;

/**
 * Close executions still `running` after `olderThanMinutes` as failed (error code "stuck"),
 * counted in usage like any failure. At most `maxRows` per call; call again while `complete` is false.
 */
export const adminCloseStuckInput = z.strictObject({
  olderThanMinutes: z.number().int().min(5).max(525_600),
  tenantId: tenantIdSchema.optional(),
  maxRows: z.number().int().min(1).max(1_000).default(1_000),
});
export type AdminCloseStuckInput = z.output<typeof adminCloseStuckInput>;
export const stuckRunSchema = z.object({
  /** Executions started before this instant and still running were in scope. */
  cutoff: isoDateTimeSchema,
  tenants: z.array(z.object({ tenantId: tenantIdSchema, closed: z.number().int(), executionIds: z.array(idSchema) })),
  closed: z.number().int(),
  complete: z.boolean(),
});
export type StuckRun = z.infer<typeof stuckRunSchema>;
