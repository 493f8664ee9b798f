/** One tenant: its usage and budgets, spaces and users, and its agents (filtered, searched, page by page); its tools, crews and conversations have their own pages. */
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, Navigate, useParams, useSearchParams } from "react-router";

import { agentStatuses } from "@agent-builder/contracts";

import { type AdminOutputs, type AgentStatus, useTRPC } from "../api";
import { AuditEntries } from "../audit-log/audit-entries";
import { formatAgo, formatCount, formatDateTime, formatDuration, formatShare, formatUsd } from "../format";
import { KeysetPager, useKeysetPages } from "../ui/keyset-pager";
import { Empty, ErrorState, Loading } from "../ui/states";
import { Section, Stat, StatGrid } from "../ui/stats";
import { StatusBadge } from "../ui/status-badge";
import { UsagePeriodsTable } from "../ui/usage-periods";
import { BudgetsSection } from "./budgets";

const pageSize = 20;

export function TenantPage() {
  const { tenantId } = useParams();
  // The route always names one (/tenants/:tenantId).
  if (!tenantId) return <Navigate to="/" replace />;
  return <TenantView tenantId={tenantId} />;
}

function TenantView({ tenantId }: { tenantId: string }) {
  const trpc = useTRPC();
  const tenant = useQuery(trpc.admin.tenant.queryOptions({ tenantId }));

  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/">Overview</Link> / <span>{tenant.data?.tenant.name ?? tenantId}</span>
      </nav>
      {tenant.isPending ? (
        <Loading what="the tenant" />
      ) : tenant.isError ? (
        <ErrorState error={tenant.error} what="the tenant" retry={() => void tenant.refetch()} />
      ) : (
        <>
          <h1>
            {tenant.data.tenant.name ?? tenantId} <span className="muted heading-id">{tenantId}</span>
          </h1>
          <p className="muted">Tenant since {formatDateTime(tenant.data.tenant.createdAt)}</p>
          <StatGrid>
            <Stat label="Agents" value={formatCount(tenant.data.agentCount)} />
            <Stat label="Spaces" value={formatCount(tenant.data.spaces.length)} />
            <Stat label="Users" value={formatCount(tenant.data.users.length)} />
            <Stat label="Executions this month" value={formatCount(tenant.data.thisMonth.executions)} />
            <Stat label="Cost this month" value={formatUsd(tenant.data.thisMonth.costUsd)} />
          </StatGrid>
          <Section
            title="Usage"
            actions={<Link to={`/executions?tenantId=${encodeURIComponent(tenantId)}`}>Executions of this tenant →</Link>}
          >
            <UsagePeriodsTable usage={tenant.data} />
          </Section>
          <BudgetsSection tenantId={tenantId} />
          <div className="columns">
            <SpacesCard tenantId={tenantId} spaces={tenant.data.spaces} />
            <UsersCard tenantId={tenantId} users={tenant.data.users} />
          </div>
          <AgentsSection tenantId={tenantId} tenant={tenant.data} />
          <Section
            title="Staff actions on this tenant"
            actions={<Link to={`/audit-log?tenantId=${encodeURIComponent(tenantId)}`}>Full audit log →</Link>}
          >
            <AuditEntries tenantId={tenantId} limit={5} />
          </Section>
        </>
      )}
    </>
  );
}

type Tenant = AdminOutputs["tenant"];

