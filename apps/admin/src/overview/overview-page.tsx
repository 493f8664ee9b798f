/** Every tenant at a glance (this month, UTC) and executions and cost per day across all of them. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";

import { useTRPC } from "../api";
import { formatAgo, formatCount, formatPercent, formatUsd } from "../format";
import { Empty, ErrorState, Loading } from "../ui/states";
import { Section, Stat, StatGrid } from "../ui/stats";
import { UsageChart } from "../ui/usage-chart";

const ranges = [30, 90] as const;

export function OverviewPage() {
  const trpc = useTRPC();
  const [days, setDays] = useState<(typeof ranges)[number]>(30);
  // The previous range stays on screen while the next one loads, so the page does not jump.
  const overview = useQuery({ ...trpc.admin.overview.queryOptions({ days }), placeholderData: keepPreviousData });

  return (
    <>
      <h1>Overview</h1>
      {overview.isPending ? (
        <Loading what="the overview" />
      ) : overview.isError ? (
        <ErrorState error={overview.error} what="the overview" retry={() => void overview.refetch()} />
      ) : (
        <>
          <StatGrid>
            <Stat label="Tenants" value={formatCount(overview.data.totals.tenants)} />
            <Stat label="Agents" value={formatCount(overview.data.totals.agents)} />
            <Stat label="Executions this month" value={formatCount(overview.data.totals.executionsThisMonth)} />
            <Stat label="Cost this month" value={formatUsd(overview.data.totals.costThisMonthUsd)} />
          </StatGrid>

          <Section
            title={`Executions and cost per day, all tenants, last ${days} days`}
            actions={
              <div className="segmented" role="group" aria-label="Chart range">
                {ranges.map((range) => (
                  <button
                    key={range}
                    type="button"
                    aria-pressed={days === range}
                    className={days === range ? "active" : ""}
                    onClick={() => setDays(range)}
                  >
                    {range} days
                  </button>
                ))}
              </div>
            }
          >
            <div className={overview.isPlaceholderData ? "refreshing" : undefined}>
              <UsageChart buckets={overview.data.daily} label={`Executions and cost per day, last ${days} days`} />
            </div>
          </Section>

          <Section title="Tenants (this month, UTC)">
            {overview.data.tenants.length === 0 ? (
              <Empty>No tenants yet: a tenant appears with its first request.</Empty>
            ) : (
              <div className="table-wrap">
                <table className="table" aria-label="Tenants">
                  <thead>
                    <tr>
                      <th scope="col">Tenant</th>
                      <th scope="col" className="num">
                        Agents
                      </th>
                      <th scope="col" className="num">
                        Active
                      </th>
                      <th scope="col" className="num">
                        Executions
                      </th>
                      <th scope="col" className="num">
                        Failed
                      </th>
                      <th scope="col" className="num">
                        Failure rate
                      </th>
                      <th scope="col" className="num">
                        Cost
                      </th>
                      <th scope="col">Last execution</th>
                    </tr>
                  </thead>
                  <tbody>
                    {overview.data.tenants.map((tenant) => (
                      <tr key={tenant.tenantId} data-tenant={tenant.tenantId}>
                        <td>
                          <Link to={`/tenants/${encodeURIComponent(tenant.tenantId)}`}>{tenant.name ?? tenant.tenantId}</Link>
                          <div className="muted small">{tenant.tenantId}</div>
                        </td>
                        <td className="num">{formatCount(tenant.agentCount)}</td>
                        <td className="num">{formatCount(tenant.activeAgents)}</td>
                        <td className="num">{formatCount(tenant.executionsThisMonth)}</td>
                        <td className="num">{formatCount(tenant.failedThisMonth)}</td>
                        <td className={`num${(tenant.failureRate ?? 0) >= 0.2 ? " warn" : ""}`}>{formatPercent(tenant.failureRate)}</td>
                        <td className="num">{formatUsd(tenant.costThisMonthUsd)}</td>
                        <td>{formatAgo(tenant.lastExecutedAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>
        </>
      )}
    </>
  );
}
