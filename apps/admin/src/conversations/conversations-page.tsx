/** One tenant's conversations, every user's (`admin.conversations`): newest first, active or archived, page by page. */
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Link, Navigate, useParams, useSearchParams } from "react-router";

import { type AdminOutputs, useTRPC } from "../api";
import { formatCount, formatDateTime, formatUsd } from "../format";
import { KeysetPager, useKeysetPages } from "../ui/keyset-pager";
import { Empty, ErrorState, Loading } from "../ui/states";
import { Section } from "../ui/stats";

export type Conversation = AdminOutputs["conversations"]["items"][number];

const pageSize = 20;

/** `?archived=true|false`; anything else: both. */
function archivedParam(value: string | null): boolean | null {
  return value === "true" ? true : value === "false" ? false : null;
}

export function ConversationsPage() {
  const { tenantId } = useParams();
  // The route always names one (/tenants/:tenantId/conversations).
  if (!tenantId) return <Navigate to="/" replace />;
  return <ConversationsView tenantId={tenantId} />;
}

/** Names for a conversation's subject: the tenant's agents (one page of the largest size) and crews. */
export function useSubjectNames(tenantId: string) {
  const trpc = useTRPC();
  const agents = useQuery(trpc.admin.agents.queryOptions({ tenantId, limit: 100 }));
  const crews = useQuery(trpc.admin.crews.queryOptions({ tenantId, limit: 100 }));
  return {
    agent: new Map(agents.data?.items.map((a) => [a.id, a.name]) ?? []),
    crew: new Map(crews.data?.items.map((c) => [c.id, c.name]) ?? []),
  };
}

export function ConversationSubject({
  conversation,
  names,
  tenantId,
}: {
  conversation: Conversation;
  names: ReturnType<typeof useSubjectNames>;
  tenantId: string;
}) {
  if (conversation.agentId) {
    return (
      <>
        agent <Link to={`/agents/${conversation.agentId}`}>{names.agent.get(conversation.agentId) ?? conversation.agentId}</Link>
      </>
    );
  }
  if (conversation.crewId) {
    return (
      <>
        crew{" "}
        <Link to={`/crews/${conversation.crewId}?tenantId=${encodeURIComponent(tenantId)}`}>
          {names.crew.get(conversation.crewId) ?? conversation.crewId}
        </Link>
      </>
    );
  }
  return <span className="muted">–</span>;
}

function ConversationsView({ tenantId }: { tenantId: string }) {
  const trpc = useTRPC();
  const tenant = useQuery(trpc.admin.tenant.queryOptions({ tenantId }));
  const names = useSubjectNames(tenantId);
  const [params, setParams] = useSearchParams();
  const archived = archivedParam(params.get("archived"));
  const filters = { tenantId, limit: pageSize, ...(archived !== null && { archived }) };
  const conversations = useInfiniteQuery(
    trpc.admin.conversations.infiniteQueryOptions(filters, {
      getNextPageParam: (page) => page.nextCursor,
      placeholderData: keepPreviousData,
    }),
  );
  const pages = useKeysetPages(conversations, JSON.stringify(filters));
  const rows = pages.items;
  const tenantName = tenant.data?.tenant.name ?? tenantId;
  const userName = new Map(tenant.data?.users.map((u) => [u.id, u.displayName ?? u.email ?? u.id]) ?? []);

  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/">Overview</Link> / <Link to={`/tenants/${encodeURIComponent(tenantId)}`}>{tenantName}</Link> /{" "}
        <span>Conversations</span>
      </nav>
      <h1>
        Conversations of {tenantName} <span className="muted heading-id">{tenantId}</span>
      </h1>
      <p className="muted">
        Every user's, newest first. Tokens and cost count each token once: runs made in the conversation, and answers no run produced.
      </p>
      <Section title="Conversations">
        <form className="filters" aria-label="Conversation filters" onSubmit={(event) => event.preventDefault()}>
          <label>
            Archived
            <select
              name="archived"
              value={archived === null ? "" : String(archived)}
              onChange={(event) => setParams(event.target.value ? { archived: event.target.value } : {})}
            >
              <option value="">both</option>
              <option value="false">active only</option>
              <option value="true">archived only</option>
            </select>
          </label>
        </form>
        {conversations.isPending ? (
          <Loading what="conversations" />
        ) : conversations.isError ? (
          <ErrorState error={conversations.error} what="conversations" retry={() => void conversations.refetch()} />
        ) : rows.length === 0 ? (
          <Empty>{archived !== null ? "No conversations match this filter." : "This tenant has no conversations yet."}</Empty>
        ) : (
          <>
            <div className={`table-wrap${conversations.isPlaceholderData || pages.loadingNext ? " refreshing" : ""}`}>
              <table className="table" aria-label="Conversations">
                <thead>
                  <tr>
                    <th scope="col">Conversation</th>
                    <th scope="col">With</th>
                    <th scope="col">Owner</th>
                    <th scope="col" className="num">
                      Messages
                    </th>
                    <th scope="col" className="num">
                      Runs
                    </th>
                    <th scope="col" className="num">
                      Tokens
                    </th>
                    <th scope="col" className="num">
                      Cost
                    </th>
                    <th scope="col">Last message</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((c) => (
                    <tr key={c.id} data-conversation={c.id} data-archived={String(c.archivedAt !== null)}>
                      <td>
                        <Link to={`/tenants/${encodeURIComponent(tenantId)}/conversations/${c.id}`}>{c.title}</Link>
                        {c.archivedAt && <span className="badge badge-archived">archived</span>}
                      </td>
                      <td>
                        <ConversationSubject conversation={c} names={names} tenantId={tenantId} />
                      </td>
                      <td>{userName.get(c.userId) ?? c.userId}</td>
                      <td className="num">{formatCount(c.messageCount)}</td>
                      <td className="num">{formatCount(c.executionCount)}</td>
                      <td className="num">{formatCount(c.totalTokens)}</td>
                      <td className="num">{formatUsd(c.costUsd)}</td>
                      <td className="nowrap">{formatDateTime(c.lastMessageAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <KeysetPager pages={pages} pageSize={pageSize} noun={["conversation", "conversations"]} busy={conversations.isFetching} />
          </>
        )}
      </Section>
    </>
  );
}
