/**
 * Keyset pagination, page by page. The API hands back an opaque `nextCursor`; going back means
 * remembering the cursors that led here, so this keeps them as a stack. (tRPC's infinite-query
 * helpers are not used: they add a `direction` key to the input, which the API's strict input
 * contracts reject.)
 */
import { useState } from "react";

import { formatCount } from "../format";

export function useKeysetPages(filtersKey: string) {
  const [state, setState] = useState({ filtersKey, cursors: [] as string[] });
  // New filters start again at the first page (adjusting state during render, as React recommends).
  if (state.filtersKey !== filtersKey) setState({ filtersKey, cursors: [] });
  const cursors = state.filtersKey === filtersKey ? state.cursors : [];
  return {
    /** The cursor of the page to show; undefined for the first page. */
    cursor: cursors.at(-1),
    pageNumber: cursors.length + 1,
    next: (cursor: string) => setState({ filtersKey, cursors: [...cursors, cursor] }),
    previous: () => setState({ filtersKey, cursors: cursors.slice(0, -1) }),
  };
}

export function KeysetPager({
  pages,
  pageSize,
  shown,
  nextCursor,
  noun,
  busy,
}: {
  pages: ReturnType<typeof useKeysetPages>;
  pageSize: number;
  shown: number;
  nextCursor: string | null;
  /** Singular and plural: ["agent", "agents"]. */
  noun: readonly [string, string];
  busy: boolean;
}) {
  const paged = pages.pageNumber > 1 || nextCursor !== null;
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
          <button type="button" className="secondary" disabled={busy || !nextCursor} onClick={() => nextCursor && pages.next(nextCursor)}>
            Next →
          </button>
        </span>
      )}
    </div>
  );
}
