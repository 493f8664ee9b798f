/**
 * Retention cleanup: deletes finished executions older than N days in every tenant (steps go
 * with them; lifetime stats and past daily rollups stay). Two steps, because it cannot be
 * undone; one call deletes at most a batch, so a "continue" button follows while more remain.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { useTRPC } from "../api";
import { formatCount, formatDateTime } from "../format";
import { ErrorState } from "../ui/states";

export function RetentionPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [days, setDays] = useState(90);
  const [confirming, setConfirming] = useState(false);
  const run = useMutation(
    trpc.admin.runRetention.mutationOptions({
      onSettled: () => {
        setConfirming(false);
        // Execution lists, charts of recent days and the audit log may have changed.
        void queryClient.invalidateQueries(trpc.admin.pathFilter());
      },
    }),
  );
  const valid = Number.isInteger(days) && days >= 1 && days <= 36_500;

  return (
    <div className="retention" data-testid="retention">
      <p>
        Deletes finished executions (and their steps) created more than the given number of days ago, in every tenant. Usage totals and past
        daily figures are kept.
      </p>
      <div className="retention-form">
        <label>
          Older than{" "}
          <input
            type="number"
            name="olderThanDays"
            min={1}
            max={36_500}
            value={Number.isNaN(days) ? "" : days}
            onChange={(e) => {
              setDays(e.target.valueAsNumber);
              setConfirming(false);
            }}
          />{" "}
          days
        </label>
        {confirming ? (
          <>
            <span role="status">Delete executions older than {days} days in all tenants? This cannot be undone.</span>
            <button type="button" className="danger" disabled={run.isPending} onClick={() => run.mutate({ olderThanDays: days })}>
              {run.isPending ? "Deleting…" : "Delete"}
            </button>
            <button type="button" className="secondary" disabled={run.isPending} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" disabled={!valid || run.isPending} onClick={() => setConfirming(true)}>
            Run cleanup
          </button>
        )}
      </div>
      {!valid && <p className="muted small">Enter a whole number of days from 1 to 36,500.</p>}
      {run.isError && <ErrorState error={run.error} what="the retention cleanup" />}
      {run.data && (
        <div className="retention-result" data-testid="retention-result">
          <p>
            Deleted {formatCount(run.data.executions)} execution{run.data.executions === 1 ? "" : "s"} and {formatCount(run.data.steps)}{" "}
            step
            {run.data.steps === 1 ? "" : "s"} created before {formatDateTime(run.data.cutoff)}
            {run.data.tenants.length > 0 && ` (${run.data.tenants.map((t) => `${t.tenantId}: ${formatCount(t.executions)}`).join(", ")})`}.
          </p>
          {!run.data.complete && (
            <button type="button" disabled={run.isPending} onClick={() => run.mutate({ olderThanDays: days })}>
              More remain: continue
            </button>
          )}
        </div>
      )}
    </div>
  );
}
