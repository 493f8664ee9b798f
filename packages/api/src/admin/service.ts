import type { z } from "zod";

import type {
  AdminAgent,
  AdminExecution,
  AdminOverview,
  AdminTenant,
  AuditEntry,
  adminCloseStuckInput,
  adminListAgentsInput,
  adminListExecutionsInput,
  adminRunRetentionInput,
  adminSetAgentStatusInput,
  auditLogInput,
  ExecutionStatus,
  RetentionRun,
  StaffMember,
  StuckRun,
} from "@agent-builder/contracts";
import {
  adminAuditLog,
  closeStuckExecutionsAsStaff,
  deleteOldExecutionsAsStaff,
  queryRows,
  type SQL,
  sql,
  type Tx,
} from "@agent-builder/db";

import { getAgent, listAgents, setAgentStatus } from "../agents/service";
import type { Caller } from "../auth";
import { notFound } from "../errors";
import { getExecution, listExecutions } from "../executions/service";
import { decodeCursor, toPage } from "../pagination";
import { timeseries, usageFor } from "../usage/service";

/**
 * Staff reads and actions across tenants. Runs as the staff role (see adminProcedure); where a
 * tenant's own service already does the job, it is called with that tenant as the scope, so
 * staff see exactly what the tenant sees.
 */

/** The tenant scope staff act in: the target tenant, with the staff member as the actor. */
function scopeOf(actor: Caller, tenantId: string): Caller {
  return { tenantId, userId: actor.userId, role: "admin" };
}

const utcDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** Month and daily figures come from the tenants' own rollups, as each tenant's usage.tenant and chart do. */
export async function overview(tx: Tx, actor: Caller, days: number): Promise<AdminOverview> {
  const staffMember = await staffMemberOf(tx, actor);
  const tenants = await queryRows<AdminOverview["tenants"][number]>(
    tx,
    sql`with month as (select date_trunc('month', now() at time zone 'utc')::date as start)
        select t.id as "tenantId", t.name,
               (select count(*)::int from agents a where a.tenant_id = t.id) as "agentCount",
               (select count(*)::int from agents a where a.tenant_id = t.id and a.status = 'active') as "activeAgents",
               coalesce(m.executions, 0)::int as "executionsThisMonth",
               coalesce(m.failed, 0)::int as "failedThisMonth",
               coalesce(m.cost, 0)::float8 as "costThisMonthUsd",
               (m.failed / nullif(m.executions, 0))::float8 as "failureRate",
               (select max(s.last_executed_at) from agent_usage_stats s where s.tenant_id = t.id) as "lastExecutedAt"
        from tenants t
        cross join month
        left join lateral (
          select sum(d.total_executions) as executions, sum(d.failed_executions) as failed, sum(d.total_cost_usd) as cost
          from tenant_usage_daily d where d.tenant_id = t.id and d.day >= month.start
        ) m on true
        order by coalesce(m.executions, 0) desc, t.id`,
  );
  const daily = await queryRows<AdminOverview["daily"][number]>(
    tx,
    sql`select to_char(g.day, 'YYYY-MM-DD') as day,
               coalesce(sum(u.total_executions), 0)::float8 as executions,
               coalesce(sum(u.successful_executions), 0)::float8 as succeeded,
               coalesce(sum(u.failed_executions), 0)::float8 as failed,
               coalesce(sum(u.cancelled_executions), 0)::float8 as cancelled,
               coalesce(sum(u.total_tokens), 0)::float8 as "totalTokens",
               coalesce(sum(u.total_cost_usd), 0)::float8 as "costUsd",
               round(sum(u.total_duration_ms) / nullif(sum(u.total_executions), 0))::float8 as "avgDurationMs"
        from generate_series(${utcDay(1 - days)}::date, ${utcDay(0)}::date, interval '1 day') as g(day)
        left join tenant_usage_daily u on u.day = g.day::date and u.day between ${utcDay(1 - days)}::date and ${utcDay(0)}::date
        group by g.day order by g.day`,
  );
  return {
    staffMember,
    tenants: tenants.map((t) => ({ ...t, lastExecutedAt: t.lastExecutedAt ? new Date(t.lastExecutedAt).toISOString() : null })),
    totals: {
      tenants: tenants.length,
      agents: tenants.reduce((n, t) => n + t.agentCount, 0),
      executionsThisMonth: tenants.reduce((n, t) => n + t.executionsThisMonth, 0),
      costThisMonthUsd: Math.round(tenants.reduce((n, t) => n + t.costThisMonthUsd, 0) * 1e6) / 1e6,
    },
    daily,
  };
}

