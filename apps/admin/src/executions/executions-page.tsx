/** Executions across every tenant, newest first, filtered by tenant, agent, status and UTC days. */
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";

import { executionStatuses } from "@agent-builder/contracts";

import { type ExecutionStatus, useTRPC } from "../api";
import { DayInput, isIsoDay } from "../ui/day-input";
import { KeysetPager, useKeysetPages } from "../ui/keyset-pager";
import { Empty, ErrorState, Loading } from "../ui/states";
import { Section } from "../ui/stats";
import { ExecutionsTable } from "./executions-table";

const pageSize = 25;

/** A UTC day "YYYY-MM-DD" as the instant it starts; `after` gives the start of the next day (an exclusive bound). */
function dayStart(day: string, after = false) {
  const date = new Date(`${day}T00:00:00.000Z`);
  if (after) date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString();
}

function dayParam(value: string | null): string | null {
  return value && isIsoDay(value) ? value : null;
}

export function ExecutionsPage() {
  const trpc = useTRPC();
  // Filters live in the URL: links from a tenant or agent land here pre-filtered, and can be shared.
  const [params, setParams] = useSearchParams();
  const tenantId = params.get("tenantId");
  const agentId = params.get("agentId");
  const status = params.get("status") as ExecutionStatus | null;
  // A hand-edited link with something other than a day is ignored, not sent to the API.
  const from = dayParam(params.get("from"));
  const to = dayParam(params.get("to"));
  const badRange = Boolean(from && to && from > to);

  const update = (changes: Record<string, string | null>) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [key, value] of Object.entries(changes)) {
        if (value) next.set(key, value);
        else next.delete(key);
      }
      return next;
    });

  const tenants = useQuery(trpc.admin.tenants.queryOptions());
  const agents = useQuery({
    ...trpc.admin.agents.queryOptions({ tenantId: tenantId ?? "", limit: 100, sortBy: "name", sortDirection: "asc" }),
    enabled: Boolean(tenantId),
  });
  const filters = {
    limit: pageSize,
    ...(tenantId && { tenantId }),
    ...(agentId && { agentId }),
    ...(status && { status }),
    ...(from && { from: dayStart(from) }),
    ...(to && { to: dayStart(to, true) }),
  };
  const executions = useInfiniteQuery(
    trpc.admin.executions.infiniteQueryOptions(filters, {
      getNextPageParam: (page) => page.nextCursor,
      enabled: !badRange,
      placeholderData: keepPreviousData,
    }),
  );
  const pages = useKeysetPages(executions, JSON.stringify(filters));

  const rows = pages.items;
  const filtered = Boolean(tenantId || agentId || status || from || to);
  const agentOptions = agents.data?.items ?? [];
  const agentListed = !agentId || agentOptions.some((a) => a.id === agentId);

  return (
    <>
      <h1>Executions</h1>
      <Section title="All tenants">
        <form className="filters" aria-label="Execution filters" onSubmit={(event) => event.preventDefault()}>
          <label>
            Tenant
            <select
              name="tenantId"
              value={tenantId ?? ""}
              onChange={(event) => update({ tenantId: event.target.value || null, agentId: null })}
            >
              <option value="">all tenants</option>
              {tenants.data?.tenants.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name ?? t.id}
                </option>
              ))}
            </select>
          </label>
          <label>
            Agent
            <select
              name="agentId"
              value={agentId ?? ""}
              disabled={!tenantId}
              title={tenantId ? undefined : "Choose a tenant first"}
              onChange={(event) => update({ agentId: event.target.value || null })}
            >
              <option value="">{tenantId ? "all agents" : "choose a tenant first"}</option>
              {agentId && !agentListed && <option value={agentId}>{agentId}</option>}
              {agentOptions.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Status
            <select name="status" value={status ?? ""} onChange={(event) => update({ status: event.target.value || null })}>
              <option value="">any</option>
              {executionStatuses.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <DayInput name="from" label="From (UTC)" value={from} onChange={(day) => update({ from: day })} />
          <DayInput name="to" label="To (UTC, inclusive)" value={to} onChange={(day) => update({ to: day })} />
          {filtered && (
            <button type="button" className="secondary" onClick={() => setParams({})}>
              Clear filters
            </button>
          )}
        </form>

        {badRange ? (
          <div className="state state-error" role="alert">
            The range starts after it ends: pick a “from” day on or before the “to” day.
          </div>
        ) : executions.isPending ? (
          <Loading what="executions" />
        ) : executions.isError ? (
          <ErrorState error={executions.error} what="executions" retry={() => void executions.refetch()} />
        ) : rows.length === 0 ? (
          <Empty>{filtered ? "No executions match these filters." : "No executions yet."}</Empty>
        ) : (
          <>
            <div className={executions.isPlaceholderData || pages.loadingNext ? "refreshing" : undefined}>
              <ExecutionsTable rows={rows} showAgent />
            </div>
            <KeysetPager pages={pages} pageSize={pageSize} noun={["execution", "executions"]} busy={executions.isFetching} />
          </>
        )}
      </Section>
    </>
  );
}
