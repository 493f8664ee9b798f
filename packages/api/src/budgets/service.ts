import type {
  Budget,
  BudgetCrossing,
  CreateBudgetInput,
  ListBudgetCrossingsInput,
  ListBudgetsInput,
  UpdateBudgetInput,
} from "@agent-builder/contracts";
import { and, budgets, eq, queryRows, type SQL, sql, type Tx } from "@agent-builder/db";

import type { Caller } from "../auth";
import { Conflict, type NotFound } from "../domain-errors";
import { notFound } from "../errors";
import { decodeCursor, toPage } from "../pagination";
import "./constraints"; // this domain's constraint messages (errors.ts reads them)

/**
 * Budgets and where each stands. A budget's status is computed in the statement that reads it:
 * the period's spend through `budget_spend` (the usage rollups, never executions), the running
 * executions' unexpired reservations (an index range on budget_reservations), the reset time
 * through `budget_resets_at`. A page of budgets is one statement.
 */

export type BudgetRow = Omit<Budget, "createdAt" | "updatedAt"> & { createdAt: string | Date; updatedAt: string | Date; cursorKey: string };

/** Every budget of the caller's tenant matching `where` (on alias `b`), with its status, in `order`, at most `limit`. */
function selectBudgets(caller: Caller, where: SQL, order: SQL, limit: number): SQL {
  return sql`select b.id, b.name, b.scope, b.space_id as "spaceId", b.agent_id as "agentId", b.crew_id as "crewId",
                    b.period, b.limit_usd::float8 as "limitUsd", b.enforcement, b.alert_threshold_percent as "alertThresholdPercent",
                    b.version, b.created_at as "createdAt", b.updated_at as "updatedAt", b.created_at::text as "cursorKey",
                    json_build_object(
                      'spendUsd', s.spend::float8,
                      'limitUsd', b.limit_usd::float8,
                      'percent', round(s.spend * 100 / b.limit_usd, 2)::float8,
                      'reservedUsd', r.reserved::float8,
                      'remainingUsd', greatest(b.limit_usd - s.spend - r.reserved, 0)::float8,
                      'periodStart', to_char(budget_period_start(b.period, now()), 'YYYY-MM-DD'),
                      'resetsAt', to_char(budget_resets_at(b.period, now()) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                      'state', case
                        when s.spend >= b.limit_usd then 'exceeded'
                        when b.alert_threshold_percent is not null and s.spend * 100 >= b.limit_usd * b.alert_threshold_percent then 'threshold'
                        else 'ok' end
                    ) as status
             from budgets b
             cross join lateral (select budget_spend(b, now()) as spend) s
             -- Expired reservations (a run that never finished) hold nothing, as the start check says.
             cross join lateral (
               select coalesce(sum(x.amount_usd), 0) as reserved from budget_reservations x
               where x.budget_id = b.id and x.expires_at > now()
             ) r
             where b.tenant_id = ${caller.tenantId} and ${where}
             order by ${order}
             limit ${limit}`;
}

function toBudget({ cursorKey: _key, ...row }: BudgetRow): Budget {
  return { ...row, createdAt: new Date(row.createdAt).toISOString(), updatedAt: new Date(row.updatedAt).toISOString() };
}

export async function getBudget(tx: Tx, caller: Caller, id: string): Promise<Budget> {
  const [row] = await queryRows<BudgetRow>(tx, selectBudgets(caller, sql`b.id = ${id}::uuid`, sql`b.id`, 1));
  if (!row) throw notFound("budget", id);
  return toBudget(row);
}

export async function createBudget(tx: Tx, caller: Caller, input: CreateBudgetInput): Promise<Budget> {
  // Another tenant's space, agent or crew fails the composite foreign key: NOT_FOUND (constraints.ts).
  const [created] = await tx
    .insert(budgets)
    .values({
      tenantId: caller.tenantId,
      name: input.name,
      scope: input.scope,
      spaceId: input.spaceId ?? null,
      agentId: input.agentId ?? null,
      crewId: input.crewId ?? null,
      period: input.period,
      limitUsd: String(input.limitUsd),
      enforcement: input.enforcement,
      alertThresholdPercent: input.alertThresholdPercent ?? null,
    })
    .returning({ id: budgets.id });
  if (!created) throw new Error("budget insert returned no row");
  return getBudget(tx, caller, created.id);
}

