/** One tenant's crews as the tenant has them (`admin.crews`): process filter, name search, page by page. */
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Link, Navigate, useParams, useSearchParams } from "react-router";

import { crewProcesses } from "@agent-builder/contracts";

import { type AdminOutputs, useTRPC } from "../api";
import { formatCount, formatDateTime } from "../format";
import { KeysetPager, useKeysetPages } from "../ui/keyset-pager";
import { Empty, ErrorState, Loading } from "../ui/states";
import { Section } from "../ui/stats";

type Crew = AdminOutputs["crews"]["items"][number];

const pageSize = 20;

function processParam(value: string | null): Crew["process"] | null {
  return crewProcesses.find((p) => p === value) ?? null;
}

export function CrewsPage() {
  const { tenantId } = useParams();
  // The route always names one (/tenants/:tenantId/crews).
  if (!tenantId) return <Navigate to="/" replace />;
  return <CrewsView tenantId={tenantId} />;
}

function CrewsView({ tenantId }: { tenantId: string }) {
  const trpc = useTRPC();
  const tenant = useQuery(trpc.admin.tenant.queryOptions({ tenantId }));
  // Names of members and managers: a tenant's agents fit one page of the largest size.
  const agents = useQuery(trpc.admin.agents.queryOptions({ tenantId, limit: 100 }));
  const [params, setParams] = useSearchParams();
  const process = processParam(params.get("process"));
  const filters = { tenantId, limit: pageSize, sortBy: "name" as const, sortDirection: "asc" as const, ...(process && { process }) };
  const crews = useInfiniteQuery(
    trpc.admin.crews.infiniteQueryOptions(filters, { getNextPageParam: (page) => page.nextCursor, placeholderData: keepPreviousData }),
  );
  const pages = useKeysetPages(crews, JSON.stringify(filters));
  const rows = pages.items;
  const tenantName = tenant.data?.tenant.name ?? tenantId;
  const agentName = new Map(agents.data?.items.map((a) => [a.id, a.name]) ?? []);
  const spaceName = new Map(tenant.data?.spaces.map((s) => [s.id, s.name]) ?? []);
  const userName = new Map(tenant.data?.users.map((u) => [u.id, u.displayName ?? u.email ?? u.id]) ?? []);

  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/">Overview</Link> / <Link to={`/tenants/${encodeURIComponent(tenantId)}`}>{tenantName}</Link> / <span>Crews</span>
      </nav>
      <h1>
        Crews of {tenantName} <span className="muted heading-id">{tenantId}</span>
      </h1>
      <Section title="Crews">
        <form className="filters" aria-label="Crew filters" onSubmit={(event) => event.preventDefault()}>
          <label>
            Process
            <select
              name="process"
              value={process ?? ""}
              onChange={(event) => setParams(event.target.value ? { process: event.target.value } : {})}
            >
              <option value="">any</option>
              {crewProcesses.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
        </form>
        {crews.isPending ? (
          <Loading what="crews" />
        ) : crews.isError ? (
          <ErrorState error={crews.error} what="crews" retry={() => void crews.refetch()} />
        ) : rows.length === 0 ? (
          <Empty>{process ? "No crews match this filter." : "This tenant has no crews yet."}</Empty>
        ) : (
          <>
            <div className={`table-wrap${crews.isPlaceholderData || pages.loadingNext ? " refreshing" : ""}`}>
              <table className="table" aria-label="Crews">
                <thead>
                  <tr>
                    <th scope="col">Crew</th>
                    <th scope="col">Process</th>
                    <th scope="col">Manager</th>
                    <th scope="col">Members</th>
                    <th scope="col">Space</th>
                    <th scope="col">Owner</th>
                    <th scope="col">Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((crew) => (
                    <tr key={crew.id} data-crew={crew.id} data-process={crew.process}>
                      <td>
                        <Link to={`/crews/${crew.id}?tenantId=${encodeURIComponent(tenantId)}`}>{crew.name}</Link>
                      </td>
                      <td>
                        <span className="badge">{crew.process}</span>
                      </td>
                      <td>{crew.managerAgentId ? (agentName.get(crew.managerAgentId) ?? crew.managerAgentId) : "–"}</td>
                      <td data-count={crew.memberAgentIds.length}>
                        {formatCount(crew.memberAgentIds.length)}:{" "}
                        <span className="muted">{crew.memberAgentIds.map((id) => agentName.get(id) ?? id).join(", ")}</span>
                      </td>
                      <td>{spaceName.get(crew.spaceId) ?? "–"}</td>
                      <td>{userName.get(crew.ownerId) ?? "–"}</td>
                      <td className="nowrap">{formatDateTime(crew.updatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <KeysetPager pages={pages} pageSize={pageSize} noun={["crew", "crews"]} busy={crews.isFetching} />
          </>
        )}
      </Section>
    </>
  );
}
