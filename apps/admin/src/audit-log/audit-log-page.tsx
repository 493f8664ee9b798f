/** Every audited staff action, newest first, optionally for one tenant. */
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";

import { useTRPC } from "../api";
import { KeysetPager, useKeysetPages } from "../ui/keyset-pager";
import { Empty, ErrorState, Loading } from "../ui/states";
import { Section } from "../ui/stats";
import { AuditTable } from "./audit-entries";

const pageSize = 50;

export function AuditLogPage() {
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const tenantId = params.get("tenantId");
  const tenants = useQuery(trpc.admin.tenants.queryOptions());
  const filters = { limit: pageSize, ...(tenantId && { tenantId }) };
  const log = useInfiniteQuery(
    trpc.admin.auditLog.infiniteQueryOptions(filters, { getNextPageParam: (page) => page.nextCursor, placeholderData: keepPreviousData }),
  );
  const pages = useKeysetPages(log, JSON.stringify(filters));
  const entries = pages.items;

  return (
    <>
      <h1>Audit log</h1>
      <p className="muted">
        Every admin mutation is recorded here in the same transaction as the change: who, what, when and which tenant.
      </p>
      <Section title="Staff actions">
        <form className="filters" aria-label="Audit log filters" onSubmit={(event) => event.preventDefault()}>
          <label>
            Tenant
            <select
              name="tenantId"
              value={tenantId ?? ""}
              onChange={(event) => setParams(event.target.value ? { tenantId: event.target.value } : {})}
            >
              <option value="">all tenants</option>
              {tenants.data?.tenants.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name ?? t.id}
                </option>
              ))}
            </select>
          </label>
        </form>
        {log.isPending ? (
          <Loading what="the audit log" />
        ) : log.isError ? (
          <ErrorState error={log.error} what="the audit log" retry={() => void log.refetch()} />
        ) : entries.length === 0 ? (
          <Empty>No staff actions recorded{tenantId ? " for this tenant" : ""} yet.</Empty>
        ) : (
          <>
            <div className={log.isPlaceholderData || pages.loadingNext ? "refreshing" : undefined}>
              <AuditTable entries={entries} />
            </div>
            <KeysetPager pages={pages} pageSize={pageSize} noun={["entry", "entries"]} busy={log.isFetching} />
          </>
        )}
      </Section>
    </>
  );
}