/** The staff member's names from the directory mirror, in one statement; nulls where it has none. */
async function staffMemberOf(tx: Tx, actor: Caller): Promise<StaffMember> {
  const [row] = await queryRows<Omit<StaffMember, "userId" | "tenantId">>(
    tx,
    sql`select (select name from tenants where id = ${actor.tenantId}) as "tenantName",
               u.display_name as "displayName", u.email
        from (select 1) as one
        left join users u on u.tenant_id = ${actor.tenantId} and u.id = ${actor.userId}::uuid`,
  );
  return { userId: actor.userId, tenantId: actor.tenantId, tenantName: null, displayName: null, email: null, ...row };
}

export async function tenantDetail(tx: Tx, actor: Caller, tenantId: string): Promise<AdminTenant> {
  const [tenant] = await queryRows<AdminTenant["tenant"]>(
    tx,
    sql`select id, name, created_at as "createdAt" from tenants where id = ${tenantId}`,
  );
  if (!tenant) throw notFound("tenant", tenantId);
  const spaces = await queryRows<AdminTenant["spaces"][number]>(
    tx,
    sql`select s.id, s.name, (select count(*)::int from agents a where a.tenant_id = s.tenant_id and a.space_id = s.id) as "agentCount"
        from spaces s where s.tenant_id = ${tenantId} order by s.name, s.id`,
  );
  const users = await queryRows<AdminTenant["users"][number]>(
    tx,
    sql`select id, email, display_name as "displayName", role from users where tenant_id = ${tenantId} order by coalesce(display_name, email, id::text)`,
  );
  const usage = await usageFor(tx, scopeOf(actor, tenantId), { kind: "tenant" });
  return { ...usage, tenant: { ...tenant, createdAt: new Date(tenant.createdAt).toISOString() }, spaces, users };
}

export function listTenantAgents(tx: Tx, actor: Caller, input: z.output<typeof adminListAgentsInput>) {
  const { tenantId, ...filters } = input;
  return listAgents(tx, scopeOf(actor, tenantId), filters);
}

async function tenantOf(tx: Tx, table: "agents" | "agent_executions", id: string, what: string): Promise<string> {
  const [row] = await queryRows<{ tenantId: string }>(
    tx,
    sql`select tenant_id as "tenantId" from ${sql.identifier(table)} where id = ${id}::uuid`,
  );
  if (!row) throw notFound(what, id);
  return row.tenantId;
}

export async function agentDetail(tx: Tx, actor: Caller, id: string): Promise<AdminAgent> {
  const tenantId = await tenantOf(tx, "agents", id, "agent");
  const scope = scopeOf(actor, tenantId);
  const agent = await getAgent(tx, scope, id);
  const { agentCount: _count, ...usage } = await usageFor(tx, scope, { kind: "agent", agentId: id });
  const daily = await timeseries(tx, scope, { from: utcDay(-29), to: utcDay(0), agentId: id });
  const recent = await listExecutions(tx, scope, { limit: 10, agentId: id });
  return { tenantId, agent, usage, daily, recentExecutions: recent.items };
}

export async function setAgentStatusAsStaff(tx: Tx, actor: Caller, input: z.output<typeof adminSetAgentStatusInput>) {
  const tenantId = await tenantOf(tx, "agents", input.id, "agent");
  const before = await getAgent(tx, scopeOf(actor, tenantId), input.id);
  const after = await setAgentStatus(tx, scopeOf(actor, tenantId), { id: input.id, status: input.status });
  if (after.version !== before.version) {
    await tx.insert(adminAuditLog).values({
      actorId: actor.userId,
      actorTenantId: actor.tenantId,
      action: "agent.setStatus",
      targetTenantId: tenantId,
      targetType: "agent",
      targetId: input.id,
      details: { from: before.status, to: after.status, ...(input.reason && { reason: input.reason }) },
    });
  }
  return after;
}

