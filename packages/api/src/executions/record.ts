import type { RecordChildRunInput, RecordExecutionsInput, RecordExecutionsResult, RecordRunInput } from "@agent-builder/contracts";
import { queryRows, type SQL, sql, type Tx } from "@agent-builder/db";

import type { Caller } from "../auth";
import { BadRequest, Conflict, DomainError } from "../domain-errors";
import { checkAgent, checkConversation, checkCrew, checkCrewAgent, checkTasks, readSubjects, type Subjects } from "./subjects";

/**
 * `executions.record`: finished runs written in one call and ONE transaction (the request's):
 * agent runs, and crew runs with their child runs, each with its steps, usage, cost, status,
 * error and timings. All or nothing: a run that fails a check fails the call and nothing is
 * written. Usage and cost are optional, as on `executions.complete`: the database prices what
 * has no cost (agent_executions_price), the caller's cost is kept beside the computed one.
 * Statements, whatever the batch size: the subjects (one read), the idempotency keys (one read,
 * when runs have keys), the advisory lock (batches of more than one run), then one insert of the
 * top-level runs, one of the child runs, one of the steps, and the finishes: one update for the
 * runs whose steps report tokens, one for the crew runs. Those runs are inserted running and
 * finished once their steps (a run priced from its steps: the price trigger reads them when the
 * run becomes terminal) or children (a crew run: the crew-run trigger sums them then) are in;
 * the usage trigger counts each when it becomes terminal. A run without step usage is inserted
 * finished, in the one insert. Rows go in as one JSON parameter per statement
 * (`jsonb_array_elements`), not a parameter per value.
 */

/** A row as the insert statement reads it (JSON; absent keys are SQL nulls). */
interface RunRow {
  id: string;
  agentId?: string;
  crewId?: string;
  parentExecutionId?: string;
  conversationId?: string;
  input: unknown;
  output?: unknown;
  status: string;
  startedAt: string;
  completedAt?: string;
  durationMs?: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  cacheWriteTokens: number;
  /** The model reported with the usage (else the trigger takes the agent's). */
  model?: string;
  /** The caller's cost; absent: the database computes it. */
  providedCostUsd?: string;
  errorCode?: string;
  errorMessage?: string;
  idempotencyKey?: string;
  metadata: Record<string, unknown>;
  stepCount: number;
}

interface StepRow {
  executionId: string;
  ordinal: number;
  type: string;
  taskId?: string;
  data: unknown;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  cacheWriteTokens: number;
  model?: string;
}

/** How far in the future a run may end (clocks of runner and server differ a little). */
const clockSkewMs = 60_000;

