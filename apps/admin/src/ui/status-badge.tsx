import type { AgentStatus, ExecutionStatus } from "../api";

/** Agent and execution statuses, coloured by what they mean for staff (running fine, stopped, failed). */
export function StatusBadge({ status }: { status: AgentStatus | ExecutionStatus }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}
