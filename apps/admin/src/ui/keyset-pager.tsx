/**
 * Keyset pagination, page by page, over one infinite query (`trpc.admin.x.infiniteQueryOptions`
 * with `getNextPageParam: (page) => page.nextCursor`). The pages fetched so far stay in that
 * query: "Next" fetches only a page not seen yet, "Previous" shows one already there, and a
 * refresh (after a change) refetches exactly the pages seen.
 */
import type { InfiniteData } from "@tanstack/react-query";
import { useState } from "react";

import { formatCount } from "../format";

interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

/** What this needs of `useInfiniteQuery`'s result. */
interface InfinitePages<Item> {
  data: InfiniteData<Page<Item>, unknown> | undefined;
  hasNextPage: boolean;
  isFetching: boolean;
  fetchNextPage: () => Promise<unknown>;
}

/** The page to show of `query`; new filters (`filtersKey`) start again at the first page. */
export function useKeysetPages<Item>(query: InfinitePages<Item>, filtersKey: string) {
  const [state, setState] = useState({ filtersKey, index: 0 });
  // Adjusting state during render, as React recommends for state that follows a prop.
  if (state.filtersKey !== filtersKey) setState({ filtersKey, index: 0 });
  const wanted = state.filtersKey === filtersKey ? state.index : 0;
  const pages = query.data?.pages ?? [];
  // Until a requested page arrives, the one before it stays on screen.
  const index = Math.max(0, Math.min(wanted, pages.length - 1));
  const hasNext = index < pages.length - 1 || query.hasNextPage;
  return {
    items: pages[index]?.items ?? [],
    pageNumber: index + 1,
    hasNext,
    /** Waiting for a page staff asked for (the current one stays, dimmed). */
    loadingNext: wanted > index,
    next: () => {
      if (!hasNext) return;
      if (index + 1 >= pages.length) void query.fetchNextPage();
      setState({ filtersKey, index: index + 1 });
    },
    previous: () => setState({ filtersKey, index: Math.max(0, index - 1) }),
  };
}

export function KeysetPager({
  pages,
  pageSize,
  noun,
  busy,
}: {
  pages: ReturnType<typeof useKeysetPages>;
  pageSize: number;
  /** Singular and plural: ["agent", "agents"]. */
  noun: readonly [string, string];
  busy: boolean;
}) {
  const shown = pages.items.length;
  const paged = pages.pageNumber > 1 || pages.hasNext;
  const first = (pages.pageNumber - 1) * pageSize + 1;
  return (
    <div className="pager">
      <span className="muted">
        {paged
          ? `${noun[1]} ${formatCount(first)}–${formatCount(first + shown - 1)} · page ${pages.pageNumber}`
          : `${formatCount(shown)} ${shown === 1 ? noun[0] : noun[1]}`}
      </span>
      {paged && (
        <span className="pager-buttons">
          <button type="button" className="secondary" disabled={busy || pages.pageNumber === 1} onClick={pages.previous}>
            ← Previous
          </button>
          <button type="button" className="secondary" disabled={busy || !pages.hasNext} onClick={pages.next}>
            Next →
          </button>
        </span>
      )}
    </div>
  );
}
