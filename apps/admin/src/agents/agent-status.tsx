/**
 * The agent's status and the moves staff may make from it. The allowed moves come from the
 * domain's transition table (the API enforces the same table); every change is audited, with
 * the optional reason.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { agentStatusTransitions } from "@agent-builder/contracts";

import { type Agent, type AgentStatus, apiErrorCode, useTRPC } from "../api";
import { StatusBadge } from "../ui/status-badge";

const actionLabels: Partial<Record<AgentStatus, string>> = { active: "Activate", paused: "Pause", archived: "Archive" };

export function AgentStatusControl({ agent }: { agent: Agent }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const [confirmArchive, setConfirmArchive] = useState(false);
  const setStatus = useMutation(
    trpc.admin.setAgentStatus.mutationOptions({
      onSuccess: () => {
        setReason("");
        setConfirmArchive(false);
      },
      // Status, lists, tenant counts and the audit log changed (or, on a conflict, the agent had
      // changed already): refresh every admin view either way.
      onSettled: () => queryClient.invalidateQueries(trpc.admin.pathFilter()),
    }),
  );
  const moves = agentStatusTransitions[agent.status];
  const change = (status: AgentStatus) => setStatus.mutate({ id: agent.id, status, ...(reason.trim() && { reason: reason.trim() }) });

  return (
    <div className="status-control">
      <div className="status-line">
        <StatusBadge status={agent.status} />
        <span className="muted small">version {agent.version}</span>
      </div>
      {moves.length === 0 ? (
        <p className="muted">Archived is final: no further status changes.</p>
      ) : (
        <>
          <div className="status-actions">
            {moves.map((status) =>
              status === "archived" ? (
                <button
                  key={status}
                  type="button"
                  className="danger"
                  disabled={setStatus.isPending}
                  onClick={() => setConfirmArchive(true)}
                >
                  {actionLabels[status]}
                </button>
              ) : (
                <button key={status} type="button" disabled={setStatus.isPending} onClick={() => change(status)}>
                  {setStatus.isPending && setStatus.variables?.status === status ? "Saving…" : actionLabels[status]}
                </button>
              ),
            )}
            <input
              type="text"
              name="reason"
              aria-label="Reason (kept in the audit log)"
              placeholder="Reason (optional, kept in the audit log)"
              maxLength={1000}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
            />
          </div>
          {confirmArchive && (
            <div className="confirm" role="alertdialog" aria-label="Confirm archive">
              Archiving is final: the agent stops accepting executions for good and keeps its history.
              <button type="button" className="danger" disabled={setStatus.isPending} onClick={() => change("archived")}>
                Archive for good
              </button>
              <button type="button" className="secondary" onClick={() => setConfirmArchive(false)}>
                Cancel
              </button>
            </div>
          )}
        </>
      )}
      {setStatus.isError && (
        <div className="state state-error" role="alert">
          {apiErrorCode(setStatus.error) === "CONFLICT"
            ? `The agent changed meanwhile: ${setStatus.error.message}. The page now shows its current state.`
            : `Could not change the status: ${setStatus.error.message}`}
        </div>
      )}
    </div>
  );
}