export async function listAllExecutions(tx: Tx, input: z.output<typeof adminListExecutionsInput>) {
  const ordering = "createdAt:desc";
  const conditions: SQL[] = [sql`true`];
  if (input.tenantId) conditions.push(sql`e.tenant_id = ${input.tenantId}`);
  if (input.agentId) conditions.push(sql`e.agent_id = ${input.agentId}::uuid`);
  if (input.status) {
    const statuses = ([] as ExecutionStatus[]).concat(input.status);
    conditions.push(
      sql`e.status in (${sql.join(
        statuses.map((s) => sql`${s}::execution_status`),
        sql`, `,
      )})`,
    );
  }
  if (input.from) conditions.push(sql`e.created_at >= ${input.from}::timestamptz`);
  if (input.to) conditions.push(sql`e.created_at < ${input.to}::timestamptz`);
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, ordering);
    conditions.push(sql`(e.created_at, e.id) < (${cursor.v}::timestamptz, ${cursor.id}::uuid)`);
  }
  const rows = await queryRows<Record<string, unknown> & { id: string; cursorKey: string }>(
    tx,
    sql`select e.id, e.tenant_id as "tenantId", e.agent_id as "agentId", a.name as "agentName", e.user_id as "userId",
               e.status, e.started_at as "startedAt", e.completed_at as "completedAt", e.duration_ms as "durationMs",
               e.input_tokens as "inputTokens", e.output_tokens as "outputTokens", e.cached_input_tokens as "cachedInputTokens",
               e.reasoning_tokens as "reasoningTokens", e.total_tokens::float8 as "totalTokens", e.cost_usd::float8 as "costUsd",
               e.error_code as "errorCode", e.error_message as "errorMessage", e.idempotency_key as "idempotencyKey",
               e.step_count as "stepCount", e.created_at as "createdAt", e.created_at::text as "cursorKey"
        from agent_executions e join agents a on a.id = e.agent_id
        where ${sql.join(conditions, sql` and `)}
        order by e.created_at desc, e.id desc
        limit ${input.limit + 1}`,
  );
  const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
  return toPage(rows, input.limit, ordering, (r) => ({
    id: r.id,
    tenantId: r.tenantId as string,
    agentId: r.agentId as string,
    agentName: r.agentName as string,
    userId: r.userId as string,
    status: r.status as ExecutionStatus,
    startedAt: iso(r.startedAt)!,
    completedAt: iso(r.completedAt),
    durationMs: r.durationMs as number | null,
    usage: {
      inputTokens: r.inputTokens as number,
      outputTokens: r.outputTokens as number,
      cachedInputTokens: r.cachedInputTokens as number,
      reasoningTokens: r.reasoningTokens as number,
      totalTokens: r.totalTokens as number,
    },
    costUsd: r.costUsd as number,
    error: r.errorMessage === null ? null : { code: r.errorCode as string | null, message: r.errorMessage as string },
    idempotencyKey: r.idempotencyKey as string | null,
    stepCount: r.stepCount as number,
    createdAt: iso(r.createdAt)!,
  }));
}

export async function executionDetail(tx: Tx, actor: Caller, id: string): Promise<AdminExecution> {
  const tenantId = await tenantOf(tx, "agent_executions", id, "execution");
  const execution = await getExecution(tx, scopeOf(actor, tenantId), id);
  const [agent] = await queryRows<{ name: string }>(tx, sql`select name from agents where id = ${execution.agentId}::uuid`);
  return { ...execution, tenantId, agentName: agent?.name ?? "" };
}

/**
 * A page of the log with the names of who and what, in one statement: the page is cut first
 * (newest first, keyset), then each row joins at most one user, two tenants and one agent by key.
 * `target_id` is text (a tenant id for tenant targets), so it is cast to a uuid for agent rows only.
 */
