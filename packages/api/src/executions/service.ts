import {
  type AppendStepsInput,
  type CancelExecutionInput,
  type CompleteExecutionInput,
  type Execution,
  type ExecutionCost,
  type ExecutionPricing,
  type ExecutionStatus,
  type ExecutionSummary,
  type ExecutionWithSteps,
  type FailExecutionInput,
  type ListExecutionsInput,
  type PriceSnapshot,
  runnableAgentStatuses,
  type StartExecutionInput,
  type TerminalExecutionStatus,
  type TokenUsageInput,
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
import { BadRequest, Conflict, type NotFound, PreconditionFailed } from "../domain-errors";
import { notFound } from "../errors";
import { decodeCursor, toPage } from "../pagination";
import "./constraints"; // this domain's constraint messages (errors.ts reads them)
import { checkAgent, checkConversation, checkCrew, checkCrewAgent, checkTasks, readSubjects } from "./subjects";

type ExecutionRow = typeof agentExecutions.$inferSelect;

/** An execution row as the contract's summary: the one mapping every execution list uses (admin.executions too). */
export function toSummary(row: Omit<ExecutionRow, "inputData" | "outputData" | "metadata">): ExecutionSummary {
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
      cacheWriteTokens: row.cacheWriteTokens,
      totalTokens: row.totalTokens ?? row.inputTokens + row.outputTokens,
    },
    costUsd: usd(row.costUsd),
    model: row.model,
    error: row.errorMessage === null ? null : { code: row.errorCode, message: row.errorMessage },
    idempotencyKey: row.idempotencyKey,
    stepCount: row.stepCount,
    createdAt: row.createdAt.toISOString(),
  };
}

/** A numeric column as dollars; null stays null (an unknown cost is never $0). */
const usd = (value: string | null): number | null => (value === null ? null : Number(value));

/** A price snapshot as the database keeps it (price_snapshot: numbers, tiers as imported) in the contract's shape. */
function toPriceSnapshot(snapshot: Record<string, unknown> | null): PriceSnapshot | null {
  if (snapshot === null) return null;
  const price = (value: unknown) => (value === undefined || value === null ? undefined : Number(value));
  const tiers = Array.isArray(snapshot.tiers) ? (snapshot.tiers as Array<Record<string, unknown>>) : [];
  return {
    modelId: String(snapshot.modelId),
    provider: String(snapshot.provider),
    modelName: String(snapshot.modelName),
    source: String(snapshot.source),
    validFrom: String(snapshot.validFrom),
    currency: String(snapshot.currency),
    input: Number(snapshot.input),
    output: Number(snapshot.output),
    ...withPrices(snapshot, price),
    tiers: tiers.map((tier) => ({ inputTokensAbove: Number(tier.inputTokensAbove), ...withPrices(tier, price, ["input", "output"]) })),
    tenantOverride: snapshot.tenantOverride === true,
  };
}

/** The optional unit prices of a snapshot or tier that it has (a missing one falls back in price_usage). */
function withPrices(
  from: Record<string, unknown>,
  price: (value: unknown) => number | undefined,
  extra: Array<"input" | "output"> = [],
): Partial<Record<"input" | "output" | "cachedInput" | "cacheWrite" | "reasoning", number>> {
  const keys = [...extra, "cachedInput", "cacheWrite", "reasoning"] as const;
  return Object.fromEntries(keys.flatMap((key) => (price(from[key]) === undefined ? [] : [[key, price(from[key])]])));
}

