/**
 * Model prices (`admin.models`): the prices in effect now, global (shipped or staff-edited) and
 * every tenant's overrides, filtered by scope, tenant, provider and name, page by page; and the
 * model names runs reported without a price in the last 30 days (`admin.unpricedModels`), so
 * staff see what to add.
 */
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";

import { modelScopes } from "@agent-builder/contracts";

import { type AdminOutputs, useTRPC } from "../api";
import { formatCount, formatDateTime } from "../format";
import { KeysetPager, useKeysetPages } from "../ui/keyset-pager";
import { Empty, ErrorState, Loading } from "../ui/states";
import { Section } from "../ui/stats";
import { formatPricePerMillion } from "./prices";

type ModelPrice = AdminOutputs["models"]["items"][number];
type Scope = ModelPrice["scope"];

const pageSize = 50;
/** Patterns shown in a row; the rest are counted (a shipped row can carry dozens of dated names). */
const patternsShown = 3;
/** Long model names and patterns wrap inside their cells, so the ten columns fit a laptop screen. */
const wrapAnywhere = { overflowWrap: "anywhere", minWidth: "8em", maxWidth: "13em" } as const;

function scopeParam(value: string | null): Scope | null {
  return modelScopes.find((s) => s === value) ?? null;
}

export function ModelsPage() {
  const trpc = useTRPC();
  const tenants = useQuery(trpc.admin.tenants.queryOptions());
  const [params, setParams] = useSearchParams();
  const scope = scopeParam(params.get("scope"));
  const tenantId = params.get("tenantId");
  const search = params.get("q") ?? "";
  const [searchText, setSearchText] = useState(search);

  const setFilter = (key: string, value: string | null) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: key === "q" },
    );

  // Search as staff type, one request per pause (as the tools page).
  // biome-ignore lint/correctness/useExhaustiveDependencies: only typing starts a search (not a URL change, which the next effect follows)
  useEffect(() => {
    if (searchText.trim() === search) return;
    const timer = setTimeout(() => setFilter("q", searchText.trim().toLowerCase() || null), 300);
    return () => clearTimeout(timer);
  }, [searchText]);
  useEffect(() => {
    setSearchText((text) => (text.trim().toLowerCase() === search ? text : search));
  }, [search]);

  const filters = { limit: pageSize, ...(scope && { scope }), ...(tenantId && { tenantId }), ...(search && { q: search }) };
  const models = useInfiniteQuery(
    trpc.admin.models.infiniteQueryOptions(filters, { getNextPageParam: (page) => page.nextCursor, placeholderData: keepPreviousData }),
  );
  const pages = useKeysetPages(models, JSON.stringify(filters));
  const rows = pages.items;
  const filtered = Boolean(scope || tenantId || search);
  const tenantName = new Map(tenants.data?.tenants.map((t) => [t.id, t.name ?? t.id]) ?? []);

  return (
    <>
      <h1>Models</h1>
      <p className="muted">
        Prices in USD per million tokens, as runs finishing now are priced: per scope, provider and model, the row with the latest
        valid-from. A tenant's own row wins over the global one for that tenant. Cached input and cache writes without a price bill at the
        input price, reasoning at the output price.
      </p>
      <Section title="Prices in effect">
        <form className="filters" aria-label="Model filters" onSubmit={(event) => event.preventDefault()}>
          <label>
            Scope
            <select name="scope" value={scope ?? ""} onChange={(event) => setFilter("scope", event.target.value || null)}>
              <option value="">any</option>
              {modelScopes.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </label>
          <label>
            Tenant
            <select name="tenantId" value={tenantId ?? ""} onChange={(event) => setFilter("tenantId", event.target.value || null)}>
              <option value="">every tenant</option>
              {tenants.data?.tenants.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name ?? t.id}
                </option>
              ))}
            </select>
          </label>
          <label className="grow">
            Model
            <input
              type="search"
              name="q"
              placeholder="Search by model name"
              value={searchText}
              onChange={(event) => setSearchText(event.target.value)}
            />
          </label>
          {filtered && (
            <button type="button" className="secondary" onClick={() => setParams({})}>
              Clear filters
            </button>
          )}
        </form>

        {models.isPending ? (
          <Loading what="model prices" />
        ) : models.isError ? (
          <ErrorState error={models.error} what="model prices" retry={() => void models.refetch()} />
        ) : rows.length === 0 ? (
          <Empty>{filtered ? "No prices match these filters." : "No model prices yet: migrate syncs the shipped ones."}</Empty>
        ) : (
          <>
            <div className={`table-wrap${models.isPlaceholderData || pages.loadingNext ? " refreshing" : ""}`}>
              <table className="table" aria-label="Model prices">
                <thead>
                  <tr>
                    <th scope="col">Provider</th>
                    <th scope="col">Model</th>
                    <th scope="col">Patterns</th>
                    <th scope="col" className="num">
                      Input
                    </th>
                    <th scope="col" className="num">
                      Output
                    </th>
                    <th scope="col" className="num" aria-label="Cached input">
                      Cached
                      <br />
                      input
                    </th>
                    <th scope="col" className="num" aria-label="Cache write">
                      Cache
                      <br />
                      write
                    </th>
                    <th scope="col" className="num">
                      Reasoning
                    </th>
                    <th scope="col">Valid from</th>
                    <th scope="col" aria-label="Scope and source">
                      Scope
                      <br />
                      source
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((model) => (
                    <ModelRow key={model.id} model={model} tenantName={model.tenantId ? tenantName.get(model.tenantId) : undefined} />
                  ))}
                </tbody>
              </table>
            </div>
            <KeysetPager pages={pages} pageSize={pageSize} noun={["price", "prices"]} busy={models.isFetching} />
          </>
        )}
      </Section>
      <UnpricedModels />
    </>
  );
}

