/** One agent: status and actions, usage by period and per day, the budgets it answers to, persona and behaviour, tools, configuration, recent executions, staff actions. */
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, Navigate, useParams } from "react-router";

import { type AdminOutputs, type Agent, useTRPC } from "../api";
import { AuditEntries } from "../audit-log/audit-entries";
import { ExecutionsTable } from "../executions/executions-table";
import { formatCount, formatDateTime, formatDuration, formatShare, formatUsd } from "../format";
import { BudgetsSection } from "../tenants/budgets";
import { Empty, ErrorState, Loading } from "../ui/states";
import { Section, Stat, StatGrid } from "../ui/stats";
import { UsageChart } from "../ui/usage-chart";
import { UsagePeriodsTable } from "../ui/usage-periods";
import { AgentStatusControl } from "./agent-status";

export function AgentPage() {
  const { agentId } = useParams();
  // The route always names one (/agents/:agentId).
  if (!agentId) return <Navigate to="/" replace />;
  return <AgentView agentId={agentId} />;
}

function AgentView({ agentId }: { agentId: string }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.admin.agent.queryOptions({ id: agentId }));
  // The tenant's directory names the agent's space and owner.
  const tenantId = detail.data?.tenantId;
  const tenant = useQuery({ ...trpc.admin.tenant.queryOptions({ tenantId: tenantId ?? "" }), enabled: Boolean(tenantId) });

  if (!detail.isSuccess) {
    return (
      <>
        <nav className="breadcrumbs" aria-label="Breadcrumbs">
          <Link to="/">Overview</Link> / <span>agent {agentId}</span>
        </nav>
        <h1>Agent</h1>
        {detail.isPending ? (
          <Loading what="the agent" />
        ) : (
          <ErrorState error={detail.error} what="the agent" retry={() => void detail.refetch()} />
        )}
      </>
    );
  }

  const { agent, usage, daily, recentExecutions } = detail.data;
  const tenantName = tenant.data?.tenant.name ?? detail.data.tenantId;
  const tenantLink = `/tenants/${encodeURIComponent(detail.data.tenantId)}`;
  const space = tenant.data?.spaces.find((s) => s.id === agent.spaceId);
  const owner = tenant.data?.users.find((u) => u.id === agent.ownerId);
  const finished = agent.stats.successfulExecutions + agent.stats.failedExecutions + agent.stats.cancelledExecutions;

  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/">Overview</Link> / <Link to={tenantLink}>{tenantName}</Link> / <span>{agent.name}</span>
      </nav>
      <h1>{agent.name}</h1>
      {agent.description && <p className="muted">{agent.description}</p>}

      <Section title="Status">
        <AgentStatusControl agent={agent} />
      </Section>

      <StatGrid>
        <Stat label="Executions (lifetime)" value={formatCount(agent.stats.totalExecutions)} />
        <Stat
          label="Success rate"
          value={formatShare(agent.stats.successfulExecutions, finished)}
          hint={`${formatCount(agent.stats.failedExecutions)} failed`}
        />
        <Stat label="Tokens" value={formatCount(agent.stats.totalTokens)} />
        <Stat label="Cost (lifetime)" value={formatUsd(agent.stats.totalCostUsd)} />
        <Stat
          label="Avg response"
          value={formatDuration(agent.stats.avgResponseTimeMs)}
          hint={`last run ${formatDateTime(agent.stats.lastExecutedAt)}`}
        />
      </StatGrid>

      <Section title="Usage">
        <UsagePeriodsTable usage={usage} />
      </Section>

      <BudgetsSection tenantId={detail.data.tenantId} appliesToAgentId={agent.id} />

      <Section title="Executions and cost per day, last 30 days">
        <UsageChart buckets={daily} height={240} label="This agent's executions and cost per day" />
      </Section>

      <Section title="Persona and behaviour">
        <Persona agent={agent} />
      </Section>

      <Section
        title="Tools"
        actions={<Link to={`/tenants/${encodeURIComponent(detail.data.tenantId)}/tools`}>All tools of this tenant →</Link>}
      >
        <AttachedTools agentId={agent.id} tenantId={detail.data.tenantId} />
      </Section>

      <Section title="Configuration">
        <Configuration
          agent={agent}
          spaceName={space?.name}
          ownerName={owner ? (owner.displayName ?? owner.email ?? owner.id) : undefined}
        />
      </Section>

      <Section
        title="Recent executions"
        actions={
          <Link to={`/executions?tenantId=${encodeURIComponent(detail.data.tenantId)}&agentId=${agent.id}`}>
            All executions of this agent →
          </Link>
        }
      >
        {recentExecutions.length === 0 ? (
          <Empty>This agent has not run yet.</Empty>
        ) : (
          <ExecutionsTable rows={recentExecutions} showAgent={false} />
        )}
      </Section>

      <Section title="Staff actions on this agent">
        <AuditEntries tenantId={detail.data.tenantId} agentId={agent.id} limit={10} />
      </Section>
    </>
  );
}