/** `executions.get`'s cost breakdown from the columns the price trigger wrote (agent_executions_price, agent_executions_crew_run). */
function toCost(row: ExecutionRow): ExecutionCost {
  const pricing = row.pricing as {
    source: ExecutionPricing["source"];
    lines?: Array<Record<string, unknown>>;
    unpricedChildRuns?: number;
  } | null;
  return {
    providedUsd: usd(row.providedCostUsd),
    computedUsd: usd(row.computedCostUsd),
    pricing:
      pricing === null
        ? null
        : {
            source: pricing.source,
            lines: (pricing.lines ?? []).map((line) => ({
              model: typeof line.model === "string" ? line.model : null,
              price: toPriceSnapshot((line.price as Record<string, unknown> | null | undefined) ?? null),
              steps: Number(line.steps ?? 0),
              inputTokens: Number(line.inputTokens ?? 0),
              outputTokens: Number(line.outputTokens ?? 0),
              cachedInputTokens: Number(line.cachedInputTokens ?? 0),
              reasoningTokens: Number(line.reasoningTokens ?? 0),
              cacheWriteTokens: Number(line.cacheWriteTokens ?? 0),
              costUsd: line.costUsd === null || line.costUsd === undefined ? null : Number(line.costUsd),
            })),
            ...(pricing.unpricedChildRuns !== undefined && { unpricedChildRuns: Number(pricing.unpricedChildRuns) }),
          },
  };
}

function toExecution(row: ExecutionRow): Execution {
  return { ...toSummary(row), input: row.inputData, output: row.outputData, metadata: row.metadata };
}

const byId = (caller: Caller, id: string) => and(eq(agentExecutions.tenantId, caller.tenantId), eq(agentExecutions.id, id));

/**
 * Starts a run: an agent run (`agentId`), a crew run (`crewId`) or a child run of a running crew
 * run (`parentExecutionId` + `agentId`), optionally in a conversation. A plain agent run reads
 * only its agent's status; the others check their subjects in one statement (subjects.ts). The
 * database holds the crew-run rules again (trigger agent_executions_crew_run: the parent must be a
 * running crew run, AB412/AB400), for a crew run that finishes between the check and the insert.
 */
