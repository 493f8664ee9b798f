import { z } from "zod";

import { agent, agentSortFields, agentStatus } from "./agent";
import { id, isoDateTime, page, pageInput, sortDirection, tenantId, text } from "./common";
import { agentStatuses, executionStatuses, limits } from "./domain";
import { executionStatus, executionSummary, executionWithSteps } from "./execution";
import { usageBucket, usagePeriods, usageTotals } from "./usage";

/** Contracts of the staff-only `admin.*` procedures: cross-tenant by design. */

export const adminOverviewInput = z
  .strictObject({ days: z.number().int().min(1).max(limits.timeseriesDaysMax).default(30) })
  .default({ days: 30 });

export const tenantSummary = z.object({
  tenantId,
  name: z.string().nullable(),
  agentCount: z.number().int(),
  activeAgents: z.number().int(),
  executionsThisMonth: z.number().int(),
  failedThisMonth: z.number().int(),
  costThisMonthUsd: z.number(),
  /** Failed / finished this month; null when nothing finished. */
  failureRate: z.number().nullable(),
  lastExecutedAt: isoDateTime.nullable(),
});
export type TenantSummary = z.infer<typeof tenantSummary>;

/**
 * The signed-in staff member as the directory knows them: ids from the token, names from the
 * mirror rows (null when the directory has none, e.g. a staff member who never used a tenant API).
 */
export const staffMember = z.object({
  userId: id,
  tenantId: z.string(),
  tenantName: z.string().nullable(),
  displayName: z.string().nullable(),
  email: z.string().nullable(),
});
export type StaffMember = z.infer<typeof staffMember>;

export const adminOverview = z.object({
  /** Who is asking: the panel's top bar names them from this. */
  staffMember,
  tenants: z.array(tenantSummary),
  totals: z.object({
    tenants: z.number().int(),
    agents: z.number().int(),
    executionsThisMonth: z.number().int(),
    costThisMonthUsd: z.number(),
  }),
  daily: z.array(usageBucket),
});
export type AdminOverview = z.infer<typeof adminOverview>;

/** Every tenant, lightly: what a tenant picker needs (no usage figures; `admin.overview` has those). */
export const adminTenantList = z.object({
  tenants: z.array(z.object({ id: tenantId, name: z.string().nullable(), createdAt: isoDateTime, agentCount: z.number().int() })),
});
export type AdminTenantList = z.infer<typeof adminTenantList>;

export const adminTenantInput = z.strictObject({ tenantId });
export const adminTenant = usagePeriods.extend({
  tenant: z.object({ id: tenantId, name: z.string().nullable(), createdAt: isoDateTime }),
  agentCount: z.number().int(),
  spaces: z.array(z.object({ id, name: z.string(), agentCount: z.number().int() })),
  users: z.array(
    z.object({ id, email: z.string().nullable(), displayName: z.string().nullable(), role: z.enum(["member", "service", "admin"]) }),
  ),
});
export type AdminTenant = z.infer<typeof adminTenant>;

export const adminListAgentsInput = z.strictObject({
  ...pageInput,
  tenantId,
  status: z.union([agentStatus, z.array(agentStatus).min(1).max(agentStatuses.length)]).optional(),
  spaceId: id.optional(),
  ownerId: id.optional(),
  search: text(255, 1).optional(),
  sortBy: z.enum(agentSortFields).default("createdAt"),
  sortDirection: sortDirection.default("desc"),
});

/** An agent as its tenant sees it (`agents.list`), plus this month's usage (UTC), as `usage.agent` gives it. */
export const adminAgentRow = agent.extend({ thisMonth: usageTotals });
export type AdminAgentRow = z.infer<typeof adminAgentRow>;
export const adminAgentPage = page(adminAgentRow);

export const adminAgentInput = z.strictObject({ id });
export const adminAgent = z.object({
  tenantId,
  agent,
  usage: usagePeriods,
  daily: z.array(usageBucket),
  recentExecutions: z.array(executionSummary),
});
export type AdminAgent = z.infer<typeof adminAgent>;

export const adminSetAgentStatusInput = z.strictObject({
  id,
  status: agentStatus,
  /** Why staff changed it; kept in the audit log. */
  reason: text(1000, 1).optional(),
});

export const adminListExecutionsInput = z
  .strictObject({
    ...pageInput,
    tenantId: tenantId.optional(),
    agentId: id.optional(),
    status: z.union([executionStatus, z.array(executionStatus).min(1).max(executionStatuses.length)]).optional(),
    from: isoDateTime.optional(),
    to: isoDateTime.optional(),
  })
  .refine((i) => !i.from || !i.to || Date.parse(i.from) < Date.parse(i.to), { message: "from must be before to", path: ["from"] })
  .default({ limit: limits.pageSizeDefault });

export const adminExecutionSummary = executionSummary.extend({ tenantId, agentName: z.string() });
export const adminExecutionPage = page(adminExecutionSummary);

export const adminExecutionInput = z.strictObject({ id });
export const adminExecution = executionWithSteps.extend({ tenantId, agentName: z.string() });
export type AdminExecution = z.infer<typeof adminExecution>;

export const auditLogInput = z
  .strictObject({
    ...pageInput,
    tenantId: tenantId.optional(),
    /** What the action was on: "agent", "tenant", ... as recorded. */
    targetType: text(100, 1).optional(),
    /** Which one: an agent's id, a tenant's id. Needs `targetType` (ids of different kinds may look alike). */
    targetId: text(255, 1).optional(),
  })
  .refine((i) => i.targetId === undefined || i.targetType !== undefined, {
    message: "targetId needs targetType",
    path: ["targetType"],
  })
  .default({ limit: limits.pageSizeDefault });
/**
 * One staff action. The names are resolved when the log is read (null when the row they name is
 * gone or has no name): the ids are what was recorded, the names what staff recognise.
 */
export const auditEntry = z.object({
  id,
  actorId: id,
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
  createdAt: isoDateTime,
});
export type AuditEntry = z.infer<typeof auditEntry>;
export const auditLogPage = page(auditEntry);

/**
 * Retention: delete finished executions created more than `olderThanDays` ago (steps go with
 * them; lifetime stats and daily rollups stay). One call is one transaction of at most
 * `maxRows` executions; call again while `complete` is false.
 */
export const adminRunRetentionInput = z.strictObject({
  olderThanDays: z.number().int().min(1).max(36_500),
  tenantId: tenantId.optional(),
  maxRows: z.number().int().min(1).max(50_000).default(5_000),
});
export const retentionRun = z.object({
  /** Executions created before this instant were in scope. */
  cutoff: isoDateTime,
  tenants: z.array(z.object({ tenantId, executions: z.number().int(), steps: z.number().int() })),
  executions: z.number().int(),
  steps: z.number().int(),
  complete: z.boolean(),
});
export type RetentionRun = z.infer<typeof retentionRun>;

/**
 * Close executions still `running` after `olderThanMinutes` as failed (error code "stuck"),
 * counted in usage like any failure. At most `maxRows` per call; call again while `complete` is false.
 */
export const adminCloseStuckInput = z.strictObject({
  olderThanMinutes: z.number().int().min(5).max(525_600),
  tenantId: tenantId.optional(),
  maxRows: z.number().int().min(1).max(1_000).default(1_000),
});
export const stuckRun = z.object({
  /** Executions started before this instant and still running were in scope. */
  cutoff: isoDateTime,
  tenants: z.array(z.object({ tenantId, closed: z.number().int(), executionIds: z.array(id) })),
  closed: z.number().int(),
  complete: z.boolean(),
});
export type StuckRun = z.infer<typeof stuckRun>;