function SpacesCard({ tenantId, spaces }: { tenantId: string; spaces: Tenant["spaces"] }) {
  return (
    <Section title="Spaces">
      {spaces.length === 0 ? (
        <Empty>No spaces.</Empty>
      ) : (
        <table className="table" aria-label="Spaces">
          <thead>
            <tr>
              <th scope="col">Space</th>
              <th scope="col" className="num">
                Agents
              </th>
            </tr>
          </thead>
          <tbody>
            {spaces.map((space) => (
              <tr key={space.id}>
                <td>
                  <Link to={`/tenants/${encodeURIComponent(tenantId)}?space=${space.id}`} title="Show this space's agents">
                    {space.name}
                  </Link>
                </td>
                <td className="num">{formatCount(space.agentCount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function UsersCard({ tenantId, users }: { tenantId: string; users: Tenant["users"] }) {
  return (
    <Section title="Users">
      {users.length === 0 ? (
        <Empty>No users.</Empty>
      ) : (
        <table className="table" aria-label="Users">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id}>
                <td>
                  <Link to={`/tenants/${encodeURIComponent(tenantId)}?owner=${user.id}`} title="Show the agents this user owns">
                    {user.displayName ?? user.id}
                  </Link>
                </td>
                <td>{user.email ?? "–"}</td>
                <td>{user.role}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

/** Filters live in the URL, so a filtered list can be linked to and the back button undoes a filter. */
function AgentsSection({ tenantId, tenant }: { tenantId: string; tenant: Tenant }) {
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const status = params.get("status") as AgentStatus | null;
  const spaceId = params.get("space");
  const ownerId = params.get("owner");
  const search = params.get("q") ?? "";
  const [searchText, setSearchText] = useState(search);

  const setFilter = (key: string, value: string | null) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: key === "q" },
    );

  // Search as staff type, but one request per pause rather than per keystroke.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only typing starts a search (not a URL change, which the next effect follows)
  useEffect(() => {
    if (searchText.trim() === search) return;
    const timer = setTimeout(() => setFilter("q", searchText.trim() || null), 300);
    return () => clearTimeout(timer);
  }, [searchText]);
  // ...and the box follows the URL when it changes otherwise (back button, a link, clear filters).
  useEffect(() => {
    setSearchText((text) => (text.trim() === search ? text : search));
  }, [search]);

  const filters = {
    tenantId,
    limit: pageSize,
    ...(status && { status }),
    ...(spaceId && { spaceId }),
    ...(ownerId && { ownerId }),
    ...(search && { search }),
  };
  const agents = useInfiniteQuery(
    trpc.admin.agents.infiniteQueryOptions(filters, {
      getNextPageParam: (page) => page.nextCursor,
      // The current rows stay (dimmed) while the next filter loads, so the table does not jump.
      placeholderData: keepPreviousData,
    }),
  );
  const pages = useKeysetPages(agents, JSON.stringify(filters));

  const spaceName = new Map(tenant.spaces.map((s) => [s.id, s.name]));
  const userName = new Map(tenant.users.map((u) => [u.id, u.displayName ?? u.email ?? u.id]));
  const rows = pages.items;
  const filtered = Boolean(status || spaceId || ownerId || search);

  return (
    <Section
      title="Agents"
      actions={
        <>
          <Link to={`/tenants/${encodeURIComponent(tenantId)}/tools`}>Tools of this tenant →</Link>
          <Link to={`/tenants/${encodeURIComponent(tenantId)}/crews`}>Crews →</Link>
          <Link to={`/tenants/${encodeURIComponent(tenantId)}/conversations`}>Conversations →</Link>
        </>
      }
    >
      <form className="filters" aria-label="Agent filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Status
          <select name="status" value={status ?? ""} onChange={(event) => setFilter("status", event.target.value || null)}>
            <option value="">any</option>
            {agentStatuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Space
          <select name="space" value={spaceId ?? ""} onChange={(event) => setFilter("space", event.target.value || null)}>
            <option value="">any</option>
            {tenant.spaces.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Owner
          <select name="owner" value={ownerId ?? ""} onChange={(event) => setFilter("owner", event.target.value || null)}>
            <option value="">anyone</option>
            {tenant.users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.displayName ?? u.email ?? u.id}
              </option>
            ))}
          </select>
        </label>
        <label className="grow">
          Name
          <input
            type="search"
            name="q"
            placeholder="Search by name"
            value={searchText}
            onChange={(event) => setSearchText(event.target.value)}
          />
        </label>
        {filtered && (
          <button type="button" className="secondary" onClick={() => setParams({})}>
            Clear filters
          </button>
        )}
      </form>

      {agents.isPending ? (
        <Loading what="agents" />
      ) : agents.isError ? (
        <ErrorState error={agents.error} what="agents" retry={() => void agents.refetch()} />
      ) : rows.length === 0 ? (
        <Empty>{filtered ? "No agents match these filters." : "This tenant has no agents yet."}</Empty>
      ) : (
        <>
          <div className={`table-wrap${agents.isPlaceholderData || pages.loadingNext ? " refreshing" : ""}`}>
            <table className="table" aria-label="Agents">
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">Status</th>
                  <th scope="col">Space</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Model</th>
                  <th scope="col" className="num">
                    Executions
                  </th>
                  <th scope="col" className="num">
                    Success
                  </th>
                  <th scope="col" className="num">
                    Cost
                  </th>
                  <th scope="col" className="num" title="Executions and cost this month (UTC)">
                    This month
                  </th>
                  <th scope="col" className="num">
                    Avg time
                  </th>
                  <th scope="col">Last run</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((agent) => (
                  <tr key={agent.id} data-status={agent.status}>
                    <td>
                      <Link to={`/agents/${agent.id}`}>{agent.name}</Link>
                    </td>
                    <td>
                      <StatusBadge status={agent.status} />
                    </td>
                    <td>{spaceName.get(agent.spaceId) ?? "–"}</td>
                    <td>{userName.get(agent.ownerId) ?? "–"}</td>
                    <td className="nowrap">{agent.llmConfig.model}</td>
                    <td className="num">{formatCount(agent.stats.totalExecutions)}</td>
                    <td className="num">
                      {formatShare(
                        agent.stats.successfulExecutions,
                        agent.stats.successfulExecutions + agent.stats.failedExecutions + agent.stats.cancelledExecutions,
                      )}
                    </td>
                    <td className="num">{formatUsd(agent.stats.totalCostUsd)}</td>
                    <td className="num this-month">
                      {formatCount(agent.thisMonth.executions)}
                      <div className="muted small">{formatUsd(agent.thisMonth.costUsd)}</div>
                    </td>
                    <td className="num">{formatDuration(agent.stats.avgResponseTimeMs)}</td>
                    <td className="nowrap">{formatAgo(agent.stats.lastExecutedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <KeysetPager pages={pages} pageSize={pageSize} noun={["agent", "agents"]} busy={agents.isFetching} />
        </>
      )}
    </Section>
  );
}