export async function startExecution(tx: Tx, caller: Caller, input: StartExecutionInput): Promise<Execution> {
  let crewId: string | null = input.crewId ?? null;
  if (input.crewId === undefined && input.parentExecutionId === undefined && input.conversationId === undefined) {
    const agentId = input.agentId ?? "";
    const [agent] = await tx
      .select({ status: agents.status })
      .from(agents)
      .where(and(eq(agents.tenantId, caller.tenantId), eq(agents.id, agentId)));
    if (!agent) throw notFound("agent", agentId);
    if (!(runnableAgentStatuses as readonly string[]).includes(agent.status)) {
      throw new PreconditionFailed(`agent is ${agent.status}; activate it before running it`);
    }
  } else {
    crewId = await checkStart(tx, caller, input);
  }

  const [created] = await tx
    .insert(agentExecutions)
    .values({
      tenantId: caller.tenantId,
      agentId: input.agentId ?? null,
      crewId,
      parentExecutionId: input.parentExecutionId ?? null,
      conversationId: input.conversationId ?? null,
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
    sql`select id, (agent_id is not distinct from ${input.agentId ?? null}::uuid
                    and (${input.crewId ?? null}::uuid is null or crew_id = ${input.crewId ?? null}::uuid)
                    and parent_execution_id is not distinct from ${input.parentExecutionId ?? null}::uuid
                    and conversation_id is not distinct from ${input.conversationId ?? null}::uuid
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

/** The subject checks of a crew run, a child run or a run in a conversation; returns the run's crew (a child run takes its crew run's). */
async function checkStart(tx: Tx, caller: Caller, input: StartExecutionInput): Promise<string | null> {
  const subjects = await readSubjects(tx, caller, {
    agentIds: input.agentId ? [input.agentId] : [],
    crewIds: input.crewId ? [input.crewId] : [],
    conversationIds: input.conversationId ? [input.conversationId] : [],
    parentExecutionId: input.parentExecutionId,
  });
  if (input.conversationId) checkConversation(subjects, input.conversationId, input);
  if (input.crewId) {
    checkCrew(subjects, input.crewId);
    return input.crewId;
  }
  const agentId = input.agentId ?? "";
  if (input.parentExecutionId === undefined) {
    checkAgent(subjects, agentId);
    return null;
  }
  const parent = subjects.parent;
  if (!parent) throw notFound("execution", input.parentExecutionId);
  if (parent.agentId !== null || parent.crewId === null) {
    throw new BadRequest(`parentExecutionId: execution ${parent.id} is not a crew run`);
  }
  if (parent.status !== "running") {
    throw new PreconditionFailed(`crew run ${parent.id} is already ${parent.status}; it takes no more child runs`);
  }
  const crew = subjects.crews.get(parent.crewId);
  if (!crew) throw notFound("crew", parent.crewId);
  checkCrewAgent(subjects, crew, agentId);
  return parent.crewId;
}

export async function appendSteps(tx: Tx, caller: Caller, input: AppendStepsInput) {
  // Reserving ordinals by bumping step_count locks the execution row: concurrent appends queue
  // up instead of racing for the same ordinals.
  const [reserved] = await tx
    .update(agentExecutions)
    .set({ stepCount: sql`${agentExecutions.stepCount} + ${input.steps.length}` })
    .where(and(byId(caller, input.executionId), eq(agentExecutions.status, "running")))
    .returning({ stepCount: agentExecutions.stepCount, crewId: agentExecutions.crewId });
  if (!reserved) throw await notRunning(tx, caller, input.executionId, "steps can only be appended while it is running");
  const taskIds = new Set(input.steps.flatMap((step) => (step.taskId ? [step.taskId] : [])));
  // A step's task must be one of the run's crew (one more statement, only when steps name tasks).
  if (taskIds.size > 0) checkTasks(await readSubjects(tx, caller, { taskIds: [...taskIds] }), reserved.crewId, taskIds);
  const first = reserved.stepCount - input.steps.length + 1;
  const steps = await tx
    .insert(agentExecutionSteps)
    .values(
      input.steps.map((step, i) => ({
        tenantId: caller.tenantId,
        executionId: input.executionId,
        ordinal: first + i,
        type: step.type,
        taskId: step.taskId ?? null,
        data: jsonb(step.data),
        inputTokens: step.inputTokens,
        outputTokens: step.outputTokens,
        cachedInputTokens: step.cachedInputTokens,
        reasoningTokens: step.reasoningTokens,
        cacheWriteTokens: step.cacheWriteTokens,
        model: step.model ?? null,
      })),
    )
    .returning({
      ordinal: agentExecutionSteps.ordinal,
      type: agentExecutionSteps.type,
      taskId: agentExecutionSteps.taskId,
      createdAt: agentExecutionSteps.createdAt,
    });
  return {
    executionId: input.executionId,
    steps: steps.map((s) => ({ ...s, createdAt: s.createdAt.toISOString() })),
    stepCount: reserved.stepCount,
  };
}

interface Finish {
  status: TerminalExecutionStatus;
  output?: unknown;
  usage?: TokenUsageInput;
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
  // Failing or cancelling a crew run first cancels its child runs still running, in this
  // transaction: the crew run can then finish (the trigger refuses while a child runs) and sums
  // what its children did. For any other run this matches nothing (the parent index, no row).
  // Completing a crew run does not: a child still running is the caller's mistake (PRECONDITION_FAILED).
  if (finish.status !== "succeeded") {
    // Row locks first, in id order, before any counter row: cancelling child by child would
    // hold a child's counter rows while waiting for the next child, which a run finishing at the
    // same moment holds while it waits for those counter rows (a deadlock). A child finishing
    // meanwhile is waited for, then left out (no longer running).
    await tx.execute(
      sql`select id from agent_executions
          where tenant_id = ${caller.tenantId} and parent_execution_id = ${id}::uuid and status = 'running'
          order by id for no key update`,
    );
    await tx
      .update(agentExecutions)
      .set({
        status: "cancelled",
        completedAt: sql`greatest(now(), ${agentExecutions.startedAt})`,
        durationMs: sql`round(extract(epoch from (greatest(now(), ${agentExecutions.startedAt}) - ${agentExecutions.startedAt})) * 1000)::int`,
        errorCode: "cancelled",
        errorMessage: `crew run ${id} ${finish.status === "failed" ? "failed" : "was cancelled"}`,
      })
      .where(
        and(
          eq(agentExecutions.tenantId, caller.tenantId),
          eq(agentExecutions.parentExecutionId, id),
          eq(agentExecutions.status, "running"),
        ),
      );
  }
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
      // A crew run's cost is its children's (agent_executions_crew_run): a cost given for it is not kept as provided.
      ...(finish.costUsd !== undefined && {
        providedCostUsd: sql`case when ${agentExecutions.agentId} is null then null else ${finish.costUsd.toFixed(6)}::numeric end`,
      }),
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
  // One round trip: Drizzle's relational query folds the steps into the execution row. A crew
  // run's child runs are one more (one statement for all of them, oldest first).
  const row = await tx.query.agentExecutions.findFirst({
    where: byId(caller, id),
    with: { steps: { orderBy: [asc(agentExecutionSteps.ordinal)] } },
  });
  if (!row) throw notFound("execution", id);
  const childRuns =
    row.agentId === null
      ? await tx
          .select(summaryColumns())
          .from(agentExecutions)
          .where(and(eq(agentExecutions.tenantId, caller.tenantId), eq(agentExecutions.parentExecutionId, id)))
          .orderBy(asc(agentExecutions.startedAt), asc(agentExecutions.id))
      : [];
  return {
    ...toExecution(row),
    cost: toCost(row),
    steps: row.steps.map((s) => ({
      ordinal: s.ordinal,
      type: s.type,
      taskId: s.taskId,
      data: s.data,
      model: s.model,
      inputTokens: s.inputTokens,
      outputTokens: s.outputTokens,
      cachedInputTokens: s.cachedInputTokens,
      reasoningTokens: s.reasoningTokens,
      cacheWriteTokens: s.cacheWriteTokens,
      // A step without tokens costs nothing (the price trigger skips it); null is an unpriced model.
      costUsd: s.inputTokens === 0 && s.outputTokens === 0 ? 0 : usd(s.costUsd),
      createdAt: s.createdAt.toISOString(),
    })),
    childRuns: childRuns.map(toSummary),
  };
}

/** Every column but the payloads (up to 256 KiB each): what lists select; `executions.get` returns the payloads. */
export function summaryColumns() {
  const { inputData: _input, outputData: _output, metadata: _metadata, ...columns } = getTableColumns(agentExecutions);
  return columns;
}

export async function listExecutions(tx: Tx, caller: Caller, input: ListExecutionsInput) {
  const ordering = "createdAt:desc";
  const conditions: SQL[] = [eq(agentExecutions.tenantId, caller.tenantId)];
  if (input.agentId) conditions.push(eq(agentExecutions.agentId, input.agentId));
  if (input.crewId) conditions.push(eq(agentExecutions.crewId, input.crewId));
  if (input.parentExecutionId) conditions.push(eq(agentExecutions.parentExecutionId, input.parentExecutionId));
  if (input.userId) conditions.push(eq(agentExecutions.userId, input.userId));
  if (input.status) conditions.push(inArray(agentExecutions.status, ([] as ExecutionStatus[]).concat(input.status)));
  if (input.from) conditions.push(gte(agentExecutions.createdAt, new Date(input.from)));
  if (input.to) conditions.push(lt(agentExecutions.createdAt, new Date(input.to)));
  if (input.cursor) {
    const cursor = decodeCursor(input.cursor, ordering);
    conditions.push(sql`(${agentExecutions.createdAt}, ${agentExecutions.id}) < (${cursor.v}::timestamptz, ${cursor.id}::uuid)`);
  }
  const rows = await tx
    .select({ ...summaryColumns(), cursorKey: sql<string>`${agentExecutions.createdAt}::text` })
    .from(agentExecutions)
    .where(and(...conditions))
    .orderBy(desc(agentExecutions.createdAt), desc(agentExecutions.id))
    .limit(input.limit + 1);
  return toPage(rows, input.limit, ordering, ({ cursorKey: _key, ...row }) => toSummary(row));
}