export async function recordExecutions(tx: Tx, caller: Caller, input: RecordExecutionsInput): Promise<RecordExecutionsResult> {
  const { runs } = input;
  const subjects = await readSubjects(tx, caller, {
    agentIds: runs.flatMap((run) => [...(run.agentId ? [run.agentId] : []), ...(run.childRuns ?? []).map((child) => child.agentId)]),
    crewIds: runs.flatMap((run) => (run.crewId ? [run.crewId] : [])),
    conversationIds: runs.flatMap((run) => (run.conversationId ? [run.conversationId] : [])),
    taskIds: runs.flatMap((run) =>
      [run, ...(run.childRuns ?? [])].flatMap((r) => (r.steps ?? []).flatMap((s) => (s.taskId ? [s.taskId] : []))),
    ),
  });
  const now = Date.now();
  runs.forEach((run, i) => at(`runs.${i}`, () => checkRun(subjects, run, now)));
  const replayed = await replays(tx, caller, runs);

  // Ids are made here, time-ordered (UUIDv7), so child runs can name their crew run without a
  // round trip, and a crew run's children in id order are in input order (a retry returns them so).
  const ids = idFactory();
  const topLevel: RunRow[] = [];
  const children: RunRow[] = [];
  const runFinishes: RunRow[] = [];
  const crewFinishes: RunRow[] = [];
  const steps: StepRow[] = [];
  // A row to insert: finished, or running when it must be finished after its steps or children.
  const insertRow = (row: RunRow, finishes: RunRow[] | null): RunRow => {
    if (finishes === null) return row;
    finishes.push(row);
    return { ...row, status: "running", completedAt: undefined, durationMs: undefined, errorCode: undefined, errorMessage: undefined };
  };
  const result: RecordExecutionsResult["runs"] = runs.map((run, i) => {
    const previous = replayed.get(i);
    if (previous) return previous;
    const id = ids();
    const startedAt = run.startedAt ? Date.parse(run.startedAt) : now - run.durationMs;
    // A crew run is finished once its children are in (agent_executions_crew_run sums them then).
    topLevel.push(insertRow(runRow(id, run, startedAt), run.crewId ? crewFinishes : stepsReportUsage(run) ? runFinishes : null));
    steps.push(...stepRows(id, run.steps));
    const childIds = (run.childRuns ?? []).map((child) => {
      const childId = ids();
      const childStart = child.startedAt ? Date.parse(child.startedAt) : startedAt;
      const row = { ...runRow(childId, child, childStart), crewId: run.crewId, parentExecutionId: id };
      children.push(insertRow(row, stepsReportUsage(child) ? runFinishes : null));
      steps.push(...stepRows(childId, child.steps));
      return childId;
    });
    return { id, childIds };
  });

  if (topLevel.length + children.length > 1) {
    // The usage trigger locks counter rows run by run; two batches of one tenant locking the same
    // rows in different orders would deadlock. Batches of a tenant take turns instead (their
    // runs mostly share today's 16 tenant rows, so they would queue on those anyway).
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`executions.record:${caller.tenantId}`}, 0))`);
  }
  if (topLevel.length > 0) await tx.execute(insertRuns(caller, topLevel));
  if (children.length > 0) await tx.execute(insertRuns(caller, children));
  if (steps.length > 0) await tx.execute(insertSteps(caller, steps));
  // Runs priced from their steps first (child runs among them), then the crew runs, which refuse
  // to finish while a child is running: two statements, as an update's row order is not defined.
  if (runFinishes.length > 0) await tx.execute(finishRuns(caller, runFinishes));
  if (crewFinishes.length > 0) await tx.execute(finishRuns(caller, crewFinishes));
  return { runs: result };
}

/** Runs `check`, prefixing a domain error's message with where in the input it is (`runs.3.childRuns.1: …`). */
function at<T>(path: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof DomainError) error.message = `${path}: ${error.message}`;
    throw error;
  }
}

function checkRun(subjects: Subjects, run: RecordRunInput, now: number): void {
  checkTimes(run, now);
  if (run.conversationId) checkConversation(subjects, run.conversationId, run);
  if (run.agentId) {
    checkAgent(subjects, run.agentId);
    checkTasks(subjects, null, taskIdsOf(run));
    return;
  }
  const crewId = run.crewId ?? "";
  const crew = checkCrew(subjects, crewId);
  checkTasks(subjects, crewId, taskIdsOf(run));
  (run.childRuns ?? []).forEach((child, j) =>
    at(`childRuns.${j}`, () => {
      checkTimes(child, now);
      checkCrewAgent(subjects, crew, child.agentId);
      checkTasks(subjects, crewId, taskIdsOf(child));
    }),
  );
}

function checkTimes(run: { startedAt?: string; durationMs: number }, now: number): void {
  if (run.startedAt && Date.parse(run.startedAt) + run.durationMs > now + clockSkewMs) {
    throw new BadRequest("startedAt: the run would end in the future (startedAt + durationMs is after now)");
  }
}

/** A run whose steps report tokens is priced from them (agent_executions_price), so it must finish after they are written. */
const stepsReportUsage = (run: { steps?: Array<{ inputTokens: number; outputTokens: number }> }) =>
  (run.steps ?? []).some((step) => step.inputTokens > 0 || step.outputTokens > 0);

const taskIdsOf = (run: { steps?: Array<{ taskId?: string }> }) => (run.steps ?? []).flatMap((s) => (s.taskId ? [s.taskId] : []));

function runRow(id: string, run: RecordRunInput | RecordChildRunInput, startedAt: number): RunRow {
  const { model, ...usage } = run.usage ?? {
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    cacheWriteTokens: 0,
  };
  return {
    id,
    agentId: run.agentId,
    crewId: "crewId" in run ? run.crewId : undefined,
    conversationId: "conversationId" in run ? run.conversationId : undefined,
    input: run.input,
    output: run.output,
    status: run.status,
    startedAt: new Date(startedAt).toISOString(),
    completedAt: new Date(startedAt + run.durationMs).toISOString(),
    durationMs: run.durationMs,
    ...usage,
    model,
    providedCostUsd: run.costUsd?.toFixed(6),
    errorCode: run.error ? (run.error.code ?? undefined) : undefined,
    errorMessage: run.error?.message,
    idempotencyKey: run.idempotencyKey,
    metadata: run.metadata ?? {},
    stepCount: run.steps?.length ?? 0,
  };
}

function stepRows(executionId: string, steps: RecordRunInput["steps"]): StepRow[] {
  return (steps ?? []).map((step, i) => ({ executionId, ordinal: i + 1, ...step }));
}

const json = (rows: unknown[]) => sql`${JSON.stringify(rows)}::jsonb`;

function insertRuns(caller: Caller, rows: RunRow[]): SQL {
  return sql`insert into agent_executions (
      id, tenant_id, agent_id, crew_id, parent_execution_id, conversation_id, user_id, input_data, output_data, status,
      started_at, completed_at, duration_ms, input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, cache_write_tokens,
      model, provided_cost_usd, error_code, error_message, idempotency_key, metadata, step_count, created_at)
    select (r->>'id')::uuid, ${caller.tenantId}, (r->>'agentId')::uuid, (r->>'crewId')::uuid, (r->>'parentExecutionId')::uuid,
           (r->>'conversationId')::uuid, ${caller.userId}::uuid, r->'input', r->'output', (r->>'status')::execution_status,
           (r->>'startedAt')::timestamptz, (r->>'completedAt')::timestamptz, (r->>'durationMs')::int,
           (r->>'inputTokens')::int, (r->>'outputTokens')::int, (r->>'cachedInputTokens')::int, (r->>'reasoningTokens')::int,
           (r->>'cacheWriteTokens')::int, r->>'model', (r->>'providedCostUsd')::numeric, r->>'errorCode', r->>'errorMessage',
           r->>'idempotencyKey', r->'metadata', (r->>'stepCount')::int,
           -- Listed by when they ran, as executions.start lists them; never after the recording.
           least((r->>'startedAt')::timestamptz, now())
    -- Recorded runs already happened: hard budgets do not refuse them (agent_executions_reserve_budgets
    -- skips its check while app.recording is on, for this transaction). Set here, in the insert the
    -- call sends anyway, rather than in a statement of its own (one round trip less); the FROM item
    -- is evaluated before the first row goes in, and the budget trigger runs after the insert.
    from (select set_config('app.recording', 'on', true)) recording, jsonb_array_elements(${json(rows)}) r`;
}

/** Finishes runs inserted running (a crew run after its children, a run priced from its steps after them): status, times, output, error. */
function finishRuns(caller: Caller, rows: RunRow[]): SQL {
  return sql`update agent_executions e set
      status = (r->>'status')::execution_status, completed_at = (r->>'completedAt')::timestamptz,
      duration_ms = (r->>'durationMs')::int, output_data = r->'output', error_code = r->>'errorCode', error_message = r->>'errorMessage'
    from jsonb_array_elements(${json(rows)}) r
    -- The id list lets the planner take the primary key (a join on the JSON alone scanned the table).
    where e.tenant_id = ${caller.tenantId} and e.id = any(${`{${rows.map((r) => r.id).join(",")}}`}::uuid[])
      and e.id = (r->>'id')::uuid and e.status = 'running'`;
}

function insertSteps(caller: Caller, rows: StepRow[]): SQL {
  return sql`insert into agent_execution_steps (tenant_id, execution_id, ordinal, type, task_id, data, input_tokens, output_tokens,
      cached_input_tokens, reasoning_tokens, cache_write_tokens, model)
    select ${caller.tenantId}, (r->>'executionId')::uuid, (r->>'ordinal')::int, (r->>'type')::execution_step_type,
           (r->>'taskId')::uuid, r->'data', (r->>'inputTokens')::int, (r->>'outputTokens')::int,
           (r->>'cachedInputTokens')::int, (r->>'reasoningTokens')::int, (r->>'cacheWriteTokens')::int, r->>'model'
    from jsonb_array_elements(${json(rows)}) r`;
}

/**
 * Runs whose idempotency key was recorded before, by input position: the same payload returns
 * the recorded ids (nothing is written again); a key used with a different payload, or a child's
 * key used outside this run, is a CONFLICT for the whole call (all or nothing). The payload is
 * what the run is and did: its agent or crew, conversation, input, output, status, metadata,
 * usage and provided cost (a crew run's: its children's), and its number of child runs. A run
 * recorded without usage has zero tokens, or its steps' when they reported theirs.
 */
async function replays(tx: Tx, caller: Caller, runs: RecordRunInput[]): Promise<Map<number, RecordExecutionsResult["runs"][number]>> {
  const keyed = runs.flatMap((run, i) => [
    ...(run.idempotencyKey ? [{ key: run.idempotencyKey, path: `runs.${i}`, run, i, child: false }] : []),
    ...(run.childRuns ?? []).flatMap((child, j) =>
      child.idempotencyKey ? [{ key: child.idempotencyKey, path: `runs.${i}.childRuns.${j}`, run: child, i, child: true }] : [],
    ),
  ]);
  const replayed = new Map<number, RecordExecutionsResult["runs"][number]>();
  if (keyed.length === 0) return replayed;
  const seen = new Set<string>();
  for (const { key, path } of keyed) {
    if (seen.has(key)) throw new BadRequest(`${path}.idempotencyKey: ${key} is given twice in this call`);
    seen.add(key);
  }
  const payloads = keyed.map(({ key, run, child }) => ({
    key,
    agentId: run.agentId,
    crewId: "crewId" in run ? run.crewId : undefined,
    conversationId: "conversationId" in run ? run.conversationId : undefined,
    input: run.input,
    output: run.output,
    status: run.status,
    metadata: run.metadata ?? {},
    usage: "crewId" in run && run.crewId ? undefined : (run.usage ?? null),
    costUsd: run.costUsd?.toFixed(6) ?? null,
    child,
  }));
  const found = await queryRows<{ key: string; id: string; parentId: string | null; same: boolean; childIds: string[] }>(
    tx,
    sql`select k.p->>'key' as key, e.id, e.parent_execution_id as "parentId",
               (e.agent_id is not distinct from (k.p->>'agentId')::uuid
                and (k.p->>'child')::boolean = (e.parent_execution_id is not null)
                and ((k.p->>'child')::boolean or e.crew_id is not distinct from (k.p->>'crewId')::uuid)
                and e.conversation_id is not distinct from (k.p->>'conversationId')::uuid
                and e.input_data = k.p->'input'
                and e.output_data is not distinct from k.p->'output'
                and e.status = (k.p->>'status')::execution_status
                and e.metadata = k.p->'metadata'
                and (not (k.p ? 'usage') or (
                  e.provided_cost_usd is not distinct from (k.p->>'costUsd')::numeric
                  and (case when jsonb_typeof(k.p->'usage') = 'object' then
                         e.input_tokens = (k.p->'usage'->>'inputTokens')::int and e.output_tokens = (k.p->'usage'->>'outputTokens')::int
                         and e.cached_input_tokens = (k.p->'usage'->>'cachedInputTokens')::int
                         and e.reasoning_tokens = (k.p->'usage'->>'reasoningTokens')::int
                         and e.cache_write_tokens = (k.p->'usage'->>'cacheWriteTokens')::int
                         and (k.p->'usage'->>'model' is null or e.model = k.p->'usage'->>'model')
                       -- Recorded without usage: no tokens of its own, or its steps' (the price trigger took them).
                       else (e.input_tokens = 0 and e.output_tokens = 0) or e.pricing->>'source' = 'steps' end)))) as same,
               array(select c.id::text from agent_executions c
                     where c.tenant_id = ${caller.tenantId} and c.parent_execution_id = e.id order by c.id) as "childIds"
        from jsonb_array_elements(${json(payloads)}) k(p)
        join agent_executions e on e.tenant_id = ${caller.tenantId} and e.idempotency_key = k.p->>'key'`,
  );
  const byKey = new Map(found.map((row) => [row.key, row]));
  for (const { key, path, run, i, child } of keyed) {
    const previous = byKey.get(key);
    if (child) continue; // checked with its crew run below
    if (!previous) continue;
    const childRuns = "childRuns" in run ? (run.childRuns ?? []) : [];
    if (!previous.same || previous.childIds.length !== childRuns.length) {
      throw new Conflict(`${path}.idempotencyKey: ${key} was used with a different payload; use a new key for a new run`);
    }
    replayed.set(i, { id: previous.id, childIds: previous.childIds });
  }
  // A child's key names a child of its replayed crew run (then the crew run's own key decided),
  // or nothing yet; anywhere else it is a CONFLICT.
  for (const { key, path, i, child } of keyed) {
    if (!child) continue;
    const previous = byKey.get(key);
    const parent = replayed.get(i);
    if (previous ? !parent || previous.parentId !== parent.id || !previous.same : parent !== undefined) {
      throw new Conflict(`${path}.idempotencyKey: ${key} was used with a different payload; use a new key for a new run`);
    }
  }
  return replayed;
}

/**
 * Time-ordered ids (UUIDv7, RFC 9562): 48 bits of milliseconds, then a counter, so the ids one
 * call makes sort in the order they were made; the rest random.
 */
function idFactory(): () => string {
  let last = 0;
  let counter = 0;
  return () => {
    let ms = Date.now();
    if (ms <= last) {
      ms = last;
      counter++;
      if (counter > 0xfff) {
        ms = ++last;
        counter = 0;
      }
    } else counter = 0;
    last = ms;
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    for (let b = 0; b < 6; b++) bytes[b] = Math.floor(ms / 2 ** (8 * (5 - b))) & 0xff;
    bytes[6] = 0x70 | (counter >> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
