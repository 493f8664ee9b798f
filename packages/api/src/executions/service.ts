import {
  type AppendStepsInput,
  type CancelExecutionInput,
  type CompleteExecutionInput,
  type Execution,
  type ExecutionStatus,
  type ExecutionSummary,
  type ExecutionWithSteps,
  type FailExecutionInput,
  type ListExecutionsInput,
  runnableAgentStatuses,
  type StartExecutionInput,
  type TerminalExecutionStatus,
} from "@agent-builder/contracts";
import {
  agentExecutionSteps,
  agentExecutions,
  agents,
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  gte,
  inArray,
  jsonb,
  lt,
  queryRows,
  type SQL,
  sql,
  type Tx,
} from "@agent-builder/db";

import type { Caller } from "../auth";
import { Conflict, type NotFound, PreconditionFailed } from "../domain-errors";
import { notFound } from "../errors";
import { decodeCursor, toPage } from "../pagination";
import "./constraints"; // this domain's constraint messages (errors.ts reads them)

type ExecutionRow = typeof agentExecutions.$inferSelect;

/** An execution row as the contract's summary: the one mapping every execution list uses (admin.executions too). */
export function toSummary(row: ExecutionRow): ExecutionSummary {
  return {
    id: row.id,
    agentId: row.agentId,
    crewId: row.crewId,
    parentExecutionId: row.parentExecutionId,
    conversationId: row.conversationId,
    userId: row.userId,
    status: row.status,
    startedAt: row.startedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    durationMs: row.durationMs,
    usage: {
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      cachedInputTokens: row.cachedInputTokens,
      reasoningTokens: row.reasoningTokens,
      totalTokens: row.totalTokens ?? row.inputTokens + row.outputTokens,
    },
    costUsd: Number(row.costUsd),
    error: row.errorMessage === null ? null : { code: row.errorCode, message: row.errorMessage },
    idempotencyKey: row.idempotencyKey,
    stepCount: row.stepCount,
    createdAt: row.createdAt.toISOString(),
  };
}

function toExecution(row: ExecutionRow): Execution {
  return { ...toSummary(row), input: row.inputData, output: row.outputData, metadata: row.metadata };
}

const byId = (caller: Caller, id: string) => and(eq(agentExecutions.tenantId, caller.tenantId), eq(agentExecutions.id, id));

export async function startExecution(tx: Tx, caller: Caller, input: StartExecutionInput): Promise<Execution> {
  const [agent] = await tx
    .select({ status: agents.status })
    .from(agents)
    .where(and(eq(agents.tenantId, caller.tenantId), eq(agents.id, input.agentId)));
  if (!agent) throw notFound("agent", input.agentId);
  if (!(runnableAgentStatuses as readonly string[]).includes(agent.status)) {
    throw new PreconditionFailed(`agent is ${agent.status}; activate it before running it`);
  }

  const [created] = await tx
    .insert(agentExecutions)
    .values({
      tenantId: caller.tenantId,
      agentId: input.agentId,
      userId: caller.userId,
      inputData: jsonb(input.input),
      idempotencyKey: input.idempotencyKey ?? null,
      metadata: input.metadata ?? {},
    })
    .onConflictDoNothing({ target: [agentExecutions.tenantId, agentExecutions.idempotencyKey] })
    .returning();
  if (created) return toExecution(created);

  // The idempotency key was used before: same payload → that execution; different → CONFLICT.
  const key = input.idempotencyKey;
  if (key === undefined) throw new Error("insert into agent_executions returned no row without an idempotency key");
  const [previous] = await queryRows<{ id: string; same: boolean }>(
    tx,
    sql`select id, (agent_id = ${input.agentId}::uuid
                    and input_data = ${JSON.stringify(input.input)}::jsonb
                    and metadata = ${JSON.stringify(input.metadata ?? {})}::jsonb) as same
        from agent_executions where tenant_id = ${caller.tenantId} and idempotency_key = ${key}`,
  );
  if (!previous?.same) {
    throw new Conflict("idempotency key already used with a different payload; use a new key for a new execution");
  }
  const [existing] = await tx.select().from(agentExecutions).where(byId(caller, previous.id));
  if (!existing) throw new Error(`execution ${previous.id} was found by its idempotency key, then not by its id`);
  return toExecution(existing);
}

export async function appendSteps(tx: Tx, caller: Caller, input: AppendStepsInput) {
  // Reserving ordinals by bumping step_count locks the execution row: concurrent appends queue
  // up instead of racing for the same ordinals.
  const [reserved] = await tx
    .update(agentExecutions)
    .set({ stepCount: sql`${agentExecutions.stepCount} + ${input.steps.length}` })
    .where(and(byId(caller, input.executionId), eq(agentExecutions.status, "running")))
    .returning({ stepCount: agentExecutions.stepCount });
  if (!reserved) throw await notRunning(tx, caller, input.executionId, "steps can only be appended while it is running");
  const first = reserved.stepCount - input.steps.length + 1;
  const steps = await tx
    .insert(agentExecutionSteps)
    .values(
      input.steps.map((step, i) => ({
        tenantId: caller.tenantId,
        executionId: input.executionId,
        ordinal: first + i,
        type: step.type,
        data: jsonb(step.data),
        inputTokens: step.inputTokens,
        outputTokens: step.outputTokens,
      })),
    )
    .returning({ ordinal: agentExecutionSteps.ordinal, type: agentExecutionSteps.type, createdAt: agentExecutionSteps.createdAt });
  return {
    executionId: input.executionId,
    steps: steps.map((s) => ({ ...s, createdAt: s.createdAt.toISOString() })),
    stepCount: reserved.stepCount,
  };
}

