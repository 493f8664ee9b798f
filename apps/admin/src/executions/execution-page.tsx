/**
 * One execution: what went in and out, what failed, what it cost, and its steps in order. A crew
 * run shows its crew and its child runs; a child run links to its crew run; steps name their task.
 */
import { useQuery } from "@tanstack/react-query";
import { Link, Navigate, useParams } from "react-router";

import { type AdminOutputs, useTRPC } from "../api";
import { formatCount, formatDateTime, formatDuration } from "../format";
import { JsonBlock } from "../ui/json-block";
import { Empty, ErrorState, Loading } from "../ui/states";
import { Section, Stat, StatGrid } from "../ui/stats";
import { StatusBadge } from "../ui/status-badge";
import { CostAmount, CostBreakdown } from "./cost";

export function ExecutionPage() {
  const { executionId } = useParams();
  // The route always names one (/executions/:executionId).
  if (!executionId) return <Navigate to="/executions" replace />;
  return <ExecutionView executionId={executionId} />;
}

function ExecutionView({ executionId }: { executionId: string }) {
  const trpc = useTRPC();
  const execution = useQuery(trpc.admin.execution.queryOptions({ id: executionId }));
  // A crew run's or child run's crew: its members' names and its tasks' titles.
  const crewId = execution.data?.crewId ?? null;
  const crew = useQuery({ ...trpc.admin.crew.queryOptions({ id: crewId ?? "" }), enabled: crewId !== null });

  if (!execution.isSuccess) {
    return (
      <>
        <nav className="breadcrumbs" aria-label="Breadcrumbs">
          <Link to="/executions">Executions</Link> / <span>{executionId}</span>
        </nav>
        <h1>Execution</h1>
        {execution.isPending ? (
          <Loading what="the execution" />
        ) : (
          <ErrorState error={execution.error} what="the execution" retry={() => void execution.refetch()} />
        )}
      </>
    );
  }

  const e = execution.data;
  const tenantLink = `/tenants/${encodeURIComponent(e.tenantId)}`;
  const hasMetadata = Object.keys(e.metadata).length > 0;
  const crewLink = e.crewId ? `/crews/${e.crewId}?tenantId=${encodeURIComponent(e.tenantId)}` : null;
  const crewName = crew.data?.name ?? (e.agentId === null ? e.agentName : "") ?? "";
  const memberName = new Map(crew.data?.members.map((m) => [m.id, m.name]) ?? []);
  const taskTitle = new Map(crew.data?.tasks.map((t) => [t.id, t.title]) ?? []);
  // An agent run or child run names its agent; a crew run has none (admin.execution's name is the crew's).
  const subject =
    e.agentId === null ? (
      crewLink && <Link to={crewLink}>{crewName || e.crewId}</Link>
    ) : (
      <Link to={`/agents/${e.agentId}`}>{e.agentName || e.agentId}</Link>
    );
  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/executions">Executions</Link> / <Link to={tenantLink}>{e.tenantId}</Link> / {subject}
        {e.parentExecutionId && (
          <>
            {" "}
            / <Link to={`/executions/${e.parentExecutionId}`}>crew run</Link>
          </>
        )}{" "}
        / <span>{e.id}</span>
      </nav>
      <h1>
        {e.agentId === null ? "Crew run of" : e.parentExecutionId ? "Child run of" : "Execution of"} {e.agentName || "an agent"}{" "}
        <StatusBadge status={e.status} />
      </h1>
      {crewLink && (
        <p className="crew-run-links" data-testid="crew-run-links">
          {e.agentId === null ? (
            <>
              Crew run of crew <Link to={crewLink}>{crewName || e.crewId}</Link> ({formatCount(e.childRuns.length)} child runs; its tokens
              and cost are theirs)
            </>
          ) : (
            <>
              Child run in crew <Link to={crewLink}>{crewName || e.crewId}</Link>, part of crew run{" "}
              {e.parentExecutionId && (
                <Link to={`/executions/${e.parentExecutionId}`} data-testid="parent-run">
                  {e.parentExecutionId}
                </Link>
              )}
            </>
          )}
        </p>
      )}
      <p className="muted">
        <code>{e.id}</code> · {e.agentId === null ? "crew" : "agent"} {subject} · tenant <Link to={tenantLink}>{e.tenantId}</Link> · user{" "}
        <code>{e.userId}</code>
        {e.idempotencyKey && (
          <>
            {" "}
            · idempotency key <code>{e.idempotencyKey}</code>
          </>
        )}
      </p>

      <StatGrid>
        <Stat label="Started" value={formatDateTime(e.startedAt, { seconds: true })} compact />
        <Stat label="Completed" value={e.completedAt ? formatDateTime(e.completedAt, { seconds: true }) : "still running"} compact />
        <Stat label="Duration" value={formatDuration(e.durationMs)} />
        <Stat label="Cost" value={<CostAmount usd={e.costUsd} />} />
        <Stat label="Steps" value={formatCount(e.stepCount)} />
      </StatGrid>

      {e.error && (
        <div className="state state-error" role="alert">
          <strong>Failed{e.error.code ? `: ${e.error.code}` : ""}</strong>
          <p>{e.error.message}</p>
        </div>
      )}

      <Section title="Tokens">
        <TokenBreakdown usage={e.usage} />
      </Section>

      <CostBreakdown execution={e} />

      <div className="columns">
        <Section title="Input">
          <JsonBlock value={e.input} label="input" />
        </Section>
        <Section title="Output">
          <JsonBlock value={e.output} label="output" />
        </Section>
      </div>
      {hasMetadata && (
        <Section title="Metadata">
          <JsonBlock value={e.metadata} label="metadata" />
        </Section>
      )}

      {e.agentId === null && (
        <Section title={`Child runs (${formatCount(e.childRuns.length)})`}>
          {e.childRuns.length === 0 ? (
            <Empty>No child runs were started.</Empty>
          ) : (
            <div className="table-wrap">
              <table className="table" aria-label="Child runs">
                <thead>
                  <tr>
                    <th scope="col">Run</th>
                    <th scope="col">Agent</th>
                    <th scope="col">Status</th>
                    <th scope="col">Started</th>
                    <th scope="col">Duration</th>
                    <th scope="col" className="num">
                      Tokens
                    </th>
                    <th scope="col" className="num">
                      Cost
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {e.childRuns.map((child) => (
                    <tr key={child.id} data-execution={child.id} data-status={child.status}>
                      <td>
                        <Link to={`/executions/${child.id}`}>
                          <code>{child.id}</code>
                        </Link>
                      </td>
                      <td>
                        {child.agentId && <Link to={`/agents/${child.agentId}`}>{memberName.get(child.agentId) ?? child.agentId}</Link>}
                      </td>
                      <td>
                        <StatusBadge status={child.status} />
                      </td>
                      <td className="nowrap">{formatDateTime(child.startedAt, { seconds: true })}</td>
                      <td>{formatDuration(child.durationMs)}</td>
                      <td className="num">{formatCount(child.usage.totalTokens)}</td>
                      <td className="num">
                        <CostAmount usd={child.costUsd} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Section>
      )}

      <Section title={`Steps (${formatCount(e.steps.length)})`}>
        {e.steps.length === 0 ? <Empty>No steps were recorded.</Empty> : <StepTimeline execution={e} taskTitle={taskTitle} />}
      </Section>
    </>
  );
}

type Execution = AdminOutputs["execution"];

function TokenBreakdown({ usage }: { usage: Execution["usage"] }) {
  const total = usage.totalTokens || 1;
  return (
    <>
      <div className="token-bar" aria-hidden="true">
        <span className="token-input" style={{ width: `${(usage.inputTokens / total) * 100}%` }} />
        <span className="token-output" style={{ width: `${(usage.outputTokens / total) * 100}%` }} />
      </div>
      <table className="table token-table" aria-label="Token breakdown">
        <tbody>
          <tr>
            <th scope="row">
              <span className="swatch token-input" /> Input
            </th>
            <td className="num">{formatCount(usage.inputTokens)}</td>
            <td className="muted">
              of which cached: {formatCount(usage.cachedInputTokens)} · cache writes: {formatCount(usage.cacheWriteTokens)}
            </td>
          </tr>
          <tr>
            <th scope="row">
              <span className="swatch token-output" /> Output
            </th>
            <td className="num">{formatCount(usage.outputTokens)}</td>
            <td className="muted">of which reasoning: {formatCount(usage.reasoningTokens)}</td>
          </tr>
          <tr>
            <th scope="row">Total</th>
            <td className="num">
              <strong>{formatCount(usage.totalTokens)}</strong>
            </td>
            <td />
          </tr>
        </tbody>
      </table>
    </>
  );
}

/** Steps in order, each with its time since the execution started, so slow steps stand out. */
function StepTimeline({ execution, taskTitle }: { execution: Execution; taskTitle: Map<string, string> }) {
  const start = Date.parse(execution.startedAt);
  return (
    <ol className="timeline" aria-label="Steps">
      {execution.steps.map((step) => (
        <li key={step.ordinal} className={`timeline-step step-${step.type}`}>
          <div className="timeline-marker" aria-hidden="true" />
          <div className="timeline-body">
            <div className="timeline-head">
              <span className="step-ordinal">#{step.ordinal}</span>
              <span className={`step-type step-type-${step.type}`}>{step.type.replace("_", " ")}</span>
              <span className="muted">+{formatDuration(Math.max(0, Date.parse(step.createdAt) - start))}</span>
              <span className="muted">
                {formatCount(step.inputTokens)} in · {formatCount(step.outputTokens)} out tokens
                {step.model && (
                  <>
                    {" "}
                    · <code>{step.model}</code>
                  </>
                )}
                {(step.inputTokens > 0 || step.outputTokens > 0) && (
                  <>
                    {" "}
                    · <CostAmount usd={step.costUsd} />
                  </>
                )}
              </span>
              {step.taskId && (
                <span className="step-task" data-task={step.taskId}>
                  task: {taskTitle.get(step.taskId) ?? step.taskId}
                </span>
              )}
            </div>
            <JsonBlock value={step.data} label={`step ${step.ordinal} data`} />
          </div>
        </li>
      ))}
    </ol>
  );
}
