/** One execution: what went in and out, what failed, what it cost, and its steps in order. */
import { useQuery } from "@tanstack/react-query";
import { Link, Navigate, useParams } from "react-router";

import { type AdminOutputs, useTRPC } from "../api";
import { formatCount, formatDateTime, formatDuration, formatUsd } from "../format";
import { JsonBlock } from "../ui/json-block";
import { Empty, ErrorState, Loading } from "../ui/states";
import { Section, Stat, StatGrid } from "../ui/stats";
import { StatusBadge } from "../ui/status-badge";

export function ExecutionPage() {
  const { executionId } = useParams();
  // The route always names one (/executions/:executionId).
  if (!executionId) return <Navigate to="/executions" replace />;
  return <ExecutionView executionId={executionId} />;
}

function ExecutionView({ executionId }: { executionId: string }) {
  const trpc = useTRPC();
  const execution = useQuery(trpc.admin.execution.queryOptions({ id: executionId }));

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
  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/executions">Executions</Link> / <Link to={tenantLink}>{e.tenantId}</Link> /{" "}
        <Link to={`/agents/${e.agentId}`}>{e.agentName || e.agentId}</Link> / <span>{e.id}</span>
      </nav>
      <h1>
        Execution of {e.agentName || "an agent"} <StatusBadge status={e.status} />
      </h1>
      <p className="muted">
        <code>{e.id}</code> · agent <Link to={`/agents/${e.agentId}`}>{e.agentName || e.agentId}</Link> · tenant{" "}
        <Link to={tenantLink}>{e.tenantId}</Link> · user <code>{e.userId}</code>
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
        <Stat label="Cost" value={formatUsd(e.costUsd)} />
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

      <Section title={`Steps (${formatCount(e.steps.length)})`}>
        {e.steps.length === 0 ? <Empty>No steps were recorded.</Empty> : <StepTimeline execution={e} />}
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
            <td className="muted">of which cached: {formatCount(usage.cachedInputTokens)}</td>
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
function StepTimeline({ execution }: { execution: Execution }) {
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
              </span>
            </div>
            <JsonBlock value={step.data} label={`step ${step.ordinal} data`} />
          </div>
        </li>
      ))}
    </ol>
  );
}
