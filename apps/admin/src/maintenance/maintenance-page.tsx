/** Database health, and the retention cleanup once the API has one. */
import { useQuery } from "@tanstack/react-query";

import { useTRPC } from "../api";
import { formatDateTime } from "../format";
import { ErrorState, Loading } from "../ui/states";
import { Section, Stat, StatGrid } from "../ui/stats";

export function MaintenancePage() {
  const trpc = useTRPC();
  // Re-checked every 15 s while the page is open: this page is where staff look during an incident.
  const health = useQuery({ ...trpc.health.queryOptions(), refetchInterval: 15_000, staleTime: 0 });

  return (
    <>
      <h1>Maintenance</h1>
      <Section
        title="Database health"
        actions={
          <button type="button" className="secondary" disabled={health.isFetching} onClick={() => void health.refetch()}>
            {health.isFetching ? "Checking…" : "Check now"}
          </button>
        }
      >
        {health.isPending ? (
          <Loading what="database health" />
        ) : health.isError ? (
          <ErrorState error={health.error} what="database health" retry={() => void health.refetch()} />
        ) : (
          <>
            <StatGrid>
              <Stat
                label="Status"
                value={<span className={`badge badge-health-${health.data.status}`}>{health.data.status}</span>}
              />
              <Stat label="Database" value={health.data.database.reachable ? "reachable" : "unreachable"} />
              <Stat label="Postgres version" value={health.data.database.version ?? "–"} />
              <Stat
                label="Round trip"
                value={health.data.database.latencyMs === null ? "–" : `${health.data.database.latencyMs.toFixed(1)} ms`}
              />
            </StatGrid>
            <p className="muted small">Last checked {formatDateTime(new Date(health.dataUpdatedAt).toISOString(), { seconds: true })}; refreshes every 15 s.</p>
          </>
        )}
      </Section>

      <Section title="Retention cleanup">
        <div className="unavailable" data-testid="retention-unavailable">
          <span className="badge badge-unavailable">not available yet</span>
          <p>
            Retention cleanup: not available yet. The API has no retention procedure, so there is nothing to run from here. When{" "}
            <code>admin.*</code> gains one, this panel will show what it would delete and run it.
          </p>
        </div>
      </Section>
    </>
  );
}