export async function updateBudget(tx: Tx, caller: Caller, input: UpdateBudgetInput): Promise<Budget> {
  const { id, expectedVersion, limitUsd, ...fields } = input;
  const [updated] = await tx
    .update(budgets)
    .set({
      ...fields,
      ...(limitUsd !== undefined && { limitUsd: String(limitUsd) }),
      version: sql`${budgets.version} + 1`,
    })
    .where(and(eq(budgets.tenantId, caller.tenantId), eq(budgets.id, id), eq(budgets.version, expectedVersion)))
    .returning({ id: budgets.id });
  if (!updated) throw await versionMiss(tx, caller, id, expectedVersion);
  return getBudget(tx, caller, id);
}

/** Why a write guarded by `version = expected` matched no row: the budget is gone, or it moved on. */
async function versionMiss(tx: Tx, caller: Caller, id: string, expectedVersion: number): Promise<NotFound | Conflict> {
  const [current] = await tx
    .select({ version: budgets.version })
    .from(budgets)
    .where(and(eq(budgets.tenantId, caller.tenantId), eq(budgets.id, id)));
  if (!current) return notFound("budget", id);
  return new Conflict(`budget ${id} is at version ${current.version}, not ${expectedVersion}: reload it and retry`);
}

/** Deletes a budget with its reservations and crossings (cascade): running executions stop answering to it. */
export async function deleteBudget(tx: Tx, caller: Caller, id: string): Promise<{ id: string }> {
  const [deleted] = await tx
    .delete(budgets)
    .where(and(eq(budgets.tenantId, caller.tenantId), eq(budgets.id, id)))
    .returning({ id: budgets.id });
  if (!deleted) throw notFound("budget", id);
  return deleted;
}

const listOrdering = "createdAt:desc";

export async function listBudgets(
  tx: Tx,
  caller: Caller,
  input: ListBudgetsInput,
): Promise<{ items: Budget[]; nextCursor: string | null }> {
  const conditions: SQL[] = [];
  if (input.scope) conditions.push(sql`b.scope = ${input.scope}`);
  if (input.spaceId) conditions.push(sql`b.space_id = ${input.spaceId}::uuid`);
  if (input.agentId) conditions.push(sql`b.agent_id = ${input.agentId}::uuid`);
  if (input.crewId) conditions.push(sql`b.crew_id = ${input.crewId}::uuid`);
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, listOrdering);
    conditions.push(sql`(b.created_at, b.id) < (${cursor.v}::timestamptz, ${cursor.id}::uuid)`);
  }
  const where = conditions.length > 0 ? sql.join(conditions, sql` and `) : sql`true`;
  const rows = await queryRows<BudgetRow>(tx, selectBudgets(caller, where, sql`b.created_at desc, b.id desc`, input.limit + 1));
  return toPage(rows, input.limit, listOrdering, toBudget);
}

/** Whose budgets a usage read (or a staff page) shows: the subject's own and those above it. */
export type BudgetSubject =
  | { kind: "tenant" }
  | { kind: "space"; spaceId: string }
  | { kind: "agent"; agentId: string }
  | { kind: "crew"; crewId: string };

/** At most this many budgets in a usage read (they are a tenant's few limits, not a list to page). */
const applyingBudgetsMax = 100;

/**
 * The budgets whose spend a subject's runs add to, tenant's first, then the space's, then the
 * subject's own: the tenant's; a space's; an agent's, its space's; a crew's, its space's. One statement.
 */
export async function budgetsApplyingTo(tx: Tx, caller: Caller, subject: BudgetSubject): Promise<Budget[]> {
  const rows = await queryRows<BudgetRow>(tx, budgetsApplyingToQuery(caller, subject));
  return rows.map(toBudget);
}

