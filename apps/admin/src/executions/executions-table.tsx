import { Link } from "react-router";

import type { AdminOutputs } from "../api";
import { formatCount, formatDateTime, formatDuration, shortId } from "../format";
import { StatusBadge } from "../ui/status-badge";
import { CostAmount } from "./cost";

type Row = AdminOutputs["agent"]["recentExecutions"][number] & { tenantId?: string; agentName?: string };

/** Executions, newest first; the tenant and agent columns only where the list spans several. */
export function ExecutionsTable({ rows, showAgent }: { rows: Row[]; showAgent: boolean }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Executions">
        <thead>
          <tr>
            <th scope="col">Execution</th>
            <th scope="col">Started (UTC)</th>
            {showAgent && <th scope="col">Tenant</th>}
            {showAgent && <th scope="col">Agent</th>}
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Duration
            </th>
            <th scope="col" className="num">
              Tokens
            </th>
            <th scope="col" className="num">
              Cost
            </th>
            <th scope="col" className="num">
              Steps
            </th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((execution) => (
            <tr key={execution.id} data-status={execution.status} data-steps={execution.stepCount}>
              <td className="nowrap">
                <Link to={`/executions/${execution.id}`} title={execution.id}>
                  {shortId(execution.id)}
                </Link>
              </td>
              <td className="nowrap">{formatDateTime(execution.startedAt, { zone: false })}</td>
              {showAgent && (
                <td>
                  {execution.tenantId ? <Link to={`/tenants/${encodeURIComponent(execution.tenantId)}`}>{execution.tenantId}</Link> : "–"}
                </td>
              )}
              {showAgent && (
                <td className="nowrap">
                  {execution.agentName ? <Link to={`/agents/${execution.agentId}`}>{execution.agentName}</Link> : "–"}
                </td>
              )}
              <td>
                <StatusBadge status={execution.status} />
              </td>
              <td className="num">{formatDuration(execution.durationMs)}</td>
              <td className="num">{formatCount(execution.usage.totalTokens)}</td>
              <td className="num">
                <CostAmount usd={execution.costUsd} />
              </td>
              <td className="num">{formatCount(execution.stepCount)}</td>
              <td className="error-cell">{execution.error ? (execution.error.code ?? execution.error.message) : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
