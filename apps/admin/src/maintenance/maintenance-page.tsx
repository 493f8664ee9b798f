/** Database health and migration state, and the retention cleanup. */
import { useQuery } from "@tanstack/react-query";

import { useTRPC } from "../api";
import { formatDateTime } from "../format";
import { ErrorState, Loading } from "../ui/states";
import { Section, Stat, StatGrid } from "../ui/stats";
import { RetentionPanel } from "./retention-panel";

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
              <Stat label="Status" value={<span className={`badge badge-health-${health.data.status}`}>{health.data.status}</span>} />
              <Stat label="Database" value={health.data.database.reachable ? "reachable" : "unreachable"} />
              <Stat label="Postgres version" value={health.data.database.version ?? "–"} />
              <Stat
                label="Round trip"
                value={health.data.database.latencyMs === null ? "–" : `${health.data.database.latencyMs.toFixed(1)} ms`}
              />
              <Stat
                label="Schema migrations"
                value={
                  health.data.migration
                    ? `${health.data.migration.appliedCount} applied · ${health.data.migration.pending.length === 0 ? "none pending" : `${health.data.migration.pending.length} pending`}`
                    : "unknown"
                }
                hint={health.data.migration?.current ? `newest: ${health.data.migration.current}` : undefined}
                compact
              />
            </StatGrid>
            <p className="muted small">
              Last checked {formatDateTime(new Date(health.dataUpdatedAt).toISOString(), { seconds: true })}; refreshes every 15 s.
            </p>
          </>
        )}
      </Section>

      <Section title="Retention cleanup">
        <RetentionPanel />
      </Section>
    </>
  );
}