export async function auditLog(tx: Tx, input: z.output<typeof auditLogInput>) {
  const ordering = "createdAt:desc";
  const conditions: SQL[] = [sql`true`];
  if (input.tenantId) conditions.push(sql`l.target_tenant_id = ${input.tenantId}`);
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, ordering);
    conditions.push(sql`(l.created_at, l.id) < (${cursor.v}::timestamptz, ${cursor.id}::uuid)`);
  }
  const rows = await queryRows<Omit<AuditEntry, "createdAt"> & { createdAt: string | Date; cursorKey: string }>(
    tx,
    sql`with page as (
          select l.* from admin_audit_log l
          where ${sql.join(conditions, sql` and `)}
          order by l.created_at desc, l.id desc
          limit ${input.limit + 1}
        )
        select l.id, l.actor_id as "actorId", l.actor_tenant_id as "actorTenantId",
               coalesce(actor.display_name, actor.email) as "actorName", actor_tenant.name as "actorTenantName",
               l.action, l.target_tenant_id as "targetTenantId", target_tenant.name as "targetTenantName",
               l.target_type as "targetType", l.target_id as "targetId",
               case l.target_type when 'agent' then target_agent.name when 'tenant' then target_tenant.name end as "targetName",
               l.details, l.created_at as "createdAt", l.created_at::text as "cursorKey"
        from page l
        left join users actor on actor.tenant_id = l.actor_tenant_id and actor.id = l.actor_id
        left join tenants actor_tenant on actor_tenant.id = l.actor_tenant_id
        left join tenants target_tenant on target_tenant.id = l.target_tenant_id
        left join agents target_agent on target_agent.tenant_id = l.target_tenant_id
          and target_agent.id = (case when l.target_type = 'agent' then l.target_id::uuid end)
        order by l.created_at desc, l.id desc`,
  );
  return toPage(
    rows,
    input.limit,
    ordering,
    ({ cursorKey: _key, ...entry }): AuditEntry => ({
      ...entry,
      createdAt: new Date(entry.createdAt).toISOString(),
    }),
  );
}

async function requireTenant(tx: Tx, tenantId: string) {
  const [row] = await queryRows(tx, sql`select 1 from tenants where id = ${tenantId}`);
  if (!row) throw notFound("tenant", tenantId);
}

/**
 * One audit entry per tenant the run changed, so each tenant's log shows it; a run that changed
 * nothing still leaves one entry (staff ran it, and when).
 */
async function auditMaintenance(
  tx: Tx,
  actor: Caller,
  action: string,
  scopeTenantId: string | undefined,
  changed: Array<{ tenantId: string; details: Record<string, unknown> }>,
  zero: Record<string, unknown>,
) {
  const entries = changed.length ? changed : [{ tenantId: scopeTenantId ?? null, details: zero }];
  await tx.insert(adminAuditLog).values(
    entries.map((e) => ({
      actorId: actor.userId,
      actorTenantId: actor.tenantId,
      action,
      targetTenantId: e.tenantId,
      targetType: "tenant",
      targetId: e.tenantId,
      details: e.details,
    })),
  );
}

/**
 * Retention from the admin panel. The staff role has no DELETE on tenant data; the deletes run
 * as the app role inside each tenant's scope (actAsTenant), in this request's transaction, so
 * the audit entries commit with exactly what was deleted. Bounded by `maxRows` per call.
 */
export async function runRetention(tx: Tx, actor: Caller, input: z.output<typeof adminRunRetentionInput>): Promise<RetentionRun> {
  if (input.tenantId) await requireTenant(tx, input.tenantId);
  const result = await deleteOldExecutionsAsStaff(tx, input);
  const run = { olderThanDays: input.olderThanDays, cutoff: result.cutoff, complete: result.complete };
  await auditMaintenance(
    tx,
    actor,
    "maintenance.retention",
    input.tenantId,
    result.tenants.map((t) => ({ tenantId: t.tenantId, details: { ...run, executions: t.executions, steps: t.steps } })),
    { ...run, executions: 0, steps: 0 },
  );
  return { ...result, tenants: result.tenants.map(({ tenantId, executions, steps }) => ({ tenantId, executions, steps })) };
}

/** Closes stuck executions as failed, as each tenant (see runRetention); audited per tenant. */
export async function closeStuck(tx: Tx, actor: Caller, input: z.output<typeof adminCloseStuckInput>): Promise<StuckRun> {
  if (input.tenantId) await requireTenant(tx, input.tenantId);
  const result = await closeStuckExecutionsAsStaff(tx, input);
  const run = { olderThanMinutes: input.olderThanMinutes, cutoff: result.cutoff, complete: result.complete };
  await auditMaintenance(
    tx,
    actor,
    "maintenance.closeStuck",
    input.tenantId,
    result.tenants.map((t) => ({ tenantId: t.tenantId, details: { ...run, closed: t.closed, executionIds: t.executionIds } })),
    { ...run, closed: 0 },
  );
  return result;
}
