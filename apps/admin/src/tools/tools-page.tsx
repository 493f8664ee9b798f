/** One tenant's tools as the tenant has them (secrets masked): filtered by type, searched by name, page by page. */
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, Navigate, useParams, useSearchParams } from "react-router";

import { toolTypes } from "@agent-builder/contracts";

import { type AdminOutputs, useTRPC } from "../api";
import { formatDateTime } from "../format";
import { JsonBlock } from "../ui/json-block";
import { KeysetPager, useKeysetPages } from "../ui/keyset-pager";
import { Empty, ErrorState, Loading } from "../ui/states";
import { Section } from "../ui/stats";

type Tool = AdminOutputs["tools"]["items"][number];
type ToolType = Tool["type"];

/** Each tool is shown in full (schema, configuration, code), so a page holds a few. */
const pageSize = 5;

/** A hand-edited link with an unknown type is ignored, not sent to the API. */
function typeParam(value: string | null): ToolType | null {
  return toolTypes.find((t) => t === value) ?? null;
}

export function ToolsPage() {
  const { tenantId } = useParams();
  // The route always names one (/tenants/:tenantId/tools).
  if (!tenantId) return <Navigate to="/" replace />;
  return <ToolsView tenantId={tenantId} />;
}

function ToolsView({ tenantId }: { tenantId: string }) {
  const trpc = useTRPC();
  const tenant = useQuery(trpc.admin.tenant.queryOptions({ tenantId }));
  const [params, setParams] = useSearchParams();
  const type = typeParam(params.get("type"));
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

  // Search as staff type, one request per pause (as the tenant page's agent search).
  // biome-ignore lint/correctness/useExhaustiveDependencies: only typing starts a search (not a URL change, which the next effect follows)
  useEffect(() => {
    if (searchText.trim() === search) return;
    const timer = setTimeout(() => setFilter("q", searchText.trim() || null), 300);
    return () => clearTimeout(timer);
  }, [searchText]);
  useEffect(() => {
    setSearchText((text) => (text.trim() === search ? text : search));
  }, [search]);

  const filters = {
    tenantId,
    limit: pageSize,
    sortBy: "name" as const,
    sortDirection: "asc" as const,
    ...(type && { type }),
    ...(search && { search }),
  };
  const tools = useInfiniteQuery(
    trpc.admin.tools.infiniteQueryOptions(filters, {
      getNextPageParam: (page) => page.nextCursor,
      placeholderData: keepPreviousData,
    }),
  );
  const pages = useKeysetPages(tools, JSON.stringify(filters));
  const rows = pages.items;
  const filtered = Boolean(type || search);
  const tenantName = tenant.data?.tenant.name ?? tenantId;
  const users = new Map(tenant.data?.users.map((u) => [u.id, u.displayName ?? u.email ?? u.id]) ?? []);

  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/">Overview</Link> / <Link to={`/tenants/${encodeURIComponent(tenantId)}`}>{tenantName}</Link> / <span>Tools</span>
      </nav>
      <h1>
        Tools of {tenantName} <span className="muted heading-id">{tenantId}</span>
      </h1>
      <p className="muted">As the tenant's tools.list gives them: secrets are write-only, shown only as their masked hints.</p>
      <Section title="Tools">
        <form className="filters" aria-label="Tool filters" onSubmit={(event) => event.preventDefault()}>
          <label>
            Type
            <select name="type" value={type ?? ""} onChange={(event) => setFilter("type", event.target.value || null)}>
              <option value="">any</option>
              {toolTypes.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label className="grow">
            Name
            <input
              type="search"
              name="q"
              placeholder="Search by name"
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

        {tools.isPending ? (
          <Loading what="tools" />
        ) : tools.isError ? (
          <ErrorState error={tools.error} what="tools" retry={() => void tools.refetch()} />
        ) : rows.length === 0 ? (
          <Empty>{filtered ? "No tools match these filters." : "This tenant has no tools yet."}</Empty>
        ) : (
          <>
            <div className={`tool-list${tools.isPlaceholderData || pages.loadingNext ? " refreshing" : ""}`} aria-label="Tools">
              {rows.map((tool) => (
                <ToolCard key={tool.id} tool={tool} creator={users.get(tool.createdBy)} />
              ))}
            </div>
            <KeysetPager pages={pages} pageSize={pageSize} noun={["tool", "tools"]} busy={tools.isFetching} />
          </>
        )}
      </Section>
    </>
  );
}

function ToolCard({ tool, creator }: { tool: Tool; creator?: string }) {
  const secrets = Object.entries(tool.secrets);
  return (
    <article className="tool" data-tool={tool.id} data-type={tool.type} aria-label={tool.name}>
      <header className="tool-header">
        <h3 className="tool-name">{tool.name}</h3>
        <span className="badge tool-type">{tool.type}</span>
        {tool.language && <span className="badge tool-language">{tool.language}</span>}
        {tool.tags.map((tag) => (
          <span key={tag} className="badge tool-tag" data-tag={tag}>
            {tag}
          </span>
        ))}
      </header>
      {tool.description ? <p className="tool-description">{tool.description}</p> : <p className="muted">No description.</p>}
      <dl className="config">
        <div data-field="Secrets">
          <dt>Secrets</dt>
          <dd>
            {secrets.length === 0 ? (
              <span className="muted">none</span>
            ) : (
              <ul className="secrets" aria-label="Secrets">
                {secrets.map(([name, hint]) => (
                  <li key={name} data-secret={name}>
                    <code>{name}</code> <span className="masked">{hint}</span>
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            {formatDateTime(tool.createdAt)}
            {creator && <> by {creator}</>}
          </dd>
        </div>
        <div>
          <dt>Updated</dt>
          <dd>
            {formatDateTime(tool.updatedAt)} (version {tool.version})
          </dd>
        </div>
        <div>
          <dt>Tool id</dt>
          <dd>
            <code>{tool.id}</code>
          </dd>
        </div>
      </dl>
      <div className="columns">
        <div>
          <h4>Parameters</h4>
          <JsonBlock value={tool.parameters} label="parameters" />
        </div>
        <div>
          <h4>Configuration</h4>
          <JsonBlock value={tool.configuration} label="configuration" />
        </div>
      </div>
      <h4>Usage examples</h4>
      {tool.usageExamples.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="usage-examples" aria-label="Usage examples">
          {tool.usageExamples.map((example) => (
            <li key={example}>
              <code>{example}</code>
            </li>
          ))}
        </ul>
      )}
      {tool.code !== null && (
        <>
          <h4>Code ({tool.language})</h4>
          <pre className="json code" aria-label="code" data-language={tool.language}>
            {tool.code}
          </pre>
        </>
      )}
    </article>
  );
}
