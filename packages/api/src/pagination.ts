import { base64url } from "jose";
import { z } from "zod";

import { BadRequest } from "./domain-errors";

/**
 * Keyset cursors: the last row's sort value (as Postgres printed it, so timestamps keep their
 * microseconds) and id, plus the ordering they belong to. Opaque to clients.
 */
const cursorShape = z.object({ o: z.string(), v: z.string(), id: z.uuid() });
export type Cursor = z.infer<typeof cursorShape>;

export function encodeCursor(cursor: Cursor): string {
  return base64url.encode(JSON.stringify(cursor));
}

/** Decodes a cursor made for `ordering`; anything else is the caller's mistake (BAD_REQUEST). */
export function decodeCursor(raw: string, ordering: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(base64url.decode(raw)));
  } catch {
    throw invalidCursor("it is not a cursor this API issued");
  }
  const cursor = cursorShape.safeParse(parsed);
  if (!cursor.success) throw invalidCursor("it is not a cursor this API issued");
  if (cursor.data.o !== ordering) throw invalidCursor("it belongs to a different sort order; start again without a cursor");
  return cursor.data;
}

function invalidCursor(why: string) {
  return new BadRequest(`invalid cursor: ${why}`);
}

/** Splits a `limit + 1` fetch into the page and the cursor for the next one. */
export function toPage<Row extends { cursorKey: string; id: string }, Item>(
  rows: Row[],
  limit: number,
  ordering: string,
  toItem: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(toItem),
    nextCursor: rows.length > limit && last ? encodeCursor({ o: ordering, v: last.cursorKey, id: last.id }) : null,
  };
}

/** Escapes LIKE wildcards so a search for "50%" means the text "50%". */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