type AgentTool = AdminOutputs["agentTools"][number];

/** The tools attached to the agent, in the order it sees them, each with the attachment's own configuration. */
function AttachedTools({ agentId, tenantId }: { agentId: string; tenantId: string }) {
  const trpc = useTRPC();
  const tools = useQuery(trpc.admin.agentTools.queryOptions({ id: agentId }));
  if (tools.isPending) return <Loading what="the agent's tools" />;
  if (tools.isError) return <ErrorState error={tools.error} what="the agent's tools" retry={() => void tools.refetch()} />;
  if (tools.data.length === 0) return <Empty>No tools attached.</Empty>;
  const toolLink = (tool: AgentTool) => `/tenants/${encodeURIComponent(tenantId)}/tools?q=${encodeURIComponent(tool.name)}`;
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Attached tools">
        <thead>
          <tr>
            <th scope="col" className="num">
              Position
            </th>
            <th scope="col">Tool</th>
            <th scope="col">Type</th>
            <th scope="col">Attachment</th>
            <th scope="col">Configuration</th>
          </tr>
        </thead>
        <tbody>
          {tools.data.map((tool) => (
            <tr key={tool.id} data-tool={tool.id} data-enabled={tool.enabled}>
              <td className="num">{tool.position}</td>
              <td>
                <Link to={toolLink(tool)}>{tool.name}</Link>
                {tool.description && <div className="muted small">{tool.description}</div>}
              </td>
              <td>
                <span className="badge tool-type">{tool.type}</span>
              </td>
              <td>{tool.enabled ? "enabled" : <span className="muted">disabled</span>}</td>
              <td>
                {Object.keys(tool.configuration).length === 0 ? (
                  <span className="muted">none</span>
                ) : (
                  <code className="attachment-configuration">{JSON.stringify(tool.configuration)}</code>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Configuration({ agent, spaceName, ownerName }: { agent: Agent; spaceName?: string; ownerName?: string }) {
  const llm = agent.llmConfig;
  const rows: Array<[string, ReactNode]> = [
    ["Agent id", <code key="id">{agent.id}</code>],
    ["Space", spaceName ?? <code key="space">{agent.spaceId}</code>],
    ["Owner", ownerName ?? <code key="owner">{agent.ownerId}</code>],
    ["Provider", llm.provider],
    ["Model", llm.model],
    // The API never returns the credential, only its last characters; shown masked all the same.
    [
      "Credential",
      agent.apiKeyHint ? (
        <span className="masked" key="key">
          ••••••••{agent.apiKeyHint.replace(/^…/, "")}
        </span>
      ) : (
        "none set"
      ),
    ],
    ["Temperature", llm.temperature ?? "default"],
    ["Top p", llm.topP ?? "default"],
    ["Max output tokens", llm.maxOutputTokens !== undefined ? formatCount(llm.maxOutputTokens) : "default"],
    ["Stop sequences", llm.stopSequences?.length ? llm.stopSequences.map((s) => JSON.stringify(s)).join(", ") : "none"],
    ["Base URL", llm.baseUrl ?? "provider default"],
    ["Knowledge", agent.enableKnowledge ? "enabled" : "off"],
    ["Memory", agent.enableMemory ? "enabled" : "off"],
    ["Notebooks", formatCount(agent.notebookIds.length)],
    ["Created", formatDateTime(agent.createdAt)],
    ["Updated", formatDateTime(agent.updatedAt)],
  ];
  return (
    <>
      <dl className="config">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h3>System prompt</h3>
      {llm.systemPrompt ? <pre className="json">{llm.systemPrompt}</pre> : <p className="muted">None.</p>}
    </>
  );
}

/** What the agent is (CrewAI's role, goal and backstory), how it behaves, and the labels it is found by. */
function Persona({ agent }: { agent: Agent }) {
  const onOff = (on: boolean) => (on ? "on" : "off");
  const rows: Array<[string, ReactNode]> = [
    ["Role", agent.role ?? <span className="muted">not set</span>],
    ["Goal", agent.goal ?? <span className="muted">not set</span>],
    ["Category", agent.category ?? <span className="muted">none</span>],
    [
      "Tags",
      agent.tags.length ? (
        <span className="agent-tags">
          {agent.tags.map((tag) => (
            <span key={tag} className="badge" data-tag={tag}>
              {tag}
            </span>
          ))}
        </span>
      ) : (
        <span className="muted">none</span>
      ),
    ],
    ["Verbose", onOff(agent.verbose)],
    ["Delegation", agent.allowDelegation ? "allowed" : "off"],
    ["Reasoning", onOff(agent.reasoning)],
    ["Max iterations", formatCount(agent.maxIterations)],
  ];
  return (
    <>
      <dl className="config" aria-label="Persona">
        {rows.map(([label, value]) => (
          <div key={label} data-field={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h3>Backstory</h3>
      {agent.backstory ? <pre className="json backstory">{agent.backstory}</pre> : <p className="muted">None.</p>}
    </>
  );
}