function Price({ value, fallback }: { value: number | null; fallback?: string }) {
  if (value === null) {
    return (
      <span className="muted" title={fallback ? `no price of its own: billed at the ${fallback} price` : undefined}>
        –
      </span>
    );
  }
  return <>{formatPricePerMillion(value)}</>;
}

function ModelRow({ model, tenantName }: { model: ModelPrice; tenantName?: string }) {
  const shown = model.matchPatterns.slice(0, patternsShown);
  const more = model.matchPatterns.length - shown.length;
  return (
    <tr data-model={model.id} data-scope={model.scope} data-tenant={model.tenantId ?? ""}>
      <td>{model.provider}</td>
      <td style={wrapAnywhere}>
        <code>{model.modelName}</code>
        {model.tiers.length > 0 && (
          <div>
            <span
              className="badge"
              title={model.tiers
                .map((t) => `above ${formatCount(t.inputTokensAbove)} input tokens: input ${t.input ?? "="}, output ${t.output ?? "="}`)
                .join("; ")}
            >
              {model.tiers.length === 1 ? "1 tier" : `${model.tiers.length} tiers`}
            </span>
          </div>
        )}
      </td>
      <td style={wrapAnywhere} title={model.matchPatterns.join("\n")} data-patterns={model.matchPatterns.join(" ")}>
        {shown.map((p) => (
          <code key={p} style={{ display: "block" }}>
            {p}
          </code>
        ))}
        {more > 0 && <span className="muted">+{more} more</span>}
      </td>
      <td className="num" data-price="input">
        <Price value={model.prices.input} />
      </td>
      <td className="num" data-price="output">
        <Price value={model.prices.output} />
      </td>
      <td className="num" data-price="cachedInput">
        <Price value={model.prices.cachedInput} fallback="input" />
      </td>
      <td className="num" data-price="cacheWrite">
        <Price value={model.prices.cacheWrite} fallback="input" />
      </td>
      <td className="num" data-price="reasoning">
        <Price value={model.prices.reasoning} fallback="output" />
      </td>
      <td>{formatDateTime(model.validFrom)}</td>
      <td>
        <div className="scope">
          {model.tenantId ? (
            <Link to={`/tenants/${encodeURIComponent(model.tenantId)}`}>{tenantName ?? model.tenantId}</Link>
          ) : (
            <span className="badge">global</span>
          )}
        </div>
        {model.tenantOverrides > 0 && (
          <div className="muted" data-overrides={model.tenantOverrides}>
            overridden by {formatCount(model.tenantOverrides)} {model.tenantOverrides === 1 ? "tenant" : "tenants"}
          </div>
        )}
        <div className="muted source">{model.source}</div>
      </td>
    </tr>
  );
}

type Unpriced = AdminOutputs["unpricedModels"]["items"][number];

function UnpricedModels() {
  const trpc = useTRPC();
  const unpriced = useQuery(trpc.admin.unpricedModels.queryOptions({ days: 30 }));
  return (
    <Section title="Unpriced models, last 30 days">
      <p className="muted">
        Model names finished runs reported with no price to compute their cost from (their cost is unknown, counted as unpriced), newest
        first. Add a global price for one to price the runs that finish from then on; runs already finished keep an unknown cost.
      </p>
      {unpriced.isPending ? (
        <Loading what="unpriced models" />
      ) : unpriced.isError ? (
        <ErrorState error={unpriced.error} what="unpriced models" retry={() => void unpriced.refetch()} />
      ) : unpriced.data.items.length === 0 ? (
        <Empty>Every run of the last 30 days had a price for its model.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Unpriced models">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Providers</th>
                <th scope="col" className="num">
                  Executions
                </th>
                <th scope="col" className="num">
                  Tenants
                </th>
                <th scope="col">Last seen</th>
                <th scope="col">Priced now</th>
              </tr>
            </thead>
            <tbody>
              {unpriced.data.items.map((m: Unpriced) => (
                <tr key={m.model} data-model={m.model}>
                  <td>
                    <code>{m.model}</code>
                  </td>
                  <td>{m.providers.length > 0 ? m.providers.join(", ") : "–"}</td>
                  <td className="num">{formatCount(m.executions)}</td>
                  <td className="num">{formatCount(m.tenants)}</td>
                  <td className="nowrap">{formatDateTime(m.lastSeenAt)}</td>
                  <td>{m.pricedNowBy ? <span className="badge badge-active">priced since</span> : <span className="muted">no</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
