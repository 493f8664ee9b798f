/** Audit log entries as a table: who (staff member), what, when, and which tenant and object, by name; ids on hover. */
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";

import { type AuditEntry, useTRPC } from "../api";
import { formatDateTime, shortId } from "../format";
import { Empty, ErrorState, Loading } from "../ui/states";

export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Audit log">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Staff member</th>
            <th scope="col">Action</th>
            <th scope="col">Tenant</th>
            <th scope="col">Target</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id} data-action={entry.action}>
              <td className="nowrap">{formatDateTime(entry.createdAt, { seconds: true })}</td>
              <td className="nowrap actor" title={`user ${entry.actorId} · tenant ${entry.actorTenantId}`}>
                {entry.actorName ?? shortId(entry.actorId)} <span className="muted">({entry.actorTenantName ?? entry.actorTenantId})</span>
              </td>
              <td>
                <code>{entry.action}</code>
              </td>
              <td className="target-tenant">
                {entry.targetTenantId ? (
                  <Link to={`/tenants/${encodeURIComponent(entry.targetTenantId)}`} title={`tenant ${entry.targetTenantId}`}>
                    {entry.targetTenantName ?? entry.targetTenantId}
                  </Link>
                ) : (
                  "all tenants"
                )}
              </td>
              <td className="nowrap target">
                <Target entry={entry} />
              </td>
              <td>{describeDetails(entry.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What the action was on, by name ("agent Support triage"), its id on hover; an agent links to its page. */
function Target({ entry }: { entry: AuditEntry }) {
  if (!entry.targetType && !entry.targetId) return <>–</>;
  const label = entry.targetName ?? (entry.targetId ? shortId(entry.targetId) : "");
  const title = entry.targetId ? `${entry.targetType ?? "target"} ${entry.targetId}` : undefined;
  if (entry.targetType === "agent" && entry.targetId) {
    return (
      <Link to={`/agents/${entry.targetId}`} title={title}>
        agent {label}
      </Link>
    );
  }
  return <span title={title}>{[entry.targetType, label].filter(Boolean).join(" ")}</span>;
}

/** `{from, to, reason}` of a status change as "active → paused · reason"; other details as key: value. */
function describeDetails(details: Record<string, unknown>): string {
  const { from, to, reason, ...rest } = details;
  const parts: string[] = [];
  if (typeof from === "string" && typeof to === "string") parts.push(`${from} → ${to}`);
  if (typeof reason === "string") parts.push(`“${reason}”`);
  for (const [key, value] of Object.entries(rest)) parts.push(`${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
  return parts.join(" · ") || "–";
}

/** The latest entries on a tenant; with `agentId`, the latest on that agent of it (the API filters by target). */
export function AuditEntries({ tenantId, agentId, limit }: { tenantId: string; agentId?: string; limit: number }) {
  const trpc = useTRPC();
  const log = useQuery(trpc.admin.auditLog.queryOptions({ tenantId, limit, ...(agentId && { targetType: "agent", targetId: agentId }) }));
  if (log.isPending) return <Loading what="the audit log" />;
  if (log.isError) return <ErrorState error={log.error} what="the audit log" retry={() => void log.refetch()} />;
  const entries = log.data.items;
  if (entries.length === 0)
    return <Empty>{agentId ? "No staff actions on this agent yet." : "No staff actions on this tenant yet."}</Empty>;
  return <AuditTable entries={entries} />;
}