/**
 * The statement of `budgetsApplyingTo`, for a read that carries the budgets in its own statement
 * (usage.*: `budgetsJson` folds it into the usage query, so a usage read stays one round trip).
 */
export function budgetsApplyingToQuery(caller: Caller, subject: BudgetSubject): SQL {
  const tenant = caller.tenantId;
  let where: SQL;
  switch (subject.kind) {
    case "tenant":
      where = sql`b.scope = 'tenant'`;
      break;
    case "space":
      where = sql`(b.scope = 'tenant' or b.space_id = ${subject.spaceId}::uuid)`;
      break;
    case "agent":
      where = sql`(b.scope = 'tenant' or b.agent_id = ${subject.agentId}::uuid
                   or b.space_id = (select a.space_id from agents a where a.tenant_id = ${tenant} and a.id = ${subject.agentId}::uuid))`;
      break;
    case "crew":
      where = sql`(b.scope = 'tenant' or b.crew_id = ${subject.crewId}::uuid
                   or b.space_id = (select c.space_id from crews c where c.tenant_id = ${tenant} and c.id = ${subject.crewId}::uuid))`;
      break;
  }
  const order = sql`case b.scope when 'tenant' then 0 when 'space' then 1 else 2 end, b.created_at, b.id`;
  return selectBudgets(caller, where, order, applyingBudgetsMax);
}

/** The budgets of `budgetsApplyingToQuery` as one JSON array column, in their order. */
export function budgetsJson(caller: Caller, subject: BudgetSubject): SQL {
  return sql`(select coalesce(json_agg(x), '[]'::json) from (${budgetsApplyingToQuery(caller, subject)}) x)`;
}

/** The rows `budgetsJson` returns, as budgets (its timestamps arrive as JSON text). */
export function toBudgets(rows: BudgetRow[]): Budget[] {
  return rows.map(toBudget);
}

const crossingsOrdering = "crossedAt:desc";

type CrossingRow = Omit<BudgetCrossing, "crossedAt"> & { crossedAt: string | Date; cursorKey: string };

/** The tenant's crossings, newest first; of one budget (NOT_FOUND when it is not the tenant's) and one kind if asked. */
export async function listCrossings(
  tx: Tx,
  caller: Caller,
  input: ListBudgetCrossingsInput,
): Promise<{ items: BudgetCrossing[]; nextCursor: string | null }> {
  const conditions: SQL[] = [sql`c.tenant_id = ${caller.tenantId}`];
  if (input.budgetId) {
    const [budget] = await tx
      .select({ id: budgets.id })
      .from(budgets)
      .where(and(eq(budgets.tenantId, caller.tenantId), eq(budgets.id, input.budgetId)));
    if (!budget) throw notFound("budget", input.budgetId);
    conditions.push(sql`c.budget_id = ${input.budgetId}::uuid`);
  }
  if (input.kind) conditions.push(sql`c.kind = ${input.kind}`);
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, crossingsOrdering);
    conditions.push(sql`(c.crossed_at, c.id) < (${cursor.v}::timestamptz, ${cursor.id}::uuid)`);
  }
  const rows = await queryRows<CrossingRow>(
    tx,
    sql`select c.id, c.budget_id as "budgetId", c.kind, to_char(c.period_start, 'YYYY-MM-DD') as "periodStart",
               c.spend_usd::float8 as "spendUsd", c.limit_usd::float8 as "limitUsd", c.threshold_percent as "thresholdPercent",
               c.execution_id as "executionId", c.crossed_at as "crossedAt", c.crossed_at::text as "cursorKey"
        from budget_crossings c
        where ${sql.join(conditions, sql` and `)}
        order by c.crossed_at desc, c.id desc
        limit ${input.limit + 1}`,
  );
  return toPage(rows, input.limit, crossingsOrdering, ({ cursorKey: _key, ...row }) => ({
    ...row,
    crossedAt: new Date(row.crossedAt).toISOString(),
  }));
}
