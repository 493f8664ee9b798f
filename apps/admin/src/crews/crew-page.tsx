/** One crew as `crews.get` gives it to its tenant (`admin.crew`): process, manager, members with their tools, tasks in order, usage and runs. */
import { useQuery } from "@tanstack/react-query";
import { Link, Navigate, useParams, useSearchParams } from "react-router";

import { type AdminOutputs, useTRPC } from "../api";
import { CostAmount } from "../executions/cost";
import { formatCount, formatDateTime, formatDuration, formatUsd } from "../format";
import { JsonBlock } from "../ui/json-block";
import { Empty, ErrorState, Loading } from "../ui/states";
import { Section, Stat, StatGrid } from "../ui/stats";
import { StatusBadge } from "../ui/status-badge";

type Crew = AdminOutputs["crew"];
type CrewAgent = Crew["members"][number] | NonNullable<Crew["manager"]>;

/** Crew runs shown: the newest of its runs (crew and child runs share the crew's id). */
const runsShown = 50;

export function CrewPage() {
  const { crewId } = useParams();
  // The route always names one (/crews/:crewId).
  if (!crewId) return <Navigate to="/" replace />;
  return <CrewView crewId={crewId} />;
}

function CrewView({ crewId }: { crewId: string }) {
  const trpc = useTRPC();
  // The crew's tenant, for names and links: admin.crew answers without it, links from the panel carry it.
  const [params] = useSearchParams();
  const tenantId = params.get("tenantId");
  const crew = useQuery(trpc.admin.crew.queryOptions({ id: crewId }));
  const tenant = useQuery({ ...trpc.admin.tenant.queryOptions({ tenantId: tenantId ?? "" }), enabled: Boolean(tenantId) });
  const runs = useQuery(trpc.admin.executions.queryOptions({ crewId, limit: runsShown, ...(tenantId && { tenantId }) }));

  const tenantName = tenant.data?.tenant.name ?? tenantId;
  const breadcrumbs = (last: string) => (
    <nav className="breadcrumbs" aria-label="Breadcrumbs">
      <Link to="/">Overview</Link> /{" "}
      {tenantId && (
        <>
          <Link to={`/tenants/${encodeURIComponent(tenantId)}`}>{tenantName}</Link> /{" "}
          <Link to={`/tenants/${encodeURIComponent(tenantId)}/crews`}>Crews</Link> /{" "}
        </>
      )}
      <span>{last}</span>
    </nav>
  );
  if (!crew.isSuccess) {
    return (
      <>
        {breadcrumbs(crewId)}
        <h1>Crew</h1>
        {crew.isPending ? <Loading what="the crew" /> : <ErrorState error={crew.error} what="the crew" retry={() => void crew.refetch()} />}
      </>
    );
  }
  const c = crew.data;
  const memberName = new Map(c.members.map((m) => [m.id, m.name]));
  const taskTitle = new Map(c.tasks.map((t) => [t.id, t.title]));
  const spaceName = new Map(tenant.data?.spaces.map((s) => [s.id, s.name]) ?? []);
  const userName = new Map(tenant.data?.users.map((u) => [u.id, u.displayName ?? u.email ?? u.id]) ?? []);
  const crewRuns = runs.data?.items.filter((r) => r.parentExecutionId === null) ?? [];

  return (
    <>
      {breadcrumbs(c.name)}
      <h1>
        {c.name} <span className="badge crew-process">{c.process}</span>
      </h1>
      {c.description && <p className="crew-description">{c.description}</p>}
      <p className="muted">
        <code>{c.id}</code> · space {spaceName.get(c.spaceId) ?? <code>{c.spaceId}</code>} · owner{" "}
        {userName.get(c.ownerId) ?? <code>{c.ownerId}</code>} · version {c.version} · updated {formatDateTime(c.updatedAt)}
      </p>

      <StatGrid>
        <Stat label="Executions" value={<span data-testid="crew-executions">{formatCount(c.executionCount)}</span>} />
        <Stat label="Succeeded" value={formatCount(c.usage.successfulExecutions)} />
        <Stat label="Failed" value={formatCount(c.usage.failedExecutions)} />
        <Stat label="Tokens" value={formatCount(c.usage.totalTokens)} />
        <Stat label="Cost" value={formatUsd(c.usage.totalCostUsd)} />
        <Stat label="Last run" value={formatDateTime(c.usage.lastExecutedAt)} compact />
      </StatGrid>

      <Section title="Configuration">
        <dl className="config" aria-label="Configuration">
          <div data-field="Process">
            <dt>Process</dt>
            <dd>{c.process}</dd>
          </div>
          <div data-field="Manager">
            <dt>Manager</dt>
            <dd>
              {c.manager ? <Link to={`/agents/${c.manager.id}`}>{c.manager.name}</Link> : <span className="muted">none (sequential)</span>}
            </dd>
          </div>
          <div data-field="Memory">
            <dt>Memory</dt>
            <dd>{c.memory ? "on" : "off"}</dd>
          </div>
          <div data-field="Verbose">
            <dt>Verbose</dt>
            <dd>{c.verbose ? "on" : "off"}</dd>
          </div>
          <div data-field="Max iterations">
            <dt>Max iterations</dt>
            <dd>{c.maxIterations ?? "each agent's own"}</dd>
          </div>
        </dl>
      </Section>

      <Section title={`Members (${formatCount(c.members.length)})`}>
        <AgentTable label="Members" agents={c.members} />
        {c.manager && (
          <>
            <h3>Manager</h3>
            <AgentTable label="Manager" agents={[c.manager]} />
          </>
        )}
      </Section>

      <Section title={`Tasks (${formatCount(c.tasks.length)})`}>
        {c.tasks.length === 0 ? (
          <Empty>This crew has no tasks yet.</Empty>
        ) : (
          <ol className="task-list" aria-label="Tasks">
            {c.tasks.map((task) => (
              <li key={task.id} className="task" data-task={task.id} data-position={task.position}>
                <header className="tool-header">
                  <span className="step-ordinal">#{task.position}</span>
                  <h3 className="task-title">{task.title}</h3>
                  <span className="task-assignee">
                    assigned to{" "}
                    <Link to={`/agents/${task.agentId}`} data-agent={task.agentId}>
                      {memberName.get(task.agentId) ?? task.agentId}
                    </Link>
                  </span>
                </header>
                <p className="task-description">{task.description}</p>
                <dl className="config">
                  <div data-field="Expected output">
                    <dt>Expected output</dt>
                    <dd className="task-expected">{task.expectedOutput}</dd>
                  </div>
                  <div data-field="Context">
                    <dt>Context</dt>
                    <dd>
                      {task.context.length === 0 ? (
                        <span className="muted">none</span>
                      ) : (
                        <ul className="task-context" aria-label={`Context of ${task.title}`}>
                          {task.context.map((id) => (
                            <li key={id} data-task={id}>
                              {taskTitle.get(id) ?? id}
                            </li>
                          ))}
                        </ul>
                      )}
                    </dd>
                  </div>
                </dl>
                <h4>Output format</h4>
                {task.outputFormat === null ? (
                  <p className="muted task-free-text">Free text.</p>
                ) : (
                  <JsonBlock value={task.outputFormat} label={`output format of ${task.title}`} />
                )}
              </li>
            ))}
          </ol>
        )}
      </Section>

      <Section title="Crew runs">
        {runs.isPending ? (
          <Loading what="crew runs" />
        ) : runs.isError ? (
          <ErrorState error={runs.error} what="crew runs" retry={() => void runs.refetch()} />
        ) : crewRuns.length === 0 ? (
          <Empty>This crew has not run yet.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-label="Crew runs">
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Status</th>
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
                {crewRuns.map((run) => (
                  <tr key={run.id} data-execution={run.id}>
                    <td className="nowrap">
                      <Link to={`/executions/${run.id}`}>{formatDateTime(run.startedAt)}</Link>
                    </td>
                    <td>
                      <StatusBadge status={run.status} />
                    </td>
                    <td>{formatDuration(run.durationMs)}</td>
                    <td className="num">{formatCount(run.usage.totalTokens)}</td>
                    <td className="num">
                      <CostAmount usd={run.costUsd} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </>
  );
}

function AgentTable({ label, agents }: { label: string; agents: CrewAgent[] }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            {label === "Members" && <th scope="col">Position</th>}
            <th scope="col">Agent</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Tools</th>
          </tr>
        </thead>
        <tbody>
          {agents.map((agent) => (
            <tr key={agent.id} data-agent={agent.id}>
              {"position" in agent && <td>{agent.position}</td>}
              <td>
                <Link to={`/agents/${agent.id}`}>{agent.name}</Link>
              </td>
              <td>{agent.role ?? <span className="muted">–</span>}</td>
              <td>
                <StatusBadge status={agent.status} />
              </td>
              <td>
                {agent.tools.length === 0 ? (
                  <span className="muted">none</span>
                ) : (
                  agent.tools.map((tool) => (
                    <span
                      key={tool.id}
                      className={tool.enabled ? "badge agent-tool" : "badge agent-tool muted"}
                      data-tool={tool.id}
                      data-enabled={String(tool.enabled)}
                      title={tool.enabled ? tool.type : `${tool.type}, disabled`}
                    >
                      {tool.name}
                    </span>
                  ))
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