interface Finish {
  status: TerminalExecutionStatus;
  output?: unknown;
  usage?: { inputTokens: number; outputTokens: number; cachedInputTokens: number; reasoningTokens: number };
  costUsd?: number;
  durationMs?: number;
  error?: { code?: string; message: string };
}

/**
 * Moves a running execution to a terminal status. Only one of concurrent complete / fail /
 * cancel calls can match `status = 'running'`; the others get CONFLICT. The usage trigger
 * counts the execution in the same transaction.
 */
async function finishExecution(tx: Tx, caller: Caller, id: string, finish: Finish): Promise<Execution> {
  const [finished] = await tx
    .update(agentExecutions)
    .set({
      status: finish.status,
      completedAt: sql`greatest(now(), ${agentExecutions.startedAt})`,
      durationMs:
        finish.durationMs ??
        sql`round(extract(epoch from (greatest(now(), ${agentExecutions.startedAt}) - ${agentExecutions.startedAt})) * 1000)::int`,
      ...(finish.output !== undefined && { outputData: jsonb(finish.output) }),
      ...(finish.usage && finish.usage),
      ...(finish.costUsd !== undefined && { costUsd: finish.costUsd.toFixed(6) }),
      ...(finish.error && { errorCode: finish.error.code ?? null, errorMessage: finish.error.message }),
    })
    .where(and(byId(caller, id), eq(agentExecutions.status, "running")))
    .returning();
  if (!finished) throw await notRunning(tx, caller, id, `it cannot become ${finish.status}`);
  return toExecution(finished);
}

/** Why a write guarded by `status = 'running'` matched no row: the execution is gone, or it already finished. */
async function notRunning(tx: Tx, caller: Caller, id: string, consequence: string): Promise<NotFound | Conflict> {
  const [current] = await tx.select({ status: agentExecutions.status }).from(agentExecutions).where(byId(caller, id));
  if (!current) return notFound("execution", id);
  return new Conflict(`execution ${id} is already ${current.status}; ${consequence}`);
}

export function completeExecution(tx: Tx, caller: Caller, input: CompleteExecutionInput) {
  return finishExecution(tx, caller, input.id, {
    status: "succeeded",
    output: input.output,
    usage: input.usage,
    costUsd: input.costUsd,
    durationMs: input.durationMs,
  });
}

export function failExecution(tx: Tx, caller: Caller, input: FailExecutionInput) {
  return finishExecution(tx, caller, input.id, {
    status: "failed",
    error: input.error,
    usage: input.usage,
    costUsd: input.costUsd,
    durationMs: input.durationMs,
  });
}

export function cancelExecution(tx: Tx, caller: Caller, input: CancelExecutionInput) {
  return finishExecution(tx, caller, input.id, {
    status: "cancelled",
    error: input.reason ? { code: "cancelled", message: input.reason } : undefined,
  });
}

export async function getExecution(tx: Tx, caller: Caller, id: string): Promise<ExecutionWithSteps> {
  // One round trip: Drizzle's relational query folds the steps into the execution row.
  const row = await tx.query.agentExecutions.findFirst({
    where: byId(caller, id),
    with: { steps: { orderBy: [asc(agentExecutionSteps.ordinal)] } },
  });
  if (!row) throw notFound("execution", id);
  return {
    ...toExecution(row),
    steps: row.steps.map((s) => ({
      ordinal: s.ordinal,
      type: s.type,
      data: s.data,
      inputTokens: s.inputTokens,
      outputTokens: s.outputTokens,
      createdAt: s.createdAt.toISOString(),
    })),
  };
}

export async function listExecutions(tx: Tx, caller: Caller, input: ListExecutionsInput) {
  const ordering = "createdAt:desc";
  const conditions: SQL[] = [eq(agentExecutions.tenantId, caller.tenantId)];
  if (input.agentId) conditions.push(eq(agentExecutions.agentId, input.agentId));
  if (input.userId) conditions.push(eq(agentExecutions.userId, input.userId));
  if (input.status) conditions.push(inArray(agentExecutions.status, ([] as ExecutionStatus[]).concat(input.status)));
  if (input.from) conditions.push(gte(agentExecutions.createdAt, new Date(input.from)));
  if (input.to) conditions.push(lt(agentExecutions.createdAt, new Date(input.to)));
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, ordering);
    conditions.push(sql`(${agentExecutions.createdAt}, ${agentExecutions.id}) < (${cursor.v}::timestamptz, ${cursor.id}::uuid)`);
  }
  // Lists leave out the payloads (up to 256 KiB each); `executions.get` returns them.
  const { inputData: _input, outputData: _output, metadata: _metadata, ...summaryColumns } = getTableColumns(agentExecutions);
  const rows = await tx
    .select({ ...summaryColumns, cursorKey: sql<string>`${agentExecutions.createdAt}::text` })
    .from(agentExecutions)
    .where(and(...conditions))
    .orderBy(desc(agentExecutions.createdAt), desc(agentExecutions.id))
    .limit(input.limit + 1);
  return toPage(rows, input.limit, ordering, (row) => toSummary(row as unknown as ExecutionRow));
}
