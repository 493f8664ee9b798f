/**
 * One conversation's messages (`admin.conversationMessages`) in the order they were sent, with
 * branches visible: answers (or edits) sharing a parent are shown side by side as alternatives.
 */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { type ReactNode, useEffect } from "react";
import { Link, Navigate, useParams } from "react-router";

import { type AdminOutputs, useTRPC } from "../api";
import { formatCount, formatDateTime, formatUsd } from "../format";
import { JsonBlock } from "../ui/json-block";
import { Empty, ErrorState, Loading } from "../ui/states";
import { Section, Stat, StatGrid } from "../ui/stats";
import { ConversationSubject, useSubjectNames } from "./conversations-page";

type Message = AdminOutputs["conversationMessages"]["items"][number];

/** Messages per request; every page is loaded (a conversation is read whole here). */
const pageSize = 100;

export function ConversationPage() {
  const { tenantId, conversationId } = useParams();
  // The route always names both (/tenants/:tenantId/conversations/:conversationId).
  if (!tenantId || !conversationId) return <Navigate to="/" replace />;
  return <ConversationView tenantId={tenantId} conversationId={conversationId} />;
}

function ConversationView({ tenantId, conversationId }: { tenantId: string; conversationId: string }) {
  const trpc = useTRPC();
  const tenant = useQuery(trpc.admin.tenant.queryOptions({ tenantId }));
  const names = useSubjectNames(tenantId);
  // admin.conversationMessages carries no conversation row: its counters come from the tenant's list.
  const list = useQuery(trpc.admin.conversations.queryOptions({ tenantId, limit: 100 }));
  const messages = useInfiniteQuery(
    trpc.admin.conversationMessages.infiniteQueryOptions(
      { conversationId, limit: pageSize },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = messages;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const conversation = list.data?.items.find((c) => c.id === conversationId);
  const tenantName = tenant.data?.tenant.name ?? tenantId;
  const userName = new Map(tenant.data?.users.map((u) => [u.id, u.displayName ?? u.email ?? u.id]) ?? []);
  // Newest first from the API; read oldest first.
  const all = (messages.data?.pages.flatMap((p) => p.items) ?? []).toSorted((a, b) => a.seq - b.seq);

  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/">Overview</Link> / <Link to={`/tenants/${encodeURIComponent(tenantId)}`}>{tenantName}</Link> /{" "}
        <Link to={`/tenants/${encodeURIComponent(tenantId)}/conversations`}>Conversations</Link> /{" "}
        <span>{conversation?.title ?? conversationId}</span>
      </nav>
      <h1>
        {conversation?.title ?? "Conversation"} {conversation?.archivedAt && <span className="badge badge-archived">archived</span>}
      </h1>
      <p className="muted">
        <code>{conversationId}</code>
        {conversation && (
          <>
            {" "}
            · with <ConversationSubject conversation={conversation} names={names} tenantId={tenantId} /> · owner{" "}
            {userName.get(conversation.userId) ?? <code>{conversation.userId}</code>} · started {formatDateTime(conversation.createdAt)}
            {conversation.archivedAt && <> · archived {formatDateTime(conversation.archivedAt)}</>}
          </>
        )}
      </p>
      {conversation && (
        <StatGrid>
          <Stat label="Messages" value={formatCount(conversation.messageCount)} />
          <Stat label="Runs" value={formatCount(conversation.executionCount)} />
          <Stat label="Tokens" value={formatCount(conversation.totalTokens)} />
          <Stat label="Cost" value={formatUsd(conversation.costUsd)} />
        </StatGrid>
      )}
      <Section title="Messages">
        {messages.isPending ? (
          <Loading what="messages" />
        ) : messages.isError ? (
          <ErrorState error={messages.error} what="messages" retry={() => void messages.refetch()} />
        ) : all.length === 0 ? (
          <Empty>No messages yet.</Empty>
        ) : (
          <MessageThread messages={all} />
        )}
      </Section>
    </>
  );
}

/**
 * Messages by seq; a parent with two or more children gets them as one group of alternatives,
 * shown where the first of them was sent. Each message says which one it follows when that is
 * not simply the one before it.
 */
function MessageThread({ messages }: { messages: Message[] }) {
  const seqOf = new Map(messages.map((m) => [m.id, m.seq]));
  const children = new Map<string, Message[]>();
  for (const m of messages) {
    if (m.parentMessageId) children.set(m.parentMessageId, [...(children.get(m.parentMessageId) ?? []), m]);
  }
  const shown = new Set<string>();
  const items: ReactNode[] = [];
  for (const m of messages) {
    if (shown.has(m.id)) continue;
    const siblings = m.parentMessageId ? (children.get(m.parentMessageId) ?? []) : [];
    if (siblings.length > 1) {
      for (const s of siblings) shown.add(s.id);
      const parentSeq = m.parentMessageId ? seqOf.get(m.parentMessageId) : undefined;
      items.push(
        <li key={`branch-${m.id}`} className="branch" data-parent-seq={parentSeq}>
          <div className="branch-head muted">
            {siblings.length} alternatives to #{parentSeq}
          </div>
          <ol className="branch-alternatives" aria-label={`Alternatives to message ${parentSeq}`}>
            {siblings.map((s, i) => (
              <li key={s.id}>
                <MessageCard message={s} parentSeq={parentSeq} alternative={`${i + 1} of ${siblings.length}`} />
              </li>
            ))}
          </ol>
        </li>,
      );
    } else {
      shown.add(m.id);
      items.push(
        <li key={m.id}>
          <MessageCard message={m} parentSeq={m.parentMessageId ? seqOf.get(m.parentMessageId) : undefined} />
        </li>,
      );
    }
  }
  return (
    <ol className="message-thread" aria-label="Messages">
      {items}
    </ol>
  );
}

function MessageCard({ message: m, parentSeq, alternative }: { message: Message; parentSeq?: number; alternative?: string }) {
  return (
    <article
      className={`message message-${m.role}`}
      data-message={m.id}
      data-seq={m.seq}
      data-role={m.role}
      data-parent-seq={parentSeq ?? ""}
      aria-label={`Message ${m.seq}`}
    >
      <header className="message-head">
        <span className="step-ordinal">#{m.seq}</span>
        <span className={`badge message-role role-${m.role}`}>{m.role}</span>
        {alternative && <span className="badge message-alternative">alternative {alternative}</span>}
        {parentSeq !== undefined && parentSeq !== m.seq - 1 && <span className="muted message-parent">follows #{parentSeq}</span>}
        <span className="muted">{formatDateTime(m.createdAt, { seconds: true })}</span>
      </header>
      {m.content !== null ? (
        <p className="message-content">{m.content}</p>
      ) : (
        <JsonBlock value={m.parts} label={`parts of message ${m.seq}`} />
      )}
      {m.role === "assistant" && (
        <p className="muted message-usage" data-input={m.inputTokens} data-output={m.outputTokens}>
          {formatCount(m.inputTokens)} in · {formatCount(m.outputTokens)} out tokens · {formatUsd(m.costUsd)}
          {m.executionId && (
            <>
              {" "}
              · by run <Link to={`/executions/${m.executionId}`}>{m.executionId}</Link> (its usage is the run's)
            </>
          )}
        </p>
      )}
    </article>
  );
}
